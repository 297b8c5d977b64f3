"""The one exception a service raises to refuse an operation."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation; the message is for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
