"""A double click on the pledges forms acts once (one-time form tokens,
clusters.idempotency): report submission, evidence upload, publication."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import Term, TermState
from pledges import services
from pledges.models import Evidence, RankingSnapshot, Report, ReportState
from tests.once import assert_same_result, page_token, post_twice
from tests.pledges.test_ranking_views import reported  # noqa: F401
from tests.pledges.test_report_views import (
    PDF,
    _codes,
    _fill_everything,
    _url,
    _version,
    reporting,  # noqa: F401
)


def test_submit_a_report_twice_with_one_token_submits_once(world, login, reporting):  # noqa: F811
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    token = page_token(client, _url(world))
    version = _version(world)
    first, second = post_twice(
        client, _url(world), lambda: {"action": "submit", "version": version}, token
    )
    assert_same_result(first, second)
    report = Report.objects.get(term=world.term, unit=world.unit_a)
    assert report.state == ReportState.SUBMITTED
    states = list(report.history.order_by("history_id").values_list("state", flat=True))
    assert states.count(ReportState.SUBMITTED) == 1


def test_upload_evidence_twice_with_one_token_stores_one(world, login, reporting):  # noqa: F811
    _ind, crit = _codes(reporting)
    client = login(world.users["officer"])
    token = page_token(client, _url(world))

    def data():
        return {
            "criterion": crit["II.1"].pk,
            "file": SimpleUploadedFile("ke-hoach.pdf", PDF),
        }

    first, second = post_twice(client, _url(world, "evidence_upload"), data, token)
    assert_same_result(first, second)
    assert Evidence.objects.count() == 1


def test_publish_twice_with_one_token_publishes_once(world, login, reported):  # noqa: F811
    Term.objects.filter(pk=world.term.pk).update(
        state=TermState.REPLY, reply_deadline=datetime.date(2025, 1, 10)
    )
    Report.objects.update(state=ReportState.ACCEPTED)
    services.report_absence_record(
        term=world.term,
        unit=world.unit_deputy,
        reason="Không nộp",
        actor=world.users["staff"],
    )
    client = login(world.users["staff"])
    url = reverse("ranking_publish", args=[world.term.pk])
    token = page_token(client, url)
    first, second = post_twice(
        client, url, lambda: {"action": "publish", "expected": "0"}, token
    )
    assert_same_result(first, second)
    assert RankingSnapshot.objects.filter(term=world.term).count() == 1
