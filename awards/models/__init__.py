from .catalogue import *  # noqa: F403
from .decisions import *  # noqa: F403
from .proposals import *  # noqa: F403
from .votes import *  # noqa: F403
