from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Award forms, votes, proposals, decisions and grants."""

    name = "awards"
    verbose_name = _("Awards")

    def ready(self):
        from clusters.models import TermState
        from clusters.selectors import CHAIR_ELECTIONS
        from clusters.services import AUTHORITY_SETUP, TRANSITION_GUARDS

        from . import contributions, links
        from .selectors.votes import chair_election_officers, open_nomination_refusal
        from .services.catalogue import catalogue_seed

        links.register()
        contributions.register()
        from clusters import panels
        from clusters import todo as clusters_todo

        from . import todo

        clusters_todo.register(todo.provider)
        panels.register(panels.TERM, "votes", todo.term_votes_panel, order=10)
        panels.register(panels.TERM, "proposals", todo.term_proposals_panel, order=20)
        panels.register(panels.TERM, "summary", todo.term_summary_panel, order=5)
        panels.register(panels.UNIT, "awards", todo.unit_awards_panel, order=10)
        if chair_election_officers not in CHAIR_ELECTIONS:
            CHAIR_ELECTIONS.append(chair_election_officers)
        from clusters.selectors import LEADERS

        from .selectors.registry import flag_leaders

        # The flag winner leads before the published ranking (pledges' source).
        if flag_leaders not in LEADERS:
            LEADERS.insert(0, flag_leaders)
        # Every new authority starts with the award catalogue and base salaries.
        if catalogue_seed not in AUTHORITY_SETUP:
            AUTHORITY_SETUP.append(catalogue_seed)

        # Proposals rest on the nomination vote: no moving on while it is open.
        TRANSITION_GUARDS.setdefault(TermState.PROPOSING, []).append(
            open_nomination_refusal
        )

        from .selectors.proposals import open_proposals_refusal

        # The year's awards are decided once each proposal is decided or rejected.
        TRANSITION_GUARDS.setdefault(TermState.DECIDED, []).append(
            open_proposals_refusal
        )
