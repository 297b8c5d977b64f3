from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("Emulation clusters")

    def ready(self):
        from django.db.models import fields

        from core import cache

        from . import signals  # noqa: F401

        cache.connect()

        # Django's own label lacks a Vietnamese translation.
        fields.BLANK_CHOICE_LABEL = _("— choose —")
