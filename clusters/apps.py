from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("Emulation clusters")

    def ready(self):
        from django.db.models import fields

        from . import signals, versions  # noqa: F401

        versions.connect()

        from . import todo

        todo.register(todo.provider)

        # Django's own label lacks a Vietnamese translation.
        fields.BLANK_CHOICE_LABEL = _("— choose —")
