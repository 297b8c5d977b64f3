"""Titles that follow the cluster's kind, for templates:
``{{ m.role|role_title:term }}``, ``{{ term|chair_title }}``."""

from django import template

from clusters import wording

register = template.Library()


@register.filter
def role_title(role, cluster):
    """``{{ membership.role|role_title:term }}`` → “trưởng khối” in a block."""
    return wording.role_title(role, cluster)


@register.filter
def chair_title(cluster):
    return wording.chair_title(cluster)


@register.filter
def deputy_title(cluster):
    return wording.deputy_title(cluster)


@register.filter
def is_block(cluster):
    return wording.is_block(cluster)


@register.filter
def policy_label(cluster):
    """``{{ cluster|policy_label }}``: its rotation policy as its kind says it."""
    return wording.policy_label(cluster.rotation_policy, cluster)
