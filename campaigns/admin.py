"""Read-only admin for campaigns: every change goes through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Campaign, CampaignReport, CampaignReview, CampaignRule


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "authority", "kind", "state", "start_date", "end_date")
    list_filter = ("kind", "state", "scope")
    search_fields = ("title", "decision_number")


@admin.register(CampaignReport)
class CampaignReportAdmin(ReadOnlyHistoryAdmin):
    list_display = ("campaign", "unit", "kind", "state", "submitted_at", "late")
    list_filter = ("kind", "state")


@admin.register(CampaignReview)
class CampaignReviewAdmin(ReadOnlyHistoryAdmin):
    list_display = ("campaign", "stage", "held_on", "updated_by")


@admin.register(CampaignRule)
class CampaignRuleAdmin(ReadOnlyHistoryAdmin):
    list_display = ("criterion", "points_per_campaign", "kinds")
