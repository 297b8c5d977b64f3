"""HTTP only, by page family: `votes` (secret ballots)."""

from .votes import *  # noqa: F403
