"""Every write of the awards app, by family: `votes` (secret ballots)."""

from .votes import *  # noqa: F403
