"""Numbers shown the way people write them in the active language, and whole
numbers read safely from what a client sent."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def format_number(value, places=None):
    """1234567.5 → "1.234.567,5" in Vietnamese: grouped, trailing zeros dropped
    (rounded to `places` first when given); "" for None."""
    if value is None or value == "":
        return ""
    value = Decimal(str(value))
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    value = value.normalize() if value % 1 else int(value)
    return number_format(value, force_grouping=True)


# The largest id every supported database stores (PostgreSQL's integer).
LARGEST_ID = 2**31 - 1


def whole_number(value, largest=LARGEST_ID):
    """The non-negative integer written in ASCII digits in `value`, or None (for
    anything else — "²", "-1", "1e3" — and above `largest`)."""
    text = str(value if value is not None else "")
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= largest else None
