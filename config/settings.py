"""Settings for the book-summaries library, read from the environment.

Every value has a default that works for local development; production sets
``DEBUG=false``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and usually ``DATABASE_URL``.
The README lists every variable.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Read a yes/no variable; anything but 1/true/yes/on is false."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    """Read a comma-separated variable into a list, dropping blanks."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None


DEBUG = env_bool("DEBUG", True)

# --- Secret key -----------------------------------------------------------
# Locally a key is generated once into .secret_key (ignored by git). With
# DEBUG off the key must come from the environment and be strong.
SECRET_KEY_FILE = BASE_DIR / ".secret_key"


def _local_secret_key():
    try:
        return SECRET_KEY_FILE.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        SECRET_KEY_FILE.touch(mode=0o600)
        SECRET_KEY_FILE.write_text(key)
        return key


def _is_insecure_key(key):
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure")


SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the site refuses to start without one; "
            'generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = _local_secret_key()
elif not DEBUG and _is_insecure_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is insecure: use at least 50 random characters, not a 'django-insecure' "
        "placeholder. Generate one with: "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Applications ------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "nested_admin",
    "taggit",
    "markdownx",
    "books",
    "reviews",
    # Search (books/search): the synonym sets editors keep, and the search pages.
    "books.search",
    # Curated collections of summaries (books/curation).
    "books.curation",
    # Benchmarks and the search evaluation (books/devtools): commands only, no models.
    "books.devtools",
    "reversion",
    "axes",
]

MIDDLEWARE = [
    # First: every response, and every log line written while serving it, carries its id.
    "config.log.RequestIdMiddleware",
    "config.security.RejectTraceMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Readers' pages from the cache (books/cache.py). A hit is answered here; the headers
    # the middleware below adds (CSP, Content-Language, Vary…) are stored with the page.
    "books.cache.PageCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.security.RejectNulCharactersMiddleware",
    # The interface's language, from the address (/ru/…) on readers' pages, else the
    # language cookie or the browser's.
    "django.middleware.locale.LocaleMiddleware",
    # The admin (not under i18n_patterns) in the language the editor chose.
    "config.locale.EditorLanguageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A write refused because a long import holds SQLite's lock: a page that says so.
    "config.faults.DatabaseBusyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # LANGUAGE_CODE (``<html lang>``, the switcher) and LANGUAGES.
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------
# DATABASE_URL selects the engine: sqlite:///path (the default, a file in the
# project folder) or postgres://user:password@host:port/name (psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an editor writes; the busy timeout makes a
    # second writer wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # How long a write waits for another writer before the busy page (config/faults.py).
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
    }
    if DEBUG:
        DATABASES["default"]["CONN_MAX_AGE"] = 0

# --- Logging --------------------------------------------------------------------------------
# Everything to standard error (gunicorn collects it): errors with their tracebacks, a
# request id on every line (and in the X-Request-ID response header). LOG_FORMAT=json
# writes one JSON object per line, for log collectors; LOG_LEVEL sets the threshold.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', got {LOG_FORMAT!r}.")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.log.RequestIdFilter"}},
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s] %(message)s"
        },
        "json": {"()": "config.log.JsonFormatter"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own logger would send errors to mail_admins only, with DEBUG off.
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        # A 404 or 405 is the access log's business; a 500 is logged with its traceback.
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        # runserver's own request lines.
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        # django-axes announces itself at every start and every sign-in: lock-outs suffice.
        "axes": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}

# --- Read replica ------------------------------------------------------------------
# DATABASE_REPLICA_URL adds a read-only copy of the database (a PostgreSQL
# streaming replica): readers' queries go there, everything else to the primary
# (config/routers.py). In tests the replica mirrors the test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "config.routers.PrimaryReplicaMiddleware",
    )


# --- Cache --------------------------------------------------------------------------
# Local memory (one cache per process) unless REDIS_URL is set; then Django's
# Redis cache, shared by every worker and every app server.


def cache_config(redis_url):
    """The CACHES setting: Django's Redis cache at ``redis_url``, or local memory without one."""
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            # Django's Redis cache, reusing its client (config/cache.py says why).
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "library",
            # A stalled Redis must fail a cache call quickly, not hang a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = cache_config(REDIS_URL)
# How long readers' pages stay in the cache (books/cache.py): an upper bound
# only, since every change retires the pages it affects at once; 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
# How long the rendered parts of a summary page stay in the cache, for the requests the page
# cache cannot serve whole (a reader with a session, the page cache off); 0 turns it off.
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 3600)
# Where the page cache keeps its version tokens: in the database (one small query per
# request, exact with a cache per process), or beside the pages in a cache every process
# shares (no query on a hit, and cached pages outlive a database outage).
PAGE_CACHE_TOKENS = os.environ.get("PAGE_CACHE_TOKENS", "").strip() or (
    "cache" if REDIS_URL else "database"
)
if PAGE_CACHE_TOKENS not in {"cache", "database"}:
    raise ImproperlyConfigured(
        f"PAGE_CACHE_TOKENS must be 'cache' or 'database', got {PAGE_CACHE_TOKENS!r}."
    )
if PAGE_CACHE_TOKENS == "cache" and not REDIS_URL:
    raise ImproperlyConfigured(
        "PAGE_CACHE_TOKENS=cache needs a cache every process shares: set REDIS_URL."
    )

# --- Authentication ------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en"
# The languages a summary can be written in (``Book.language``); search analyses each
# summary, and each query, in its language (docs/search.md).
# The interface speaks the same languages: English at unprefixed addresses, the others under
# their prefix (/ru/…), through i18n_patterns in config/urls.py. The switcher shows each
# language's own name (Django's get_language_info); these are for the admin's choices.
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
# The project's catalogs (make messages, make compilemessages); Django's own are built in.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in the reader's language through Django's formats ("5 December 2026" in English,
# Russian month names in Russian); config/formats/ keeps English's day-month-year order.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and media ----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads (covers, Markdown images) on the local disk, or with MEDIA_STORAGE=s3 in an S3
# bucket (or any S3-compatible store) that every app server reads: django-storages, set
# with the standard AWS_* variables (docs/operations.md).
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "").strip().lower() or "filesystem"
if MEDIA_STORAGE not in {"filesystem", "s3"}:
    raise ImproperlyConfigured(
        f"MEDIA_STORAGE must be 'filesystem' or 's3', got {MEDIA_STORAGE!r}."
    )
MEDIA_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if MEDIA_STORAGE == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    # Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role.
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME", "").strip() or None
    # An S3-compatible store (MinIO, Ceph…) at its own address.
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None
    # A CDN or the bucket's public host name for the files' URLs.
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip() or None
    # Plain public URLs: a cached page keeps an image's URL far longer than a signature lasts.
    AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", False)
    # Names are random already; never replace a file another summary may show.
    AWS_S3_FILE_OVERWRITE = False
    AWS_DEFAULT_ACL = None  # the bucket's policy decides who may read
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "public, max-age=86400"}
    MEDIA_BACKEND = {"BACKEND": "storages.backends.s3.S3Storage"}
STORAGES = {
    "default": MEDIA_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Content ---------------------------------------------------------------------------
TAGGIT_CASE_INSENSITIVE = True

# Largest image an editor may upload through the Markdown editor, in bytes.
UPLOAD_IMAGE_MAX_BYTES = env_int("UPLOAD_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
# Largest pixel area of an image (or of one frame) accepted: 24 megapixels, a 6000x4000
# photo. Decoding and re-encoding cost grows with the pixels: within these bounds a
# 5 MB upload is processed or refused in about 2 s (docs/operations.md).
UPLOAD_IMAGE_MAX_PIXELS = env_int("UPLOAD_IMAGE_MAX_PIXELS", 24_000_000)
# An animation (GIF, WebP): at most this many frames, and this many pixels in all frames.
UPLOAD_ANIMATION_MAX_FRAMES = env_int("UPLOAD_ANIMATION_MAX_FRAMES", 200)
UPLOAD_ANIMATION_MAX_PIXELS = env_int("UPLOAD_ANIMATION_MAX_PIXELS", 12_000_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_IMAGE_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

MARKDOWNX_MARKDOWNIFY_FUNCTION = "books.markdown.render_markdown"
MARKDOWNX_MEDIA_PATH = "uploads/"
MARKDOWNX_UPLOAD_MAX_SIZE = UPLOAD_IMAGE_MAX_BYTES
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"]
MARKDOWNX_SERVER_CALL_LATENCY = 600

# --- Security ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- HTTPS and proxies ---------------------------------------------------------------
# With DEBUG off the site insists on HTTPS: redirect, secure cookies and HSTS.
# BEHIND_PROXY=true says that a reverse proxy terminates TLS and sets
# X-Forwarded-Proto and X-Forwarded-For; only then are those headers believed
# (never set it when clients can reach the site directly: they could forge them).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# How many proxies append to X-Forwarded-For; the client is the entry they saw.
PROXY_COUNT = env_int("PROXY_COUNT", 1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Joining the browsers' preload list is a commitment for the whole domain that
    # only its owner can make; the check only says that the site has not opted in.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Content-Security-Policy -----------------------------------------------------------
# Every page, admin included: scripts only from this site or with the
# per-response nonce ({% csp_nonce_attr %}), no plugins, no framing. Images may
# also come from https: sites, since editors may link them in Markdown.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Media ------------------------------------------------------------------------------
# The site serves MEDIA_ROOT itself (with nosniff and a sandboxing policy) when
# SERVE_MEDIA is on, which is the default in development. In production a
# reverse proxy usually serves /media/ with the same headers (see the README).
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)

# --- Editorial workflow ---------------------------------------------------------------
# How long a share link to an unpublished summary stays valid (an editor can revoke it sooner).
PREVIEW_LINK_MAX_AGE = timedelta(days=env_int("PREVIEW_LINK_DAYS", 7))
# The admin's "someone else is editing this" notice: how often an open summary page says so.
EDITING_HEARTBEAT_SECONDS = env_int("EDITING_HEARTBEAT_SECONDS", 10)

# --- Admin sign-in throttling (django-axes) ------------------------------------------------
# Too many failed sign-ins lock out the account (from any address) and the
# address (for any account) for a while. The address is REMOTE_ADDR unless
# BEHIND_PROXY is set (config.security.client_ip).
AUTHENTICATION_BACKENDS = [
    "config.security.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# --- Search (docs/search.md) -----------------------------------------------------------------
# The longest a search statement may run before it is stopped and the reader told so
# (PostgreSQL's statement_timeout; a progress handler on SQLite).
SEARCH_TIMEOUT_MS = env_int("SEARCH_TIMEOUT_MS", 1500)
# Searches and suggestions one client address may ask for, per django-ratelimit rate
# ("60/m": 60 a minute), counted in the cache (Redis when REDIS_URL is set). Cached
# pages are never counted. The address is config.security.client_ip's.
SEARCH_RATE = os.environ.get("SEARCH_RATE", "").strip() or "60/m"
SUGGEST_RATE = os.environ.get("SUGGEST_RATE", "").strip() or "300/m"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_IP_META_KEY = "config.security.client_ip"
# A cache outage must not stop every search: count nothing rather than refuse all.
RATELIMIT_FAIL_OPEN = True
