from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Award forms, votes, proposals, decisions and grants."""

    name = "awards"
    verbose_name = _("Awards")

    def ready(self):
        from clusters.models import TermState
        from clusters.services import TRANSITION_GUARDS

        from . import links
        from .selectors.votes import open_nomination_refusal

        links.register()

        # Proposals rest on the nomination vote: no moving on while it is open.
        TRANSITION_GUARDS.setdefault(TermState.PROPOSING, []).append(
            open_nomination_refusal
        )

        from .selectors.proposals import open_proposals_refusal

        # The year's awards are decided once each proposal is decided or rejected.
        TRANSITION_GUARDS.setdefault(TermState.DECIDED, []).append(
            open_proposals_refusal
        )
