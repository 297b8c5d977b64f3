from django import template

from core.formatting import format_number

register = template.Library()


@register.filter
def number(value, places=None):
    """A number grouped in the active language without trailing zeros."""
    return format_number(value, None if places is None else int(places))
