from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    """Pledges, criteria, indicators, targets, campaigns, reports and scores."""

    name = "pledges"
    verbose_name = _("Pledges and results")

    def ready(self):
        from clusters.models import TermState
        from clusters.services import TRANSITION_GUARDS

        from . import links, services  # services: connects the rollover receiver

        links.register()
        from .selectors import pledge_not_in_force

        TRANSITION_GUARDS.setdefault(TermState.IN_PROGRESS, []).append(
            pledge_not_in_force
        )
        # A term is ranked by publishing its ranking, never by a bare move.
        TRANSITION_GUARDS.setdefault(TermState.RANKED, []).append(
            services.ranking_unpublished
        )
