"""`{% form_token %}`: the hidden one-time token of a state-changing form (see
`clusters.idempotency`). A built-in tag (settings TEMPLATES "builtins"), so
every template can use it without `{% load %}`; put it next to
`{% csrf_token %}`."""

from django import template
from django.utils.html import format_html

from ..idempotency import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token():
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
