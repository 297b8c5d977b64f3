"""Show on pledge pages which criteria count campaigns: the page's view passes
`campaign_rules` ({criterion id: CampaignRule}, `pledges.criterion_rules`,
read once per page), and the template looks up `campaign_rules|rule_for:c.pk`."""

from django import template

register = template.Library()


@register.filter
def rule_for(rules, criterion_id):
    """The rule of `criterion_id` in `rules`, or None."""
    return rules.get(criterion_id) if rules else None
