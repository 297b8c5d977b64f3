from .pledge import *  # noqa: F403
from .reminders import *  # noqa: F403
from .reports import *  # noqa: F403
from .scores import *  # noqa: F403
from .summary import *  # noqa: F403
