"""Demo and development: SQLite by default, console email, demo accounts allowed.

The demo answers as production would (DEBUG off: the Vietnamese error pages, no
tracebacks to visitors); DJANGO_DEBUG=1 turns Django's debug pages on for
development. Static files are served by WhiteNoise straight from the static
folders (no collectstatic), whether DEBUG is on or off."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env, env_bool, env_list

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY", "local-development-only-not-secret")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
DEMO_ALLOWED = True

MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
WHITENOISE_USE_FINDERS = True
