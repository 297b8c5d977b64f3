from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    """Pledges, criteria, indicators, targets, campaigns, reports and scores."""

    name = "pledges"
    verbose_name = _("Pledges and results")

    def ready(self):
        from . import services  # noqa: F401  (connects the rollover receiver)
