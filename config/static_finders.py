from django.apps import apps
from django.contrib.staticfiles import finders


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder of the apps' static files, without django-htmx's own
    scripts: the pages load htmx from static/vendor, and compressing those
    unused files (gzip and brotli) took a third of collectstatic's time."""

    def __init__(self, app_names=None, *args, **kwargs):
        if app_names is None:
            app_names = [
                config.name
                for config in apps.get_app_configs()
                if config.name != "django_htmx"
            ]
        super().__init__(app_names, *args, **kwargs)
