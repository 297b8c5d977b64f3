"""Per-term summary rows of the province dashboard (pledges.dashboard)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clusters.models import Term

__all__ = ["TermSummary"]


class TermSummary(models.Model):
    """What the province dashboard shows of one term, stored so that the
    dashboard never counts reports or decodes published rankings at read
    time: members, reports by state, peer scores given, and of the latest
    published ranking its version, leaders and members by classification band.

    Derived data: `version` is the term's data version (clusters.versions,
    ``term:<id>``) the counts were taken at and `published_number` the ranking
    version the bands come from; a row whose term has moved on is recomputed
    by the next dashboard read (pledges.dashboard.refresh)."""

    term = models.OneToOneField(
        Term,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="summary",
        verbose_name=_("term"),
    )
    version = models.BigIntegerField(default=-1)
    members = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    draft = models.PositiveIntegerField(default=0)
    peer_scores = models.PositiveIntegerField(default=0)
    published_number = models.PositiveSmallIntegerField(null=True, blank=True)
    leaders = models.JSONField(default=list)
    bands = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("term summary")
        verbose_name_plural = _("term summaries")

    def __str__(self):
        return f"{self.term_id} v{self.version}"
