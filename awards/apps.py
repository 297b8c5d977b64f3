from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Award forms, votes, proposals, decisions and grants."""

    name = "awards"
    verbose_name = _("Awards")
