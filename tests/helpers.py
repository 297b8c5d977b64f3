"""Test helpers shared by the suites: query counting and form fuzzing."""

import os
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def examples(count):
    """`count` hypothesis examples for a property test that stores its cases,
    or a third of them (at least 2) on PostgreSQL: .ci/run's second pass,
    after the SQLite pass ran them all, checks there what the database stores
    and reads, which every example exercises alike."""
    return count if connection.vendor != "postgresql" else max(2, count // 3)


def count_queries(client, url):
    """GET `url` and return (response, number of SQL queries it ran)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, len(ctx.captured_queries)


def assert_queries_stable(client, url, grow):
    """The page runs the same number of queries before and after `grow()` adds
    data. Returns that number."""
    response, before = count_queries(client, url)
    assert response.status_code == 200, response.status_code
    grow()
    response, after = count_queries(client, url)
    assert response.status_code == 200, response.status_code
    assert after == before, f"{url}: {before} queries with less data, {after} with more"
    return after


FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)


def form_field_names(html):
    """Every field name posted by the page's forms, hidden ones included."""
    names = set(FIELD_NAME.findall(html))
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


def fuzz_form(client, url, *, examples=None, fields=None, method="post"):
    """Send up to `examples` requests to `url` with arbitrary text in every field
    the page shows (or `fields`) and assert that none gives a server error.

    The hypothesis profile (HYPOTHESIS_PROFILE, tests/conftest.py) sets the
    number: 50 in `make test` and CI, 200 in `make fuzz`; `examples` lowers it
    for a slow form. Name the calling test `*_hostile_input*` so that it gets the
    `fuzz` marker."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "")
    assert "hostile_input" in current, (
        f"{current}: name fuzz tests *_hostile_input* (the fuzz marker needs it)"
    )
    profile = settings.default.max_examples
    examples = profile if examples is None else min(examples, profile)
    if fields is None:
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        fields = form_field_names(page.content.decode())
    assert fields, f"{url} shows no form fields"
    text = st.text(max_size=300) | st.sampled_from(
        ["", "0", "-1", "99999999999999999999", "31/02/2024", "2024-13-45", "1.234,5"]
    )

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
        ],
        database=None,
    )
    @given(st.fixed_dictionaries(dict.fromkeys(fields, text)))
    def run(data):
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (response.status_code, data)

    run()
