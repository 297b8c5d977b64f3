"""Log logins, logouts and failed logins as security events."""

import time

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from core.middleware import SESSION_RENEWED_KEY, SESSION_STARTED_KEY

from .models import SecurityEvent
from .security import log_event


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = int(time.time())
        # The login saves the session with a fresh idle timeout: a renewal.
        request.session[SESSION_RENEWED_KEY] = time.time()
    log_event(SecurityEvent.Kind.LOGIN, request, user=user, username=user.username)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        log_event(SecurityEvent.Kind.LOGOUT, request, user=user, username=user.username)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    log_event(
        SecurityEvent.Kind.LOGIN_FAILED,
        request,
        username=str(credentials.get("username", ""))[:150],
    )
