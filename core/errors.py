"""The one exception a service raises to refuse an operation."""


class DomainError(Exception):
    """A business rule refused the operation; the message is for the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
