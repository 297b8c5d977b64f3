"""Panels that higher apps add to the pages of the clusters app.

Apps depend one way (clusters ← pledges ← campaigns ← awards): the term page
shows the votes and award proposals of the year, the unit page its award
history and the home page the campaigns, without importing those apps. Each
app registers its panels in `AppConfig.ready`:

    panels.register("term", "votes", votes_panel, order=10)

A panel is `panel(request, obj) -> (template name, context) or None` (None: it
has nothing to show this viewer). `render(slot, request, obj)` renders the
panels of a slot in order, each with its own context plus `request`, `user`
and CSRF, for the page to include as they are."""

from dataclasses import dataclass

from django.template.loader import render_to_string

# Slots: the page a panel belongs to, and what `obj` is there.
TERM = "term"  # clusters/term_detail.html, obj: the Term
UNIT = "unit"  # clusters/unit_detail.html, obj: the Unit
HOME = "home"  # clusters/home.html, obj: None

_PANELS = {}


@dataclass(frozen=True)
class Panel:
    order: int
    key: str
    build: object


def register(slot, key, build, *, order=100):
    """Add (or replace, by `key`) a panel of `slot`."""
    panels = [panel for panel in _PANELS.get(slot, []) if panel.key != key]
    panels.append(Panel(order, key, build))
    panels.sort(key=lambda panel: (panel.order, panel.key))
    _PANELS[slot] = panels


def render(slot, request, obj=None):
    """The HTML of every panel of `slot` that has something for this viewer."""
    html = []
    for panel in _PANELS.get(slot, []):
        built = panel.build(request, obj)
        if built is None:
            continue
        template_name, context = built
        html.append(render_to_string(template_name, context, request=request))
    return html
