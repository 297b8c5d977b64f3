"""Data versions: one counter per scope of derived values (see `core.versions`)."""

from __future__ import annotations

from django.db import models


class DataVersion(models.Model):
    """The version of the data behind one scope of derived values (for example
    one term's standings): raised by one in the transaction of every write
    that changes that data, read into the cache key of every derived value."""

    key = models.CharField(max_length=100, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"
