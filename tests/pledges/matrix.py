"""Permission-matrix rows for the targets' Excel download and import, in the
format of `tests.test_permission_matrix.MATRIX` (merge them there)."""

from pledges import services
from tests.pledges.conftest import CONTENT

LOGIN = "login-redirect"
# Column order: anonymous, officer, other_officer, chair_officer, staff, admin,
# other_admin (see tests.conftest.ROLES).
SET_TARGETS = [LOGIN, 200, 404, 200, 403, 200, 404]


def _pledge(w):
    """world.term has no pledge by default; create it once, on first use."""
    if not hasattr(w, "_pledge"):
        w._pledge = services.pledge_create(
            term=w.term, actor=w.users["admin"], content=CONTENT
        )
    return w._pledge


MATRIX_ROWS = {
    "targets_xlsx": ("get", lambda w: {"pk": _pledge(w).term_id}, None, SET_TARGETS),
    "targets_import": ("get", lambda w: {"pk": _pledge(w).term_id}, None, SET_TARGETS),
}
