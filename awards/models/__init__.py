from .votes import *  # noqa: F403
