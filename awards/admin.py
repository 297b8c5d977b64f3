"""Read-only admin for votes: every change goes through the services.

Ballots and their marks are not registered: they are read only as tallies."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Vote, VoteOption, VoteParticipation, VoteQuestion


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
