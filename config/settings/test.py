"""The test suite: real PostgreSQL, fast hashing, email kept in memory."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="threadline-test-media-"))
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
# Login lockouts and rate limits are switched on by the tests that check them
# (tests/security/test_abuse.py); elsewhere the test client's login() calls authenticate()
# without a request, which django-axes refuses, and one client posts far more than a shopper.
AXES_ENABLED = False
SHOP_RATE_LIMITS = dict.fromkeys(SHOP_RATE_LIMITS, "100000/m")  # noqa: F405
