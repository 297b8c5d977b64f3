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
        from .standings import invalidation

        links.register()
        invalidation.connect()
        from clusters import todo as clusters_todo

        from . import todo

        clusters_todo.register(todo.provider)
        from clusters.selectors import LEADERS

        from .selectors import pledge_not_in_force, ranking_leaders

        if ranking_leaders not in LEADERS:
            LEADERS.append(ranking_leaders)

        TRANSITION_GUARDS.setdefault(TermState.IN_PROGRESS, []).append(
            pledge_not_in_force
        )
        # A term is ranked by publishing its ranking, never by a bare move.
        TRANSITION_GUARDS.setdefault(TermState.RANKED, []).append(
            services.ranking_unpublished
        )
