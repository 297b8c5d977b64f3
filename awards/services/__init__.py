"""Every write of the awards app, by family: `votes` (secret ballots),
`catalogue` (award forms, base salary), `proposals` (tờ trình and its workflow),
`decisions` (decisions and the registry)."""

from .catalogue import *  # noqa: F403
from .decisions import *  # noqa: F403
from .proposals import *  # noqa: F403
from .votes import *  # noqa: F403
