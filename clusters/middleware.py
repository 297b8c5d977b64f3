"""Refusal logging: every 403 and 429 becomes a security event."""

from .models import SecurityEvent
from .security import log_event


class RefusalLogMiddleware:
    """Record every 403 response (permission, CSRF or lockout) as a security event."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 429):
            user = request.user if request.user.is_authenticated else None
            log_event(
                SecurityEvent.Kind.REFUSED,
                request,
                user=user,
                username=user.username if user else "",
            )
        return response
