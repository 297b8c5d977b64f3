"""Read-only admin for votes: every change goes through the services.

The tallies of the ballots are not registered: they are read only through the
results."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AwardForm,
    BaseSalary,
    Decision,
    ExternalDecision,
    Grant,
    Nominee,
    Proposal,
    Vote,
    VoteOption,
    VoteParticipation,
    VoteQuestion,
)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "term", "kind", "state", "opened_at", "closed_at")
    list_filter = ("kind", "state")


@admin.register(VoteQuestion)
class VoteQuestionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "vote", "code", "max_choices")


@admin.register(VoteOption)
class VoteOptionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("unit", "question")


@admin.register(VoteParticipation)
class VoteParticipationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("vote", "unit", "cast_by", "cast_at")


# Catalogue: editable (superusers; authority admins use the app's pages).
@admin.register(AwardForm)
class AwardFormAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "authority",
        "level",
        "recipient_kind",
        "multiplier",
        "ranking_bonus",
        "is_active",
    )
    list_filter = ("authority", "level", "recipient_kind", "is_active")
    search_fields = ("name", "code", "legal_source")
    readonly_fields = ("authority", "code")


@admin.register(BaseSalary)
class BaseSalaryAdmin(SimpleHistoryAdmin):
    list_display = ("authority", "amount", "effective_from", "legal_source")
    list_filter = ("authority",)


# Proposals, decisions and grants change through the services only.
@admin.register(Proposal)
class ProposalAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "authority", "term", "year", "state")
    list_filter = ("state", "year")


@admin.register(Nominee)
class NomineeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "proposal", "award_form", "outcome")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("number_display", "authority", "date", "subject")
    list_filter = ("year",)


@admin.register(ExternalDecision)
class ExternalDecisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("number", "issuer", "authority", "date", "is_sample")
    list_filter = ("is_sample",)


@admin.register(Grant)
class GrantAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "recipient_name",
        "award_form",
        "year",
        "amount",
        "decision",
        "external",
    )
    list_filter = ("year",)
    search_fields = ("search_text",)
