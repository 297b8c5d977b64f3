from django.contrib import admin

from .models import ReminderDelivery


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    """Reminder emails that failed (pledges.tasks): what is waiting for a retry,
    what was given up. Read-only: the retries are the reminders command's."""

    list_display = (
        "recipient",
        "unit",
        "term",
        "state",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("state",)
    list_select_related = ("unit", "term__cluster")
    search_fields = ("recipient", "unit__name")
    date_hierarchy = "last_attempt_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
