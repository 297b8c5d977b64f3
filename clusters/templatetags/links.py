"""`{% can_open "url_name" obj… as flag %}`: show a link only when its target
would answer the viewer, by the predicate its view checks (clusters.links)."""

from django import template

from clusters import links

register = template.Library()


@register.simple_tag(takes_context=True)
def can_open(context, url_name, *args):
    user = context.get("user") or context["request"].user
    return links.can_open(user, url_name, *args)
