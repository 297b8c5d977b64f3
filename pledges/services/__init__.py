"""Every write of the pledges app: the pledge (drafting, targets, signing,
amendments) and the members' reports (saving, submitting, reviewing)."""

from .pledge import *  # noqa: F403
from .reports import *  # noqa: F403
from .scores import *  # noqa: F403
