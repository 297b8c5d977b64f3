"""What the award registry adds to the pledges app's standings
(`pledges.standings`): the ranking bonus of last year's grants
(`selectors.award_bonus`), and which award writes change which terms'
standings. Registered by `AwardsConfig.ready`."""

from clusters.models import Term
from pledges import standings

from .models import AwardForm, Grant
from .selectors import award_bonus


def _terms_of_grant(grant):
    if grant.unit_id is None:
        return []
    return Term.objects.filter(
        cluster__authority_id=grant.authority_id,
        year=grant.year + 1,
        memberships__unit_id=grant.unit_id,
    ).values_list("pk", flat=True)


def _terms_of_form(award_form):
    return (
        Term.objects.filter(
            cluster__authority_id=award_form.authority_id,
            memberships__unit__award_grants__award_form_id=award_form.pk,
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def register():
    standings.register_bonus_lines(award_bonus)
    standings.watch(Grant, _terms_of_grant)
    standings.watch(AwardForm, _terms_of_form)
