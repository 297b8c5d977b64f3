"""Show on pledge pages which criteria count campaigns: `{% campaign_rules_of
term as rules %}` once per page (1 query), then `rules|rule_for:c.pk`."""

from django import template

from campaigns.selectors import rules_of_term

register = template.Library()


@register.simple_tag
def campaign_rules_of(term):
    """{criterion id: CampaignRule} of the term's pledge."""
    return rules_of_term(term) if term is not None else {}


@register.filter
def rule_for(rules, criterion_id):
    """The rule of `criterion_id` in `rules`, or None."""
    return rules.get(criterion_id) if rules else None
