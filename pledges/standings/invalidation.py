"""The pledges app's rows that feed a term's derived values, and how to find
their term (`clusters.versions.watch`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from clusters.versions import watch

from ..models import (
    CommendationFigure,
    Criterion,
    DeadlineExtension,
    Evidence,
    Indicator,
    IndicatorResult,
    Objection,
    Pledge,
    PledgeVersion,
    RankingSnapshot,
    ReplyWaiver,
    Report,
    ReportAbsence,
    ReviewItem,
    Score,
    Section,
    SelfScore,
    Signature,
    Subsection,
    Target,
)


def _own_term(row: Any) -> list[int]:
    return [row.term_id]


def _loaded(row: Model, name: str) -> Any:
    """The related object `name` of `row` when already loaded, else None."""
    return row._state.fields_cache.get(name)


def _term_of_pledge(row: Any) -> Iterable[int]:
    pledge = _loaded(row, "pledge")
    if pledge is not None:
        return [pledge.term_id]
    return Pledge.objects.filter(pk=row.pledge_id).values_list("term_id", flat=True)


def _term_of_report(row: Any) -> Iterable[int]:
    report = _loaded(row, "report")
    if report is not None:
        return [report.term_id]
    return Report.objects.filter(pk=row.report_id).values_list("term_id", flat=True)


def connect() -> None:
    model: type[Model]
    for model in (
        Pledge,
        Report,
        RankingSnapshot,
        ReplyWaiver,
        ReportAbsence,
        DeadlineExtension,
    ):
        watch(model, _own_term)
    for model in (Section, Subsection, Criterion, Indicator, PledgeVersion):
        watch(model, _term_of_pledge)
    watch(
        Target,
        lambda t: Indicator.objects.filter(pk=t.indicator_id).values_list(
            "pledge__term_id", flat=True
        ),
    )
    watch(
        Signature,
        lambda s: PledgeVersion.objects.filter(pk=s.version_id).values_list(
            "pledge__term_id", flat=True
        ),
    )
    for model in (
        IndicatorResult,
        SelfScore,
        Score,
        Objection,
        Evidence,
        ReviewItem,
        CommendationFigure,
    ):
        watch(model, _term_of_report)
