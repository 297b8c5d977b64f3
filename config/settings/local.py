"""Demo and development: SQLite by default, console email, demo accounts allowed."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env("DJANGO_SECRET_KEY", "local-development-only-not-secret")
DEMO_ALLOWED = True
