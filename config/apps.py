from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """Django's static files, without django-htmx's own scripts: the pages load
    htmx from static/vendor, and compressing those unused files (gzip and
    brotli) took a third of collectstatic's time."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "django_htmx/*"]
