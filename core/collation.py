"""Vietnamese alphabetical order.

Sorting by code point puts “Thới An Đông” before “Tân An” (ớ sorts after every
ASCII letter) and “Đ” after “Z”. `vi_key` sorts first on the letters without
diacritics (đ read as d), then breaks ties on the Vietnamese alphabet
(a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y) and last on the
tones (none, huyền, hỏi, ngã, sắc, nặng), as dictionaries do."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from django.db.models import Model, QuerySet
from django.forms.models import ModelChoiceIterator

ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
# Marks that make a letter of the alphabet (breve, circumflex, horn) and tones.
LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letters(text: str) -> list[tuple[str, int]]:
    """(letter, tone) for every character of `text`, casefolded: the letter
    with its alphabet marks composed, the tone as its rank (0 for none)."""
    out = []
    for char in unicodedata.normalize("NFC", text.casefold()):
        parts = unicodedata.normalize("NFD", char)
        base, marks = parts[0], parts[1:]
        tone = max((TONES.get(m, 0) for m in marks), default=0)
        letter = unicodedata.normalize(
            "NFC", base + "".join(m for m in marks if m in LETTER_MARKS)
        )
        out.append((letter, tone))
    return out


def _plain(letter: str) -> str:
    if letter == "đ":
        return "d"
    return "".join(
        c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c)
    )


def vi_key(text: str) -> tuple[str, str, str]:
    """The sort key of `text` in Vietnamese alphabetical order: its letters
    without diacritics (đ read as d), then its letters' places in the
    Vietnamese alphabet (letters outside it after, by code point), then its
    tones — three strings, compared in that order as a dictionary does."""
    return _vi_key(str(text or ""))


@lru_cache(maxsize=8192)
def _vi_key(text: str) -> tuple[str, str, str]:
    """`vi_key`, remembered: lists sort the same names again and again (4,400
    units of one province took 88 ms to sort, most of it making their keys).
    A few MB at most."""
    letters = _letters(text)
    primary = "".join(_plain(letter) for letter, _tone in letters)
    secondary = "".join(
        chr(0x20 + ALPHABET.index(letter))
        if letter in ALPHABET
        else chr(min(0x100 + ord(letter[0]), 0x10FFFF))
        for letter, _tone in letters
    )
    tertiary = "".join(str(tone) for _letter, tone in letters)
    return (primary, secondary, tertiary)


def vi_sorted[T](
    items: Iterable[T], key: Callable[[Any], str] = lambda item: item.name
) -> list[T]:
    """`items` as a list in Vietnamese order of `key(item)` (a unit's name by
    default)."""
    return sorted(items, key=lambda item: vi_key(key(item)))


class VietnameseOrderedRows[M: Model]:
    """The rows of `queryset` in Vietnamese order of their `field`, for a
    paginator: the order comes from (pk, field) pairs, and rows are read as
    objects only for the slice asked for (a page of 50 among 4,400 units)."""

    def __init__(self, queryset: QuerySet[M], field: str = "name") -> None:
        pairs = queryset.order_by().values_list("pk", field)
        self.queryset = queryset
        self.pks = [pk for pk, text in sorted(pairs, key=lambda p: vi_key(p[1]))]

    def __len__(self) -> int:
        return len(self.pks)

    def __getitem__(self, index: slice) -> list[M]:
        pks = self.pks[index]
        rows = self.queryset.in_bulk(pks)
        return [rows[pk] for pk in pks]

    def __iter__(self) -> Iterator[M]:
        return iter(self[:])


class VietnameseOrderIterator(ModelChoiceIterator):
    """The choices of a ModelChoiceField in Vietnamese order of their labels
    (set as the field's `iterator`); validation still uses the queryset."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = [(self.field.label_from_instance(obj), obj) for obj in self.queryset]
        for _label, obj in sorted(rows, key=lambda row: vi_key(row[0])):
            yield self.choice(obj)
