"""Permission-matrix rows of the catalogue, proposal, decision and registry URLs
(merged into `tests.awards.matrix.MATRIX_ROWS`). Objects are created once per
world and cached on it: a draft proposal of the world's term with unit A
nominated, one attachment and one public comment; an appraised proposal; a
decided one open for public comment."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from awards import services
from awards.models import AwardForm
from clusters.models import Term, TermState
from tests.campaigns.matrix import _campaign as campaign_of

LOGIN = "login-redirect"
# Column order: anonymous, officer, other_officer, chair_officer, staff, admin,
# other_admin.
READ_ALL = [LOGIN, 200, 200, 200, 200, 200, 200]
READ_CLUSTER = [LOGIN, 200, 404, 200, 200, 200, 404]
READ_AUTHORITY = [LOGIN, 200, 200, 200, 200, 200, 404]
PUBLIC = [200] * 7
# The chair unit's officers and admins draft the term's proposal.
DRAFT = [LOGIN, 403, 404, 200, 403, 200, 404]
DRAFT_POST = [LOGIN, 403, 404, 302, 403, 302, 404]
# Province staff and admins handle proposals and decisions.
HANDLE = [LOGIN, 403, 404, 403, 200, 200, 404]
HANDLE_POST = [LOGIN, 403, 404, 403, 302, 302, 404]
STAFF_PAGES = [LOGIN, 403, 403, 403, 200, 200, 200]
ADMIN_OBJECT = [LOGIN, 403, 403, 403, 403, 200, 404]
ADMIN_PAGE = [LOGIN, 403, 403, 403, 403, 200, 200]
OPEN_UNTIL = datetime.date(2999, 12, 31)


def _cached(world, name, make):
    if not hasattr(world, name):
        setattr(world, name, make())
    return getattr(world, name)


def _proposing(world):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.PROPOSING)
    world.term.refresh_from_db()
    return world.term


def _form(world, code):
    services.catalogue_for(world.authority)
    return AwardForm.objects.get(authority=world.authority, code=code)


def _new_proposal(world, code, unit, **fields):
    proposal = services.proposal_create_for_term(
        term=_proposing(world),
        actor=world.users["chair_officer"],
        title=fields.pop("title", "Tờ trình thử"),
        **fields,
    )
    nominee = services.nominee_add(
        proposal=proposal,
        actor=world.users["chair_officer"],
        award_form=_form(world, code),
        unit=unit,
        achievements="Dẫn đầu cụm.",
    )
    return proposal, nominee


def _draft(world):
    def make():
        proposal, nominee = _new_proposal(
            world, "co-tinh", world.unit_a, comments_open_until=OPEN_UNTIL
        )
        world._nominee = nominee
        world._attachment = services.attachment_add(
            proposal=proposal,
            actor=world.users["chair_officer"],
            upload=SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n%%EOF\n"),
            description="Báo cáo thành tích",
        )
        world._comment = services.comment_add(
            proposal=proposal, author_name="Người dân", text="Đồng ý."
        )
        return proposal

    return _cached(world, "_draft_proposal", make)


def _appraised(world):
    def make():
        proposal, _nominee = _new_proposal(
            world, "bk-tinh", world.unit_deputy, title="Tờ trình Bằng khen"
        )
        services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
        services.proposal_receive(proposal=proposal, actor=world.users["staff"])
        return services.proposal_appraise(proposal=proposal, actor=world.users["staff"])

    return _cached(world, "_appraised_proposal", make)


def _decision(world):
    def make():
        proposal, nominee = _new_proposal(
            world,
            "ttld-xuat-sac",
            world.unit_chair,
            title="Tờ trình Tập thể lao động xuất sắc",
            comments_open_until=OPEN_UNTIL,
        )
        services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
        services.proposal_receive(proposal=proposal, actor=world.users["staff"])
        services.proposal_appraise(proposal=proposal, actor=world.users["staff"])
        return services.decision_record(
            proposal=proposal,
            actor=world.users["staff"],
            number=5,
            date=datetime.date(2025, 1, 15),
            granted=[nominee],
            issuing_body="Ủy ban nhân dân tỉnh Thử",
            subject="Về việc tặng danh hiệu Tập thể lao động xuất sắc",
            signer_name="Trần Văn Chủ",
            capacity="tm",
            legal_bases="Căn cứ Luật Thi đua, khen thưởng;",
        )

    return _cached(world, "_decision_object", make)


def _campaign(world):
    """The launched campaign the campaigns rows use too (one per world: two
    would share a title)."""
    return campaign_of(world)


def _nominee(world):
    _draft(world)
    return world._nominee


def _attachment(world):
    _draft(world)
    return world._attachment


def _external_decision(world):
    """A decision taken outside the system with its scan, in the registry."""

    def make():
        return services.external_grant_record(
            actor=world.users["staff"],
            issuer="Thủ tướng Chính phủ",
            number="99/QĐ-TTg",
            date=datetime.date(2024, 3, 1),
            award_form=_form(world, "co-chinh-phu"),
            year=2023,
            unit=world.unit_a,
            upload=SimpleUploadedFile("qd.pdf", b"%PDF-1.4\n%%EOF\n"),
        ).external

    return _cached(world, "_external_decision", make)


def _comment(world):
    _draft(world)
    return world._comment


PROPOSAL_ROWS = {
    "proposal_list": ("get", None, None, READ_ALL),
    "award_form_list": ("get", None, None, READ_ALL),
    "award_form_edit": (
        "get",
        lambda w: {"pk": _form(w, "co-tinh").pk},
        None,
        ADMIN_OBJECT,
    ),
    "base_salaries": ("get", None, None, ADMIN_PAGE),
    "term_proposal_create": ("get", lambda w: {"pk": w.term.pk}, None, DRAFT),
    "campaign_proposal_create": (
        "get",
        lambda w: {"pk": _campaign(w).pk},
        None,
        [LOGIN, 403, 403, 403, 200, 200, 404],
    ),
    "proposal_detail": ("get", lambda w: {"pk": _draft(w).pk}, None, READ_CLUSTER),
    "proposal_docx": ("get", lambda w: {"pk": _draft(w).pk}, None, READ_CLUSTER),
    "proposal_edit": ("get", lambda w: {"pk": _draft(w).pk}, None, DRAFT),
    "nominee_add": ("get", lambda w: {"pk": _draft(w).pk}, None, DRAFT),
    "nominee_edit": ("get", lambda w: {"pk": _nominee(w).pk}, None, DRAFT),
    "nominee_delete": ("post", lambda w: {"pk": _nominee(w).pk}, None, DRAFT_POST),
    "attachment_add": ("get", lambda w: {"pk": _draft(w).pk}, None, DRAFT),
    "attachment_download": (
        "get",
        lambda w: {"pk": _attachment(w).pk},
        None,
        READ_CLUSTER,
    ),
    "attachment_delete": (
        "post",
        lambda w: {"pk": _attachment(w).pk},
        None,
        DRAFT_POST,
    ),
    "proposal_action": (
        "post",
        lambda w: {"pk": _draft(w).pk},
        {"action": "submit"},
        DRAFT_POST,
    ),
    "proposal_comments": ("get", lambda w: {"pk": _draft(w).pk}, None, HANDLE),
    "comment_moderate": (
        "post",
        lambda w: {"pk": _comment(w).pk},
        {"decision": "approve"},
        HANDLE_POST,
    ),
    "decision_create": ("get", lambda w: {"pk": _appraised(w).pk}, None, HANDLE),
    "decision_list": ("get", None, None, READ_ALL),
    "decision_detail": (
        "get",
        lambda w: {"pk": _decision(w).pk},
        None,
        READ_AUTHORITY,
    ),
    "decision_docx": (
        "get",
        lambda w: {"pk": _decision(w).pk},
        None,
        READ_AUTHORITY,
    ),
    "award_registry": ("get", None, None, READ_ALL),
    "external_grant_create": ("get", None, None, STAFF_PAGES),
    "external_grant_remove": (
        "get",
        lambda w: {"pk": _external_decision(w).grants.get().pk},
        None,
        [LOGIN, 403, 403, 403, 200, 200, 404],
    ),
    "external_decision_file": (
        "get",
        lambda w: {"pk": _external_decision(w).pk},
        None,
        [LOGIN, 403, 403, 403, 200, 200, 404],
    ),
    "award_statistics": ("get", None, None, STAFF_PAGES),
    "award_statistics_xlsx": ("get", None, None, STAFF_PAGES),
    "public_proposal": (
        "get",
        lambda w: {"pk": _decision(w).proposals.get().pk},
        None,
        PUBLIC,
    ),
    "public_awards": ("get", lambda w: {"authority_pk": w.authority.pk}, None, PUBLIC),
}
