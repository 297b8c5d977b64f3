from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Emulation campaigns launched by the authority, the units' reports on them,
    their mid-term and final reviews, and rules that count them in a pledge."""

    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from . import contributions

        contributions.register()
        from pledges import criterion_rules

        from .selectors import rules_of_term

        criterion_rules.register(rules_of_term)
        from clusters import panels
        from clusters import todo as clusters_todo

        from . import todo

        clusters_todo.register(todo.provider)
        panels.register(panels.HOME, "campaigns", todo.home_panel, order=200)
