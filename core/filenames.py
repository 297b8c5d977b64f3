"""Names of downloaded files: plain ASCII that every mail client, archive tool
and operating system keeps intact, read the way the Vietnamese title reads."""

from __future__ import annotations

from django.utils.text import slugify

# Letters that Unicode does not decompose into a base letter and a mark, so
# slugify would drop them: "đợt" would become "ot".
_SPELLED = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def slug(text: object, max_length: int = 60) -> str:
    """“Tổng kết đợt thi đua Đồng Khởi” → "tong-ket-dot-thi-dua-dong-khoi": diacritics
    dropped, đ written d, lower case, words joined by hyphens, cut at a word
    boundary to at most `max_length` characters ("" when nothing is left)."""
    text = slugify(str(text).translate(_SPELLED))
    if len(text) <= max_length:
        return text
    cut = text[: max_length + 1]
    return cut[: cut.rfind("-")] if "-" in cut else text[:max_length]


def download_filename(*parts: object, extension: str) -> str:
    """The name of a download from its parts, each turned into a slug and joined
    by hyphens, empty parts left out: ("Tổng kết", "Đợt 1", 2024) and "docx" →
    "tong-ket-dot-1-2024.docx"."""
    words = [slug(part) for part in parts if part is not None]
    stem = "-".join(word for word in words if word)
    return f"{stem}.{extension}"
