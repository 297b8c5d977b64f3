"""Production: everything secret or site-specific comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, MIDDLEWARE, env, env_bool, env_list

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (50+ random characters).")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Persistent connections; health checks drop broken ones.
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DATABASE_CONN_MAX_AGE", "600"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling (deploy/pgbouncer/) a server-side
# cursor cannot outlive its transaction's server connection: turn them off.
DATABASE_POOLER = env("DATABASE_POOLER", "").strip().lower()
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'.")
if DATABASE_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind nginx every request arrives from the proxy's address; nginx puts the
# client's in X-Real-IP, overwriting what the client sent (like X-Forwarded-Proto
# above; deploy/nginx/thidua-proxy.conf). Lockouts (django-axes: username +
# address) use it. Set DJANGO_CLIENT_IP_HEADER empty when no proxy is in front.
CLIENT_IP_HEADER = env("DJANGO_CLIENT_IP_HEADER", "HTTP_X_REAL_IP")
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True

# Static files served by the app itself (compressed, cache-busted names).
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)

# Uploaded files (evidence): S3-compatible object storage when DJANGO_S3_BUCKET is
# set — so that any number of stateless app servers share them —, else MEDIA_ROOT
# on the local disk (one server, or a shared mount). Every S3 variable is read
# here. Files stay private: no public ACL, the app streams them to permitted
# users only (pledges.views.reports.evidence_download).
S3_BUCKET = env("DJANGO_S3_BUCKET", "")
if S3_BUCKET:
    S3_OPTIONS = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env("DJANGO_S3_ENDPOINT_URL") or None,
        "region_name": env("DJANGO_S3_REGION") or None,
        # Unset: boto3's own chain (AWS_* variables, instance role, ...).
        "access_key": env("DJANGO_S3_ACCESS_KEY_ID") or None,
        "secret_key": env("DJANGO_S3_SECRET_ACCESS_KEY") or None,
        "location": env("DJANGO_S3_PREFIX", "").strip("/"),
        "addressing_style": env("DJANGO_S3_ADDRESSING_STYLE") or None,
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": S3_OPTIONS,
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env("SMTP_HOST", "localhost"),
            "port": int(env("SMTP_PORT", "587")),
            "username": env("SMTP_USER", ""),
            "password": env("SMTP_PASSWORD", ""),
            "use_tls": env_bool("SMTP_USE_TLS", True),
        },
    }
}

# Background work goes through a queue in the database (django-tasks-db), drained
# by `manage.py db_worker` running beside the web workers; old results are pruned
# with `manage.py prune_db_task_results`.
INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Logs go to standard output, which systemd hands to journald (deploy/); the
# lines carry no time stamp of their own beyond what journald records. Django's
# defaults would drop server errors when DEBUG is off and no ADMINS are set.
LOG_LEVEL = env("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "clusters": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "pledges": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "awards": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django_tasks_db": {
            "handlers": ["stdout"],
            "level": LOG_LEVEL,
            "propagate": False,
        },
        "axes": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}
