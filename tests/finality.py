"""A whole year in one term for the finality tests: a signed pledge,
every member's report submitted, peer scores, an objection, an open vote and a
draft proposal; and `term_rows`, a byte-exact dump of every row (history rows
included) that belongs to a term, to prove that a refusal changed nothing."""

import copy
import datetime
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import connection

from awards import services as awards
from awards.models import Proposal
from clusters.models import Term, TermState
from pledges import services
from pledges.models import Objection, Report, ReportState
from tests.pledges.conftest import CONTENT, set_all_targets, sign_all, unit_officer

# The seed pledge without the evidence rule, so reports are submitted without
# uploading files.
YEAR_CONTENT = copy.deepcopy(CONTENT)
for _section in YEAR_CONTENT["sections"]:
    for _criterion in _section["criteria"]:
        _criterion["evidence_required"] = False

# Ways from a row to its term, tried in order for every model of the domain
# apps (their history models included: they keep the same foreign keys).
TERM_PATHS = (
    "term",
    "from_term",
    "pledge__term",
    "report__term",
    "vote__term",
    "proposal__term",
    "version__pledge__term",
    "indicator__pledge__term",
    "criterion__pledge__term",
    "question__vote__term",
    "option__question__vote__term",
    "nominee__proposal__term",
)
DOMAIN_APPS = ("clusters", "pledges", "campaigns", "awards")


def _term_lookups():
    """(model, lookup) for every domain model (history models included) that
    hangs on a term, found once."""
    if not _LOOKUPS:
        for label in DOMAIN_APPS:
            for model in apps.get_app_config(label).get_models():
                if model is Term or model._meta.label == "clusters.HistoricalTerm":
                    _LOOKUPS.append((model, "id"))
                    continue
                for path in TERM_PATHS:
                    try:
                        str(model.objects.filter(**{f"{path}_id": 0}).query)
                    except (FieldError, ValueError):
                        continue
                    _LOOKUPS.append((model, f"{path}_id"))
                    break
    return _LOOKUPS


_LOOKUPS = []


def _term_queries(term_id):
    if term_id not in _QUERIES:
        _QUERIES[term_id] = [
            (
                model._meta.label,
                model.objects.filter(**{lookup: term_id})
                .order_by("pk")
                .values_list()
                .query.sql_with_params(),
            )
            for model, lookup in _term_lookups()
        ]
    return _QUERIES[term_id]


_QUERIES = {}


def term_rows(term):
    """Every row of `term` and of what hangs on it, history included, with all
    its columns in primary-key order: equal strings mean nothing of the term
    changed. The SQL is compiled once per term (the dump runs thousands of
    times in the matrix)."""
    term_id = getattr(term, "pk", term)
    parts = []
    with connection.cursor() as cursor:
        for label, (sql, params) in _term_queries(term_id):
            cursor.execute(sql, params)
            parts.append(f"{label}: {cursor.fetchall()!r}")
    return "\n".join(parts)


def set_state(term, state):
    Term.objects.filter(pk=term.pk).update(state=state)
    term.refresh_from_db()


def build_year(world):
    """Bring `world.term` through a whole year: returns a namespace of the rows
    the finality tests act on. The term is left in `reply`."""
    admin = world.users["admin"]
    term = world.term
    pledge = services.pledge_create(term=term, actor=admin, content=YEAR_CONTENT)
    set_all_targets(pledge, admin)
    services.pledge_open_signing(pledge=pledge, actor=admin)
    sign_all(pledge)
    pledge.refresh_from_db()
    set_state(term, TermState.REPORTING)
    ct = {i.code: i for i in pledge.indicators.all()}
    crit = {c.code: c for c in pledge.criteria.all()}
    reports = {}
    for unit, value in (
        (world.unit_a, 105),
        (world.unit_chair, 100),
        (world.unit_deputy, 80),
    ):
        report = services.report_start(term=term, unit=unit, actor=admin)
        for section, data in (
            ("indicators", {ct["CT1"]: (Decimal(value), ""), ct["CT2"]: (90, "")}),
            ("criteria", {crit["II.1"]: (Decimal(30), "Tự chấm")}),
        ):
            report = services.report_save_section(
                report=report,
                actor=admin,
                version=report.version,
                section=section,
                data=data,
            )
        report = services.report_submit(
            report=report, actor=admin, version=report.version
        )
        reports[unit.pk] = report
    Report.objects.filter(unit__in=[world.unit_chair, world.unit_deputy]).update(
        state=ReportState.ACCEPTED
    )
    set_state(term, TermState.SCORING)
    report_a = Report.objects.select_related("term").get(pk=reports[world.unit_a.pk].pk)
    for scorer in (world.unit_chair, world.unit_deputy):
        services.peer_score_set(
            report=report_a,
            criterion=crit["II.1"],
            scorer_unit=scorer,
            points=Decimal(32),
            comment="",
            actor=unit_officer(scorer),
        )
    set_state(term, TermState.REPLY)
    report_a = Report.objects.select_related("term").get(pk=report_a.pk)
    objection = services.objection_raise(
        report=report_a,
        criterion=crit["II.1"],
        text="Đề nghị xem lại điểm",
        actor=world.users["officer"],
    )
    vote = awards.vote_open(
        term=term,
        kind="nomination",
        title="Bình xét đơn vị dẫn đầu",
        questions=[
            {
                "code": "leading",
                "title": "Đơn vị dẫn đầu",
                "max_choices": 1,
                "units": [world.unit_a, world.unit_chair],
            }
        ],
        actor=admin,
    )
    proposal = Proposal.objects.create(
        authority=world.authority,
        term=term,
        year=term.year,
        title="Tờ trình đề nghị khen thưởng",
        created_by=admin,
    )
    term.refresh_from_db()
    return Year(
        term=term,
        pledge=pledge,
        criteria=crit,
        indicators=ct,
        report_a=report_a,
        objection=Objection.objects.get(pk=objection.pk),
        vote=vote,
        proposal=proposal,
    )


class Year:
    def __init__(self, **rows):
        self.__dict__.update(rows)


TODAY = datetime.date(2024, 12, 1)
