"""The test harness itself (tests/conftest.py): xdist groups, hypothesis profiles,
the fuzz marker."""

import os
from types import SimpleNamespace

import pytest
from _pytest.nodeid import NodeId
from hypothesis import settings

from tests import conftest
from tests.conftest import _group_node_ids
from tests.helpers import fuzz_form


class _Item:
    def __init__(self, nodeid, groups):
        self._id = NodeId.parse(nodeid)
        self._groups = groups

    @property
    def nodeid(self):
        return str(self._id)

    def iter_markers(self, name):
        assert name == "xdist_group"
        return [pytest.mark.xdist_group(group).mark for group in self._groups]


def test_grouped_tests_carry_their_group_in_the_node_id():
    grouped = _Item("tests/browser/test_smoke.py::test_login[admin]", ["browser"])
    done = _Item("tests/test_demo_db.py::test_x@demo_db", ["demo_db"])
    alone = _Item("tests/test_formats.py::test_y", [])
    _group_node_ids([grouped, done, alone])
    assert grouped.nodeid == "tests/browser/test_smoke.py::test_login[admin]@browser"
    assert done.nodeid == "tests/test_demo_db.py::test_x@demo_db"
    assert alone.nodeid == "tests/test_formats.py::test_y"


def test_the_hypothesis_profile_comes_from_the_environment():
    expected = {"ci": 50, "fuzz": 200}[os.environ.get("HYPOTHESIS_PROFILE", "ci")]
    assert settings.default.max_examples == expected


class _Collected:
    def __init__(self, name, markers=(), fixturenames=()):
        self.name = name
        self.fixturenames = list(fixturenames)
        self.markers = [pytest.mark.browser.mark] if "browser" in markers else []

    def add_marker(self, marker):
        self.markers.append(marker.mark)

    def get_closest_marker(self, name):
        return next((m for m in self.markers if m.name == name), None)


def test_hostile_input_tests_are_marked_fuzz_and_demo_tests_demo():
    """Browser tests are not grouped (each xdist worker runs its share with its
    own Chromium), are rerun once when they fail and start first; tests using
    the demo, and tests without a database, are marked for .ci/run's
    selection."""
    fuzz = _Collected(
        "test_form_survives_hostile_input[unit_edit]", fixturenames=["db"]
    )
    browser = _Collected(
        "test_login", markers=["browser"], fixturenames=["live_server"]
    )
    browser.nodeid = "tests/browser/test_smoke.py::test_login"
    demo = _Collected("test_demo_totals", fixturenames=["demo_db", "db"])
    plain = _Collected(
        "test_submit_refuses_report_with_missing_results", fixturenames=["db"]
    )
    pure = _Collected("test_points_for_a_rule")
    config = SimpleNamespace(option=SimpleNamespace())  # not under xdist
    items = [fuzz, demo, plain, pure, browser]
    hook = conftest.pytest_collection_modifyitems(config, items)
    next(hook)
    with pytest.raises(StopIteration):
        hook.send(None)
    assert [m.name for m in fuzz.markers] == ["fuzz"]
    assert [(m.name, m.kwargs) for m in browser.markers] == [
        ("browser", {}),
        ("flaky", {"reruns": 1}),
    ]
    assert [m.name for m in demo.markers] == ["demo"]
    assert plain.markers == []
    assert [m.name for m in pure.markers] == ["nodb"]
    assert items[0] is browser


def test_fuzz_form_refuses_a_test_the_fuzz_marker_would_miss(client):
    with pytest.raises(AssertionError, match="hostile_input"):
        fuzz_form(client, "/", fields=["q"], method="get")
