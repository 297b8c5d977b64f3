"""Security event logging shared by signals and middleware."""

import logging

from .models import SecurityEvent

logger = logging.getLogger("clusters.security")


def client_ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


def log_event(kind, request, *, user=None, username=""):
    """Store a security event and write it to the `clusters.security` log."""
    path = request.get_full_path()[:500] if request is not None else ""
    SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username[:150],
        ip_address=client_ip(request),
        path=path,
    )
    logger.info("%s user=%s ip=%s path=%s", kind, username, client_ip(request), path)
