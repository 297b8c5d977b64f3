"""Security event logging shared by signals and middleware."""

import logging

from django.conf import settings

from core.hygiene import log_text

from .models import SecurityEvent

logger = logging.getLogger("clusters.security")


def client_ip(request):
    """The client's address: the proxy's header (settings.CLIENT_IP_HEADER) when
    configured and present, else the connection's; None without a request."""
    if request is None:
        return None
    header = settings.CLIENT_IP_HEADER
    forwarded = request.META.get(header) if header else None
    return forwarded or request.META.get("REMOTE_ADDR")


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
    logger.info(
        "%s user=%s ip=%s path=%s",
        kind,
        log_text(username),
        log_text(client_ip(request)),
        log_text(path),
    )


def axes_client_str(username, ip_address, user_agent, path_info, request):
    """The client as django-axes writes it into its log lines (lockouts), every
    value escaped (settings.AXES_CLIENT_STR_CALLABLE)."""
    if isinstance(path_info, tuple | list):
        path_info = path_info[0] if path_info else ""
    return (
        f'{{username: "{log_text(username)}", ip_address: "{log_text(ip_address)}", '
        f'path_info: "{log_text(path_info)}"}}'
    )
