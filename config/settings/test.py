"""The test suite: real PostgreSQL, fast hashing, email kept in memory."""

import tempfile

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="threadline-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
# Off for the suite as a whole (tests change rows behind the signals' back); the page cache's
# own tests turn it on against a real Redis (tests/core/test_page_cache*.py).
PAGE_CACHE_SECONDS = 0
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="test")
# DEBUG is off here, like production: the test provider takes orders only with this switch.
ALLOW_TEST_PAYMENTS = True
STRIPE_SECRET_KEY = ""
STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
WAGTAILADMIN_BASE_URL = "http://testserver"
