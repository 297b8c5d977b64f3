"""Helpers for the one-time form token tests (clusters.idempotency)."""

import re

from clusters.idempotency import FIELD

TOKEN = re.compile(r'name="form_token" value="([A-Za-z0-9_-]+)"')


def page_token(client, url):
    """The one-time token of the (first) POST form on the page at `url`."""
    html = client.get(url).content.decode()
    match = TOKEN.search(html)
    assert match, f"no one-time form token on {url}"
    return match.group(1)


def post_twice(client, url, data, token):
    """POST the same form twice with `token`, as a double click does. `data` is
    a callable giving the fields (fresh file objects for uploads)."""
    first = client.post(url, {**data(), FIELD: token})
    second = client.post(url, {**data(), FIELD: token})
    return first, second


def assert_same_result(first, second):
    """The repeat is sent where the first POST went, acting nothing."""
    assert first.status_code == 302, first.content[:500]
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
