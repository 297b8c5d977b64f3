"""`{% points_bar c %}`: the bar and the text of a criterion's (or a subtotal's)
points out of its maximum, as the report entry shows them beside every group
and in its totals, about 150 times a page: a tag, not an included template,
which cost a sixth of the page's rendering."""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext

from core.formatting import format_number

register = template.Library()


@register.simple_tag
def points_bar(c):
    """`c.tally` (None: not computed) of `c.max_points`, with a bar `c.bar`
    percent long."""
    if c.tally is None:
        tally = format_html('<span aria-label="{}">—</span>', gettext("not computed"))
    else:
        tally = format_number(c.tally, 2)
    return format_html(
        '<svg class="points-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false"><rect class="points-bar-track" '
        'width="100" height="10"></rect><rect class="points-bar-fill" width="{}" '
        'height="10"></rect></svg> <span class="points-text">{} / {}</span>',
        localize(c.bar, use_l10n=False),
        tally,
        gettext("%(points)s points") % {"points": format_number(c.max_points)},
    )
