"""How a criterion is counted by other apps, for the pledge pages: a higher
app (campaigns) registers a provider at start-up (`register`, from its
`AppConfig.ready`), and the pledge views pass `rules_of(term)` to their
templates, which show each criterion's rule with the `rule_for` filter
(`campaigns/templatetags/campaign_rules.py`). No template tag queries."""

# Each provider takes a term and returns {criterion id: rule}.
_PROVIDERS = []


def register(provider):
    """Add a provider of criterion rules (idempotent)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def rules_of(term):
    """{criterion id: rule} of `term`'s pledge from every registered provider
    (one read per provider); empty without a term."""
    rules = {}
    if term is None:
        return rules
    for provider in _PROVIDERS:
        rules.update(provider(term))
    return rules
