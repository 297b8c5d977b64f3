"""HTTP only, by page family: `votes` (secret ballots)."""

from .catalogue import *  # noqa: F403
from .proposals import *  # noqa: F403
from .registry import *  # noqa: F403
from .votes import *  # noqa: F403
