"""Production: refuses to start unsafe; HTTPS behind a proxy, JSON logs, hashed static files."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, SECRET_KEY, env

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be off in production.")
if (
    not SECRET_KEY
    or len(SECRET_KEY) < 50
    or SECRET_KEY.startswith(("dev-", "test-", "change-me", "django-insecure"))
):
    raise ImproperlyConfigured("SECRET_KEY is missing or not a real secret (at least 50 characters).")

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}
# Hashed files are cached forever by WhiteNoise itself; unhashed names keep its short default.

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Only for plain-HTTP runs on a private network (compose on a LAN); never off behind TLS.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail previews override this to SAMEORIGIN themselves

LOGGING["handlers"]["console"]["formatter"] = "json"
