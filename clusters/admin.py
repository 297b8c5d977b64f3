from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Authority,
    Cluster,
    Handover,
    Membership,
    RotationSlot,
    SecurityEvent,
    Term,
    Unit,
    User,
)
from .services import AUTHORITY_SETUP

for model in (Unit, Cluster, RotationSlot, Term, Membership, Handover):
    admin.site.register(model, SimpleHistoryAdmin)


@admin.register(Authority)
class AuthorityAdmin(SimpleHistoryAdmin):
    """The level (province, centrally governed city, ministry) sets the wording
    of documents and pages, so it is edited beside the name and place."""

    fields = ("name", "short_name", "level", "place_name")
    list_display = ("name", "level", "place_name")
    list_filter = ("level",)

    def save_model(self, request, obj, form, change):
        """A new authority gets what every app sets up for one (the award
        catalogue: `clusters.services.AUTHORITY_SETUP`)."""
        super().save_model(request, obj, form, change)
        if not change:
            for setup in AUTHORITY_SETUP:
                setup(obj, request.user)


@admin.register(User)
class AppUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Cluster", {"fields": ("authority", "unit", "role", "full_name", "position")}),
    )
    list_display = ("username", "full_name", "authority", "unit", "role", "is_active")


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "username", "ip_address", "path")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
