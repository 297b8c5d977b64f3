"""Permission-matrix rows of the Excel round trip of the results, in the format
of `tests.test_permission_matrix.MATRIX` (name → (method, kwargs from the world,
data, expected statuses by role in `tests.conftest.ROLES` order)).

Both URLs need the term's pledge, created on first use by `world_pledge`."""

from tests.pledges.conftest import world_pledge

LOGIN = "login-redirect"
# Column order: anonymous, officer, other_officer, chair_officer, staff, admin,
# other_admin. A member's officer gets its own rows; the reviewers (the chair's
# officers, province staff, admins) every member's.
RESULTS_EXCEL = [LOGIN, 200, 404, 200, 200, 200, 404]


def _term(world):
    return {"pk": world_pledge(world).term_id}


MATRIX_ROWS = {
    "results_xlsx": ("get", _term, None, RESULTS_EXCEL),
    "results_import": ("get", _term, None, RESULTS_EXCEL),
}
