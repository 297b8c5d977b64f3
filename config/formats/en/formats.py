"""English UI with the Vietnamese day-first dates the data is kept in."""

from config.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
