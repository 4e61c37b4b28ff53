"""Settings shared by every environment; everything variable comes from the environment."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Forms on cached pages carry no token; without JavaScript these few are confirmed once
# (view name -> the confirm button's label) instead of refused. See shop/core/csrf.py.
CSRF_FAILURE_VIEW = "shop.core.csrf.csrf_failure"
CSRF_CONFIRM_VIEWS = {"cart:add": "Add to cart"}

INSTALLED_APPS = [
    "home",
    "shop.core",
    "shop.accounts",
    "shop.catalog",
    "shop.discounts",
    "shop.cart",
    "shop.tax",
    "shop.orders",
    "shop.payments",
    "shop.invoices",
    "shop.returns",
    "shop.reports",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "axes",
]

MIDDLEWARE = [
    "shop.core.metrics.PrometheusMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shop.core.middleware.HostileInputMiddleware",
    "shop.core.csp.ShopCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "shop.core.session_user.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Outside the page cache, so pages served from the cache carry X-Frame-Options too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shop.core.pagecache_middleware.PageCacheMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last but axes, so its process_exception is asked first: a lost database is a 503, not a 500.
    "shop.core.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"


def _category_url(category) -> str:
    from home.urls import category_url

    return category_url(category)


# The content layer decides where a catalog category's page lives (`Category.get_absolute_url`).
ABSOLUTE_URL_OVERRIDES = {"catalog.category": _category_url}
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "shop.core.context_processors.shop",
                "shop.cart.context_processors.cart",
                "shop.core.context_processors.page_cache",  # last: blanks personal values when shared
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///threadline")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Prepared statements for shop.core.sql's fixed queries (planned once per connection, not per
# request); the ORM's cursors bind on the client and never prepare. Off (DATABASE_PREPARED_
# STATEMENTS=false) behind a pooler that cannot keep them, e.g. PgBouncer in transaction mode
# before 1.21.
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    5 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
)
# PostgreSQL's JIT compiles any query whose estimated cost is high. The shop's queries are small,
# but a join of one-row tables autovacuum never analyzes (the site and its settings) is estimated
# at billions of rows, and JIT spent 0.9 s compiling a query that runs in 0.1 ms. Off for the
# shop's connections (DATABASE_JIT=true keeps the server's choice); RDS has it off too (terraform).
if not env.bool("DATABASE_JIT", default=False):
    _options = DATABASES["default"]["OPTIONS"]
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise environ.ImproperlyConfigured("DATABASE_URL must point to PostgreSQL.")
# Django's backend with a health check that costs no round trip (shop/core/postgresql/base.py).
DATABASES["default"]["ENGINE"] = "shop.core.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shop.accounts.backends.ShopModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions (and so guest carts) live in PostgreSQL: any replica serves any request. Django's
# database engine, minus two writes it does not need (shop/core/sessions.py, docs/performance.md).
SESSION_ENGINE = "shop.core.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30

REDIS_URL = env("REDIS_URL", default="")
# Whole storefront pages (shop/core/pagecache.py, docs/performance.md). Changes bump the cache's
# generation, which only reaches every process through a shared cache: without Redis each
# process keeps its own and another process sees a change within this timeout.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600 if REDIS_URL else 10)
# How long a CDN may keep a public page (s-maxage); purges (WAGTAILFRONTENDCACHE) come sooner.
PAGE_CACHE_CDN_SECONDS = env.int("PAGE_CACHE_CDN_SECONDS", default=60)
if REDIS_URL:
    # A Redis outage is a slower shop, not a broken one: see shop/core/cache.py.
    _redis = {"BACKEND": "shop.core.cache.ForgivingRedisCache", "LOCATION": REDIS_URL}
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": "threadline"},
        "pages": {**_redis, "KEY_PREFIX": "threadline-pages"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }
# CloudFront in front of the shop: every page-cache invalidation also purges the distribution.
CLOUDFRONT_DISTRIBUTION_ID = env("CLOUDFRONT_DISTRIBUTION_ID", default="")
if CLOUDFRONT_DISTRIBUTION_ID:
    WAGTAILFRONTENDCACHE = {
        "cloudfront": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": CLOUDFRONT_DISTRIBUTION_ID,
        }
    }

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Threadline <shop@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "site"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "file_overwrite": False,
            "querystring_auth": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Clients and abuse: see shop/core/clientip.py, shop/core/ratelimit.py and docs/security.md.
SHOP_TRUSTED_PROXY_COUNT = env.int("SHOP_TRUSTED_PROXY_COUNT", default=0)
# A cache that cannot count (Redis down) lets requests through: selling beats refusing.
RATELIMIT_FAIL_OPEN = True
SHOP_RATE_LIMITS = {
    "cart": "120/m",
    "checkout": "20/m",
    "signup": "10/h",
    "password_reset": "10/h",
    "test_payment": "60/m",
}
# Brute force on the shop's and the admin's login (django-axes): 10 failures lock the account
# and, separately, the address, for 15 minutes; staff unlock under Settings > Login lockouts.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "shop.core.clientip.axes_client_ip"
AXES_USERNAME_CALLABLE = "shop.accounts.lockouts.attempted_username"
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): see shop/core/csp.py and docs/security.md.
_media_origin = []
if AWS_STORAGE_BUCKET_NAME:
    _media_origin = [
        "https://"
        + (env("AWS_S3_CUSTOM_DOMAIN", default="") or f"{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com")
    ]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_media_origin],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'", "https://checkout.stripe.com"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SHOP_ADMIN_PATH = "/admin/"
SHOP_ADMIN_CSP_UPDATE = {
    "script-src": ["'unsafe-inline'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["blob:"],
}

# Wagtail
WAGTAIL_SITE_NAME = "Threadline"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_IMAGE_MODEL = "wagtailimages.Image"
# Uploads by staff and marketers: a product photo never needs more. Wagtail refuses bigger
# files and any image whose header promises more pixels (a decompression bomb) with a message,
# before a rendition is ever decoded; 40 megapixels decode to about 160 MB in a worker.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]

# The shop
SHOP_CURRENCY = env("SHOP_CURRENCY", default="EUR").upper()
# Prices have two decimal places and providers get cents: refuse currencies without them.
if (
    len(SHOP_CURRENCY) != 3
    or not SHOP_CURRENCY.isalpha()
    or SHOP_CURRENCY in {"JPY", "KRW", "VND", "CLP", "ISK"}
):
    raise environ.ImproperlyConfigured(f"SHOP_CURRENCY {SHOP_CURRENCY!r} is not a two-decimal ISO 4217 code.")
SHOP_SHIPPING_FLAT_RATE = Decimal(env("SHOP_SHIPPING_FLAT_RATE", default="4.90"))
SHOP_FREE_SHIPPING_THRESHOLD = Decimal(env("SHOP_FREE_SHIPPING_THRESHOLD", default="75.00"))
# The seller's country: its VAT rates apply where a destination has none of its own.
SHOP_HOME_COUNTRY = env("SHOP_HOME_COUNTRY", default="DE").upper()
SHOP_MAX_LINE_QUANTITY = env.int("SHOP_MAX_LINE_QUANTITY", default=20)
SHOP_LOW_STOCK_THRESHOLD = env.int("SHOP_LOW_STOCK_THRESHOLD", default=5)
ORDER_PAYMENT_TIMEOUT_MINUTES = env.int("ORDER_PAYMENT_TIMEOUT_MINUTES", default=30)
# Days an untouched guest cart (or an empty member cart) is kept; see clear_abandoned_carts.
SHOP_CART_RETENTION_DAYS = env.int("SHOP_CART_RETENTION_DAYS", default=30)

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=1)
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="stripe" if STRIPE_SECRET_KEY else "test")
ALLOW_TEST_PAYMENTS = env.bool("ALLOW_TEST_PAYMENTS", default=False)
# Orders hand a placed order to payments through this function (orders never imports payments).
SHOP_PAYMENT_HANDOFF = "shop.payments.services.begin_payment"

LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "shop.core.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # One handler (root) for everything; Django's own console handler would print twice.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # Wagtail runs its index updates as immediate tasks; one INFO line per save is noise.
        "django_tasks": {"level": "WARNING"},
    },
}

SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False, traces_sample_rate=0.0)
