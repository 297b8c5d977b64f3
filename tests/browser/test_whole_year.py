"""A fresh cluster of three wards and communes walks through a whole emulation
year in the browser, every step through the pages with a real login for each
role (each person in a browser of their own, as in an office), and every page
is checked with axe (WCAG 2.1 A/AA).

Only the starting point is set up through services (the fresh units, the cluster,
its rotation order and its officers' accounts); everything after that is clicked:

admin opens the year → the chair drafts the pledge in the editor → members set
their targets → the chair opens it for signing → every member signs → admin starts
the year and opens reporting → members report with evidence and submit → the chair
returns an item, the member corrects it and resubmits, the chair accepts → peers
score → a member objects, the chair answers → staff publish the ranking → the
nomination vote (opened by the chair, a ballot from every member, closed by the
chair) → the chair drafts and sends a proposal → staff receive, appraise and record
the decision with its grant → the year is decided → the next year is opened from
the rollover page → the chair records the handover, which closes the year.

A second test switches a member to English with the language form of the page
and checks the pledge, report and ranking pages render in English, axe clean.
Button names come from the project's translations (`_label`), so the test reads
the same Vietnamese the user sees.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from awards.models import Decision, Grant, Proposal, ProposalState, Vote
from clusters import services
from clusters.models import Authority, Role, Term, TermState, Unit, UnitKind, User
from demo.hau_giang import evidence_pdf
from pledges.models import (
    Objection,
    Pledge,
    PledgeState,
    RankingSnapshot,
    Report,
    ReportState,
    ReviewItem,
    Score,
)

pytestmark = pytest.mark.browser

CLUSTER = "Cụm thi đua các xã, phường khu vực Vị Thanh"
# (username, unit name, short name, kind): the first chairs, the second deputises.
MEMBERS = [
    ("p_vitan", "Phường Vị Tân", "Vị Tân", UnitKind.WARD),
    ("x_vithuy", "Xã Vị Thủy", "Vị Thủy", UnitKind.COMMUNE),
    ("x_hoaluu", "Xã Hỏa Lựu", "Hỏa Lựu", UnitKind.COMMUNE),
]
CHAIR, DEPUTY, MEMBER = (username for username, *_ in MEMBERS)
NAMES = {username: name for username, name, *_ in MEMBERS}
# Indicator actuals (targets are 100 for everyone) and the peer points each unit's
# assessed criterion receives: Vị Tân 60 + 38, Vị Thủy 60 + 35, Hỏa Lựu 48 + 30.
ACTUALS = {CHAIR: "120", DEPUTY: "100", MEMBER: "80"}
PEER_POINTS = {CHAIR: "38", DEPUTY: "35", MEMBER: "30"}
FLAG = "Cờ thi đua của Ủy ban nhân dân tỉnh"


def _label(msgid, language="vi", **params):
    """The text the UI shows for `msgid` in `language` (with %(name)s filled)."""
    with translation.override(language):
        text = gettext(msgid)
    return text % params if params else text


class Journey:
    """Drives the year in the browser: each person has a browser of their own
    (a context with its own cookies), signed in the first time they act;
    follows links and submits forms on the current person's page, checks every
    page with axe and records every URL loaded (``visited``) and every page
    checked (``checked``)."""

    def __init__(self, new_context, base_url, login, assert_accessible):
        self._new_context = new_context
        self.base_url = base_url
        self._login = login
        self._assert_accessible = assert_accessible
        self.visited = []
        self.checked = []
        self._pages = {}
        self.page = None

    def as_user(self, username):
        """Switch to `username`'s browser (None: a visitor who does not sign
        in); the first time, sign in there and check its home page."""
        page = self._pages.get(username)
        if page is None:
            page = self._new_context().new_page()
            page.on("framenavigated", self._recorder(page))
            self._pages[username] = self.page = page
            if username is not None:
                self._login(page, username)
                self.check()
        self.page = page

    def _recorder(self, page):
        def _record(frame):
            if frame == page.main_frame:
                self.visited.append(frame.url)

        return _record

    def check(self):
        """axe on the page as it is now (after a load or an htmx swap)."""
        self._assert_accessible(self.page)
        self.checked.append(self.page.url)

    def go(self, path, *, check=True):
        self.page.goto(f"{self.base_url}{path}")
        if check:
            self.check()

    def follow(self, name, exact=True):
        """Click the link `name` and check the page it leads to."""
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=name, exact=exact).first.click()
        self.check()

    def submit(self, target, *, ok=True):
        """Click a submit button (its accessible name or a locator), wait for the
        next page, check that no error message came back, and check the page."""
        button = (
            self.page.get_by_role("button", name=target, exact=True)
            if isinstance(target, str)
            else target
        )
        with self.page.expect_navigation():
            button.click()
        if ok:
            errors = self.page.locator(".alert-danger, .invalid-feedback, .errorlist")
            assert errors.count() == 0, (
                f"{self.page.url}: {' | '.join(errors.all_inner_texts())}"
            )
        self.check()

    def move_term(self, term, to_state):
        """The admin moves `term` on from its page's transition form (the term
        page is checked once it shows the new state)."""
        self.go(f"/terms/{term.pk}/", check=False)
        self.page.select_option("#id_to_state", to_state)
        self.submit(_label("Change state"))
        expect(self.page.locator(".alert-success")).to_have_count(1)
        term.refresh_from_db()
        assert term.state == to_state

    def summary(self):
        """Page loads, distinct URLs and distinct pages (URLs with their ids
        taken out) visited; axe checks run (each one passed, or the test failed
        there with the violations)."""
        urls = {re.sub(r"[?#].*$", "", url) for url in self.visited}
        pages = {re.sub(r"/\d+/", "/<id>/", url) for url in urls}
        return (
            f"{len(self.visited)} page loads, {len(urls)} distinct URLs, "
            f"{len(pages)} distinct pages; {len(self.checked)} axe checks "
            "(WCAG 2.1 A/AA), 0 violations"
        )


@pytest.fixture
def report_line(request):
    """``report_line(text)`` writes a line to the terminal even with ``-q``."""
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")

    def _write(text):
        if reporter is None or capture is None:  # pragma: no cover - plugins off
            print(text)
            return
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(text)

    return _write


@pytest.fixture
def journey(
    request, new_context, base_url, browser_login, assert_accessible, report_line
):
    trip = Journey(new_context, base_url, browser_login, assert_accessible)
    yield trip
    report_line(f"{request.node.name}: {trip.summary()}")


@pytest.fixture
def fresh_cluster(base_url):
    """Three new units (after the 2025 reform: a ward and two communes), a new
    cluster with them in its rotation order, and an officer account for each
    (password "demo"), all in the demo's authority."""
    admin = User.objects.get(username="admin")
    authority = Authority.objects.get(pk=admin.authority_id)
    cluster = services.cluster_create(
        actor=admin,
        authority=authority,
        name=CLUSTER,
        description="Các xã, phường mới sau sắp xếp đơn vị hành chính năm 2025.",
    )
    for username, name, short_name, kind in MEMBERS:
        unit = services.unit_create(
            actor=admin,
            authority=authority,
            name=name,
            short_name=short_name,
            kind=kind,
            valid_from=datetime.date(2025, 7, 1),
        )
        services.user_create(
            actor=admin,
            username=username,
            password="demo",
            role=Role.UNIT_OFFICER,
            unit=unit,
            full_name=f"Cán bộ thi đua {short_name}",
        )
        services.rotation_add(cluster=cluster, unit=unit, actor=admin)
    return cluster


def _unit(username):
    return Unit.objects.get(name=NAMES[username])


# The steps of the year ---------------------------------------------------------


def _admin_opens_the_year(trip, cluster):
    year = timezone.localdate().year
    trip.as_user("admin")
    trip.go(f"/clusters/{cluster.pk}/")
    trip.follow(_label("Open a year"))
    page = trip.page
    assert page.locator("#id_year").input_value() == str(year)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    page.fill("#id_report_deadline", deadline.strftime("%d/%m/%Y"))
    page.fill("#id_total_points", "100")
    for name in NAMES.values():
        page.get_by_label(name, exact=True).check()
    page.select_option("#id_chair", label=NAMES[CHAIR])
    page.select_option("#id_deputy", label=NAMES[DEPUTY])
    trip.submit(_label("Open the year"))
    term = Term.objects.get(cluster=cluster, year=year)
    assert page.url.endswith(f"/terms/{term.pk}/")
    assert term.chair == _unit(CHAIR)
    assert term.deputy == _unit(DEPUTY)
    assert term.memberships.count() == 3
    trip.move_term(term, TermState.PLEDGING)
    return term


def _add_row(trip, kind, fields, selects=(), checks=()):
    """Add a row in the pledge editor: the add link swaps the form in (htmx),
    the save swaps the tree back with the new row."""
    page = trip.page
    add = {"section": "Add a section", "criterion": "Add a criterion"}
    page.get_by_role("link", name=_label(add.get(kind, "Add an indicator"))).click()
    code = page.locator(f"#id_{kind}-code")
    expect(code).to_be_visible()
    trip.check()
    for name, value in fields.items():
        page.fill(f"#id_{kind}-{name}", value)
    for name, label in selects:
        page.select_option(f"#id_{kind}-{name}", label=label)
    for name in checks:
        page.check(f"#id_{kind}-{name}")
    page.locator("#tree form").get_by_role("button", name=_label("Save")).click()
    expect(code).to_have_count(0)
    expect(page.locator("#tree tbody")).to_contain_text(fields["title"])


def _chair_drafts_the_pledge(trip, term):
    trip.as_user(CHAIR)
    trip.go(f"/terms/{term.pk}/")
    expect(trip.page.locator(".alert-info")).to_have_count(1)  # chair's powers
    trip.follow(_label("Pledge"))
    trip.submit(_label("Start an empty pledge"))
    trip.follow(_label("Edit the criteria and indicators"))
    _add_row(
        trip,
        "section",
        {"code": "I", "title": "Thực hiện nhiệm vụ chính trị", "max_points": "100"},
    )
    _add_row(
        trip,
        "criterion",
        {"code": "I.1", "title": "Chỉ tiêu kinh tế - xã hội", "max_points": "60"},
        selects=[
            ("section", "I. Thực hiện nhiệm vụ chính trị"),
            ("kind", _label("computed from indicators")),
        ],
    )
    _add_row(
        trip,
        "criterion",
        {
            "code": "I.2",
            "title": "Công tác thi đua, khen thưởng",
            "max_points": "40",
            "guidance": "Kèm kế hoạch và báo cáo tổng kết phong trào.",
        },
        selects=[
            ("section", "I. Thực hiện nhiệm vụ chính trị"),
            ("kind", _label("assessed by people")),
        ],
        checks=["evidence_required"],
    )
    _add_row(
        trip,
        "indicator",
        {
            "code": "I.1.1",
            "title": "Thu ngân sách nhà nước trên địa bàn",
            "unit_of_measure": "triệu đồng",
        },
        selects=[("criterion", "I.1 Chỉ tiêu kinh tế - xã hội")],
    )
    pledge = Pledge.objects.get(term=term)
    assert pledge.sections.count() == 1
    assert pledge.criteria.count() == 2
    assert pledge.indicators.count() == 1
    # Only the targets are missing now.
    problems = trip.page.locator(".alert-warning li")
    expect(problems).to_have_count(1)
    expect(problems).to_contain_text("I.1.1")
    return pledge


def _members_set_targets_and_sign(trip, term, pledge):
    unit_ids = {username: _unit(username).pk for username in NAMES}
    indicator = pledge.indicators.get()
    # The chair's officer is still logged in; as a drafter it sees every row,
    # so it fills its own unit's cell.
    trip.go(f"/terms/{term.pk}/pledge/")
    trip.follow(_label("Targets of every member"))
    expect(trip.page.locator("table.targets-grid input[type=text]")).to_have_count(3)
    trip.page.fill(f"#t-{indicator.pk}-{unit_ids[CHAIR]}", "100")
    trip.submit(_label("Save targets"))
    for username in (DEPUTY, MEMBER):
        trip.as_user(username)
        trip.go(f"/terms/{term.pk}/pledge/")
        trip.follow(_label("Targets of every member"))
        own = trip.page.locator("table.targets-grid input[type=text]")
        expect(own).to_have_count(1)
        expect(own).to_have_id(f"t-{indicator.pk}-{unit_ids[username]}")
        own.fill("100")
        trip.submit(_label("Save targets"))
    assert {t.unit_id: t.planned for t in indicator.targets.all()} == {
        pk: Decimal(100) for pk in unit_ids.values()
    }

    trip.as_user(CHAIR)
    trip.go(f"/terms/{term.pk}/pledge/")
    expect(trip.page.locator(".alert-warning")).to_have_count(0)
    trip.submit(_label("Open for signing"))
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.SIGNING
    for username in (CHAIR, DEPUTY, MEMBER):
        if username != CHAIR:
            trip.as_user(username)
            trip.go(f"/terms/{term.pk}/pledge/")
        trip.follow(_label("Sign for my unit"))
        trip.page.fill("#id_signer_name", f"Chủ tịch UBND {NAMES[username]}")
        trip.page.fill("#id_signer_title", "Chủ tịch Ủy ban nhân dân")
        trip.submit(_label("Sign"))
        expect(trip.page.locator("main")).to_contain_text(
            f"Chủ tịch UBND {NAMES[username]}"
        )
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.IN_FORCE


def _save_section(trip, section):
    trip.page.locator(f"#sec-{section} form button[type=submit]").last.click()
    # The indicators save group by group, "saved at" next to the button.
    done = ".saved-at" if section == "indicators" else ".alert-success"
    expect(trip.page.locator(f"#sec-{section} {done}")).to_be_visible()


def _member_reports(trip, term, pledge, username):
    indicator = pledge.indicators.get()
    assessed = pledge.criteria.get(code="I.2")
    unit = _unit(username)
    trip.as_user(username)
    trip.go(f"/terms/{term.pk}/")
    trip.follow(_label("Results"))
    page = trip.page
    if username == CHAIR:  # the chair reviews: the list of every member first
        expect(page.locator(f"#unit-{unit.pk}")).to_have_attribute("data-state", "none")
        trip.submit(page.locator(f"#unit-{unit.pk} a"))
    assert page.url.endswith(f"/terms/{term.pk}/reports/{unit.pk}/")
    page.fill(f"#id_actual_{indicator.pk}", ACTUALS[username])
    expect(page.locator(f"#pts-{indicator.pk}")).not_to_have_text("—")
    _save_section(trip, "indicators")
    page.fill(f"#id_points_{assessed.pk}", "40")
    page.fill(
        f"#id_explanation_{assessed.pk}",
        "Tổ chức 4 phong trào thi đua, khen thưởng kịp thời.",
    )
    _save_section(trip, "criteria")
    page.fill("#id_summary", f"{NAMES[username]} hoàn thành các chỉ tiêu năm.")
    _save_section(trip, "summary")
    trip.check()
    expect(page.locator("#missing li")).to_have_count(1)  # the evidence file
    page.set_input_files(
        f"#evidence-file-{assessed.pk}",
        files=[
            {
                "name": "bao-cao-tong-ket-phong-trao.pdf",
                "mimeType": "application/pdf",
                "buffer": evidence_pdf("Bao cao tong ket phong trao", NAMES[username]),
            }
        ],
    )
    # The upload swaps the file list in place (htmx): no page load.
    page.locator(f"button[name=upload][value='{assessed.pk}']").click()
    expect(page.locator(f"#c-{assessed.pk} a[href^='/evidence/']")).to_have_count(1)
    trip.check()
    expect(page.locator("#complete")).to_be_visible()
    trip.submit(page.locator("#submit-report"))
    expect(page.locator("#report-status")).to_have_attribute("data-state", "submitted")


def _chair_returns_member_fixes_chair_accepts(trip, term, pledge):
    indicator = pledge.indicators.get()
    deputy = _unit(DEPUTY)
    reason = "Số thu ngân sách chưa khớp với báo cáo của Kho bạc."
    trip.as_user(CHAIR)
    trip.go(f"/terms/{term.pk}/reports/")
    for username in NAMES:
        expect(trip.page.locator(f"#unit-{_unit(username).pk}")).to_have_attribute(
            "data-state", "submitted"
        )
    trip.submit(trip.page.locator(f"#unit-{deputy.pk} a"))
    trip.page.fill(f"#id_reason_i{indicator.pk}", reason)
    trip.submit(trip.page.locator("#return-report"))
    expect(trip.page.locator("#report-status")).to_have_attribute(
        "data-state", "returned"
    )

    trip.as_user(DEPUTY)
    trip.go(f"/terms/{term.pk}/reports/{deputy.pk}/")
    expect(trip.page.locator(f"#returned-i-{indicator.pk}")).to_contain_text(reason)
    trip.page.fill(f"#id_actual_{indicator.pk}", "105")
    trip.page.fill(f"#id_note_{indicator.pk}", "Theo số liệu Kho bạc nhà nước")
    _save_section(trip, "indicators")
    trip.check()
    trip.submit(trip.page.locator("#submit-report"))
    expect(trip.page.locator("#report-status")).to_have_attribute(
        "data-state", "submitted"
    )
    assert ReviewItem.objects.get(report__unit=deputy, report__term=term).resolved_at

    trip.as_user(CHAIR)
    for username in (DEPUTY, MEMBER):
        trip.go(f"/terms/{term.pk}/reports/{_unit(username).pk}/")
        trip.submit(_label("Accept the report"))
        expect(trip.page.locator("#report-status")).to_have_attribute(
            "data-state", "accepted"
        )
    # The chair is never offered its own report's review: the deputy accepts it.
    trip.go(f"/terms/{term.pk}/reports/{_unit(CHAIR).pk}/")
    expect(trip.page.locator("#accept-report")).to_have_count(0)
    trip.as_user(DEPUTY)
    trip.go(f"/terms/{term.pk}/reports/{_unit(CHAIR).pk}/")
    trip.submit(_label("Accept the report"))
    states = dict(Report.objects.filter(term=term).values_list("unit__name", "state"))
    assert states == {
        NAMES[CHAIR]: ReportState.ACCEPTED,
        NAMES[DEPUTY]: ReportState.ACCEPTED,
        NAMES[MEMBER]: ReportState.ACCEPTED,
    }


def _peers_score(trip, term, pledge):
    assessed = pledge.criteria.get(code="I.2")
    reports = {r.unit.name: r for r in Report.objects.filter(term=term)}
    for username in (CHAIR, DEPUTY, MEMBER):
        trip.as_user(username)
        trip.go(f"/terms/{term.pk}/scoring/")
        page = trip.page
        for other, points in PEER_POINTS.items():
            field = page.locator(f"#p-{reports[NAMES[other]].pk}-{assessed.pk}")
            if other == username:
                expect(field).to_have_count(0)  # never scores itself
                continue
            field.fill(points)
            page.fill(
                f"#c-{reports[NAMES[other]].pk}-{assessed.pk}", "Minh chứng đầy đủ."
            )
        trip.submit(_label("Save scores"))
        expect(page.locator(".alert-success")).to_have_count(1)
    assert Score.objects.filter(report__term=term, kind="peer").count() == 6


def _member_objects_chair_answers(trip, term, pledge):
    assessed = pledge.criteria.get(code="I.2")
    trip.as_user(MEMBER)
    trip.go(f"/terms/{term.pk}/reply/")
    page = trip.page
    page.select_option("#id_criterion", str(assessed.pk))
    page.fill(
        "#id_text",
        "Đơn vị đã tổ chức thêm phong trào chuyển đổi số, có minh chứng kèm theo.",
    )
    trip.submit(_label("Send the objection"))
    objection = Objection.objects.get(report__term=term)

    trip.as_user(CHAIR)
    trip.go(f"/terms/{term.pk}/reply/")
    trip.page.fill(f"#pts-{objection.pk}", "32")
    trip.page.fill(f"#rsn-{objection.pk}", "Minh chứng bổ sung hợp lệ.")
    trip.submit(_label("Accept"))
    objection.refresh_from_db()
    assert (objection.answer, objection.new_points) == ("accepted", Decimal(32))
    # Every member then says it has no further objection.
    for username in (CHAIR, DEPUTY, MEMBER):
        trip.as_user(username)
        trip.go(f"/terms/{term.pk}/reply/")
        trip.submit(_label("No objection: waive the right of reply"))


def _staff_publish_the_ranking(trip, term):
    trip.as_user("noivu")
    trip.go(f"/terms/{term.pk}/ranking/")
    trip.follow(_label("Publish the ranking"))
    trip.submit(_label("Publish the ranking"))
    snapshot = RankingSnapshot.objects.get(term=term)
    term.refresh_from_db()
    assert term.state == TermState.RANKED
    ranks = {row["unit"]: (row["rank"], Decimal(row["total"])) for row in snapshot.rows}
    assert ranks == {
        NAMES[CHAIR]: (1, Decimal(98)),
        NAMES[DEPUTY]: (2, Decimal(95)),
        NAMES[MEMBER]: (3, Decimal(80)),
    }
    # The public page, without a login.
    trip.as_user(None)
    trip.go(f"/public/rankings/{term.pk}/")
    expect(trip.page.locator("main")).to_contain_text(NAMES[CHAIR])


def _nomination_vote(trip, term):
    trip.as_user(CHAIR)
    trip.go(f"/terms/{term.pk}/")
    trip.follow(_label("Open the nomination vote"))
    candidates = trip.page.locator("input[name=candidates]:checked")
    expect(candidates).to_have_count(1)  # the first rank, one seat for 3 members
    trip.submit(_label("Open the vote"))
    vote = Vote.objects.get(term=term, kind="nomination")
    for username in (CHAIR, DEPUTY, MEMBER):
        if username != CHAIR:
            trip.as_user(username)
            trip.go(f"/votes/{vote.pk}/")
        trip.follow(_label("Cast your unit's ballot"))
        trip.page.get_by_label(NAMES[CHAIR], exact=True).check()
        trip.submit(_label("Cast the ballot"))
        expect(trip.page.locator(".alert-success")).to_have_count(1)
    trip.as_user(CHAIR)
    trip.go(f"/votes/{vote.pk}/")
    trip.submit(_label("Close the vote"))
    vote.refresh_from_db()
    assert not vote.is_open
    expect(trip.page.locator("main")).to_contain_text(_label("Nominated"))
    return vote


def _proposal_and_decision(trip, term):
    chair = _unit(CHAIR)
    trip.as_user(CHAIR)
    trip.go(f"/terms/{term.pk}/")
    trip.follow(_label("Draft a proposal"))
    trip.page.fill("#id_number", "05/TTr-CTĐ")
    trip.page.fill(
        "#id_summary", "Cụm thống nhất suy tôn Phường Vị Tân dẫn đầu phong trào."
    )
    # "Fill in the nominees chosen by the nomination vote" is ticked: the
    # vote's flag winner is proposed for the flag.
    expect(trip.page.locator("#id_prefill")).to_be_checked()
    trip.submit(_label("Save"))
    proposal = Proposal.objects.get(term=term)
    nominee = proposal.nominees.get()
    assert (nominee.unit, nominee.award_form.name) == (chair, FLAG)
    trip.submit(_label("Send to the authority"))
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED

    trip.as_user("noivu")
    trip.go(f"/awards/proposals/{proposal.pk}/")
    trip.submit(_label("Receive"))
    trip.submit(_label("Mark as appraised"))
    trip.follow(_label("Record the decision"))
    trip.page.fill("#id_number", "125")
    trip.page.fill("#id_signer_name", "Trần Văn Huyến")
    trip.submit(_label("Record the decision"))
    decision = Decision.objects.get(proposals=proposal)
    assert trip.page.url.endswith(f"/awards/decisions/{decision.pk}/")
    grant = Grant.objects.get(decision=decision)
    assert (grant.unit, grant.award_form.name) == (chair, FLAG)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DECIDED


def _rollover_and_handover(trip, term):
    next_year = term.year + 1
    trip.as_user("admin")
    trip.go(f"/terms/{term.pk}/")
    next_label = _label("Year %(year)s", year=next_year)
    trip.follow(_label("Open the next year (%(label)s)", label=next_label))
    # deputy_succeeds: Vị Thủy chairs next year, the next in order deputises.
    assert trip.page.locator("#id_chair option:checked").inner_text() == NAMES[DEPUTY]
    assert trip.page.locator("#id_deputy option:checked").inner_text() == NAMES[MEMBER]
    trip.submit(_label("Open the next year (%(label)s)", label=next_label))
    following = Term.objects.get(cluster=term.cluster, year=next_year)
    assert trip.page.url.endswith(f"/terms/{following.pk}/")
    assert following.chair == _unit(DEPUTY)
    # The pledge was carried over as next year's draft.
    assert Pledge.objects.get(term=following).state == PledgeState.DRAFT

    trip.as_user(CHAIR)
    trip.go(f"/terms/{term.pk}/")
    trip.follow(_label("Chair handover"))
    expect(trip.page.locator(".badge.text-bg-danger")).to_have_count(0)
    trip.page.fill("#id_date", f"15/01/{next_year}")
    trip.page.fill("#id_place", "Phường Vị Tân")
    trip.submit(_label("Record the handover"))
    term.refresh_from_db()
    assert term.state == TermState.CLOSED
    handover = term.handover_out
    assert (handover.from_unit, handover.to_unit) == (_unit(CHAIR), _unit(DEPUTY))
    # Chair powers followed the chair: Vị Tân no longer chairs next year.
    trip.go(f"/terms/{following.pk}/")
    expect(trip.page.locator(".alert-info")).to_have_count(0)


def test_fresh_cluster_walks_a_whole_year_in_the_browser(fresh_cluster, journey):
    term = _admin_opens_the_year(journey, fresh_cluster)
    pledge = _chair_drafts_the_pledge(journey, term)
    _members_set_targets_and_sign(journey, term, pledge)

    journey.as_user("admin")
    journey.move_term(term, TermState.IN_PROGRESS)
    journey.move_term(term, TermState.REPORTING)
    for username in (CHAIR, DEPUTY, MEMBER):
        _member_reports(journey, term, pledge, username)
    _chair_returns_member_fixes_chair_accepts(journey, term, pledge)

    journey.as_user("admin")
    journey.move_term(term, TermState.SCORING)
    _peers_score(journey, term, pledge)
    journey.as_user("admin")
    journey.move_term(term, TermState.REPLY)
    _member_objects_chair_answers(journey, term, pledge)
    _staff_publish_the_ranking(journey, term)

    journey.as_user("admin")
    journey.move_term(term, TermState.VOTING)
    _nomination_vote(journey, term)
    journey.as_user("admin")
    journey.move_term(term, TermState.PROPOSING)
    _proposal_and_decision(journey, term)
    journey.as_user("admin")
    journey.move_term(term, TermState.DECIDED)
    _rollover_and_handover(journey, term)

    assert len(journey.checked) >= 60


def _switch_to_english(trip):
    form = trip.page.locator("form:has(select[name=language])")
    form.locator("select[name=language]").select_option("en")
    with trip.page.expect_navigation():
        form.locator("[type=submit]").click()
    assert trip.page.locator("html").get_attribute("lang") == "en"
    trip.check()


def test_member_reads_pledge_report_and_ranking_in_english(journey):
    """The demo's district cluster in English, switched with the page's language
    form: Vị Thanh's officer reads the 2024 pledge and targets, saves a section of
    its 2024 report and reads the published 2023 ranking; the staff read the
    draft ranking, the dashboard and the public page. Every page axe clean."""
    en = {"language": "en"}
    term = Term.objects.get(cluster__is_sample=False, year=2024)
    last_year = Term.objects.get(cluster__is_sample=False, year=2023)
    unit = Unit.objects.get(name="Thành phố Vị Thanh")
    # A report not started yet, whatever the demo prepared.
    Report.objects.filter(term=term, unit=unit).delete()
    assert RankingSnapshot.objects.filter(term=last_year).exists()

    journey.as_user("vithanh")
    _switch_to_english(journey)
    journey.go(f"/terms/{term.pk}/")
    journey.follow(_label("Pledge", **en))
    expect(journey.page.locator("main")).to_contain_text(_label("Signatures", **en))
    journey.follow(_label("Targets of every member", **en))
    expect(journey.page.locator("h1")).to_have_text(
        _label("Targets of every member", **en)
    )
    journey.go(f"/terms/{term.pk}/reports/{unit.pk}/")
    page = journey.page
    expect(page.locator("#h-indicators")).to_have_text(
        _label("1. Indicator results", **en)
    )
    page.fill("#id_summary", "Vi Thanh met its targets for the year.")
    _save_section(journey, "summary")
    expect(page.locator("#sec-summary .alert-success")).to_have_text(
        _label("The section was saved.", **en)
    )
    journey.check()
    assert Report.objects.get(term=term, unit=unit).summary == (
        "Vi Thanh met its targets for the year."
    )
    journey.go(f"/terms/{last_year.pk}/ranking/")
    expect(page.locator("h1")).to_contain_text(
        _label(
            "Ranking, %(label)s",
            label=_label("Year %(year)s", year=2023, **en).lower(),
            **en,
        )
    )
    expect(page.locator("#published-heading")).to_have_text(
        _label("Published ranking", **en)
    )
    expect(page.locator("main")).to_contain_text(unit.name)
    journey.go(f"/terms/{last_year.pk}/ranking/{unit.pk}/")

    journey.as_user("noivu")  # another browser: no language cookie
    page = journey.page
    assert page.locator("html").get_attribute("lang") == "vi"
    _switch_to_english(journey)
    journey.go(f"/terms/{term.pk}/ranking/")
    expect(
        page.get_by_role("link", name=_label("Publish the ranking", **en))
    ).to_be_visible()
    journey.go("/dashboard/?year=2024")
    journey.go(f"/public/rankings/{last_year.pk}/")
    assert page.locator("html").get_attribute("lang") == "en"
