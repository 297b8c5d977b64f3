"""Reads of the awards app, by family: `votes` (secret ballots), `eligibility`
(prerequisite and quota checks), `proposals`, `registry` (grants, decisions,
ranking bonus, statistics)."""

from .eligibility import *  # noqa: F403
from .proposals import *  # noqa: F403
from .registry import *  # noqa: F403
from .votes import *  # noqa: F403
