"""The Vietnamese catalogue is complete, compiled, and no English leaks."""

import functools
import re
from html import unescape
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from tests.test_permission_matrix import MATRIX

LOCALE = Path(__file__).resolve().parent.parent / "locale"
VI_PO = LOCALE / "vi" / "LC_MESSAGES" / "django.po"


def test_vietnamese_catalogue_is_complete():
    po = polib.pofile(str(VI_PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(VI_PO))
    mo = polib.mofile(str(VI_PO.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in po.translated_entries()
    }
    assert compiled == source, "run `make messages` to recompile the catalogue"


def _visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@functools.cache
def _english_phrases():
    """Source phrases that the Vietnamese catalogue translates differently (read
    once per session)."""
    po = polib.pofile(str(VI_PO))
    return tuple(
        e.msgid
        for e in po.translated_entries()
        if e.msgstr != e.msgid
        and "%(" not in e.msgid
        and "{" not in e.msgid
        and (" " in e.msgid or e.msgid in {"Home", "Save", "Cancel", "Units", "Users"})
    )


def _leaks(text):
    """The phrases in `text` as whole words: a plain substring test (fast) picks
    the few candidates, a word-boundary regex confirms them."""
    return [
        phrase
        for phrase in _english_phrases()
        if phrase in text and re.search(rf"\b{re.escape(phrase)}\b", text)
    ]


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_no_english_on_vietnamese_pages(world, login, role):
    client = login(world.users[role])
    for name, (method, kwargs, _data, _statuses) in MATRIX.items():
        if method != "get" or name.startswith("admin:"):
            continue
        response = client.get(reverse(name, kwargs=kwargs(world) if kwargs else None))
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        text = _visible_text(response.content.decode())
        assert _leaks(text) == [], f"{name}: English text in the Vietnamese page"


def test_leak_check_finds_whole_phrases_only():
    phrase = next(p for p in _english_phrases() if p[0].isalpha() and p[-1].isalpha())
    assert phrase in _leaks(f"Trang chủ — {phrase}.")
    assert phrase not in _leaks(f"x{phrase}x")
