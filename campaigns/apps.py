from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Emulation campaigns launched by the authority, the units' reports on them,
    their mid-term and final reviews, and rules that count them in a pledge."""

    name = "campaigns"
    verbose_name = _("Campaigns")
