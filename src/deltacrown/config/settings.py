"""Configuration layer: Django settings, read from the environment only.

Embedded defaults (no variables set) give a single-process platform on SQLite with in-process
channel layer, cache, rate-limit storage and a SQLite-backed task queue. Setting ``DATABASE_URL``
and ``REDIS_URL`` moves the same code onto PostgreSQL and Redis. Every variable is documented in
docs/configuration.md with its default.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from deltacrown.config.env import env_bool, env_int, env_list, env_str, secret_from_file

BASE_DIR = Path(__file__).resolve().parent.parent  # src/deltacrown
VAR_DIR = Path(env_str("DELTACROWN_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or secret_from_file(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# --- TLS / cookies ---------------------------------------------------------------------------
# BEHIND_TLS=1 when a proxy terminates HTTPS in front of the platform: cookies become Secure,
# HSTS is sent and the proxy's X-Forwarded-Proto is trusted.
BEHIND_TLS = env_bool("BEHIND_TLS", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", BEHIND_TLS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", BEHIND_TLS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if BEHIND_TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = BEHIND_TLS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Applications ----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "django_htmx",  # its static files hold htmx, which the pages load from this server
    "channels",
    "huey.contrib.djhuey",
    "deltacrown.kernel",
    "deltacrown.apps.accounts",
    "deltacrown.apps.games",
    "deltacrown.apps.tournaments",
    "deltacrown.apps.teams",
    "deltacrown.apps.registrations",
    "deltacrown.apps.competition",
    "deltacrown.apps.moderation",
    "deltacrown.apps.realtime",
    "deltacrown.apps.web",
]

MIDDLEWARE = [
    # First: request counts and latencies cover the whole stack below.
    "deltacrown.kernel.metrics.MetricsMiddleware",
    "deltacrown.kernel.middleware.RequestContextMiddleware",
    # Right after the request id is bound: one access-log line per request carrying it.
    "deltacrown.kernel.logging.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "deltacrown.kernel.flags.MaintenanceModeMiddleware",
    # Last: it wraps only the view in the transaction that also stores the response, and the
    # caller resolver may read the session user set above.
    "deltacrown.kernel.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "deltacrown.config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "deltacrown.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'deltacrown.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on the busy timeout instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME") or None}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, rate limits, task queue -------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dc",
        }
    }
    RATELIMIT_STORAGE_URI = REDIS_URL if "://" in REDIS_URL else f"redis://{REDIS_URL}"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    RATELIMIT_STORAGE_URI = "memory://"
# The moderation gates' per-user sanction cache gets an alias of its own, so other cached data
# never evicts it: in process with room for 100,000 entries, or Redis like the rest at scale.
CACHES["moderation"] = (
    {**CACHES["default"], "KEY_PREFIX": "dcm"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "moderation",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
)

TASKS_IMMEDIATE = env_bool("TASKS_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "deltacrown",
        "url": REDIS_URL,
        "immediate": TASKS_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "deltacrown",
        "filename": str(VAR_DIR / "tasks.sqlite3"),
        "immediate": TASKS_IMMEDIATE,
    }

# --- Authentication --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

JWT_ALGORITHM = "HS256"  # pinned: tokens claiming any other algorithm are rejected
JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY") or SECRET_KEY
JWT_ISSUER = env_str("JWT_ISSUER", "deltacrown")
JWT_AUDIENCE = env_str("JWT_AUDIENCE", "deltacrown-api")
JWT_ACCESS_LIFETIME = timedelta(seconds=env_int("JWT_ACCESS_LIFETIME", 15 * 60))
JWT_REFRESH_LIFETIME = timedelta(seconds=env_int("JWT_REFRESH_LIFETIME", 14 * 24 * 3600))
JWT_LEEWAY = timedelta(seconds=env_int("JWT_LEEWAY", 60))

LOGIN_RATE_PER_ACCOUNT = env_str("LOGIN_RATE_PER_ACCOUNT", "5/minute")
LOGIN_RATE_PER_IP = env_str("LOGIN_RATE_PER_IP", "20/minute")
SIGNUP_RATE_PER_IP = env_str("SIGNUP_RATE_PER_IP", "10/hour")
PASSWORD_RESET_RATE_PER_IP = env_str("PASSWORD_RESET_RATE_PER_IP", "5/hour")
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "DeltaCrown <noreply@localhost>")

# --- Idempotency, events, integrity ----------------------------------------------------------
IDEMPOTENCY_TTL = timedelta(hours=env_int("IDEMPOTENCY_TTL_HOURS", 24))
# A key whose first request has neither finished nor failed within this window (the process
# died) may be executed again: its side effects and its completion commit together.
IDEMPOTENCY_STALE_AFTER = timedelta(seconds=env_int("IDEMPOTENCY_STALE_AFTER", 300))
SIGNING_KEY_FILE = Path(env_str("SIGNING_KEY_FILE") or str(VAR_DIR / "checkpoint_ed25519.pem"))
# Where the hourly task writes signed checkpoints ("" turns it off) and how many it keeps.
CHECKPOINT_DIR = env_str("CHECKPOINT_DIR", str(VAR_DIR / "checkpoints"))
CHECKPOINT_KEEP = env_int("CHECKPOINT_KEEP", 168)

# --- Competition ---------------------------------------------------------------------------
# Minutes a submitted match result waits for the other side before it confirms itself.
RESULT_AUTO_CONFIRM_MINUTES = env_int("RESULT_AUTO_CONFIRM_MINUTES", 15)

# --- Realtime (WebSocket) ------------------------------------------------------------------
# Outgoing messages a connection may have queued before the oldest are dropped (a gap).
REALTIME_QUEUE_SIZE = env_int("REALTIME_QUEUE_SIZE", 256)
# Seconds a client may stay behind (its queue overflowing) before it is closed (4012).
REALTIME_SLOW_CONSUMER_GRACE = env_int("REALTIME_SLOW_CONSUMER_GRACE", 10)
# Missed events a reconnecting client is replayed; beyond that it gets a snapshot.
REALTIME_RESUME_MAX = env_int("REALTIME_RESUME_MAX", 500)
# Window in which live score updates of a match are coalesced (the latest wins).
REALTIME_COALESCE_MS = env_int("REALTIME_COALESCE_MS", 100)
REALTIME_HEARTBEAT_INTERVAL = env_int("REALTIME_HEARTBEAT_INTERVAL", 25)
REALTIME_HEARTBEAT_TIMEOUT = env_int("REALTIME_HEARTBEAT_TIMEOUT", 50)
REALTIME_MAX_MESSAGE_BYTES = env_int("REALTIME_MAX_MESSAGE_BYTES", 16384)
# Live connections per signed-in user and per client address, across all workers (4008 beyond).
REALTIME_CONNECTIONS_PER_USER = env_int("REALTIME_CONNECTIONS_PER_USER", 3)
REALTIME_CONNECTIONS_PER_IP = env_int("REALTIME_CONNECTIONS_PER_IP", 10)
# Messages a client may send: a sustained rate ("10/second") and a burst; beyond, an error
# `rate_limited`, and a client that keeps on is closed (4008).
REALTIME_MESSAGE_RATE = env_str("REALTIME_MESSAGE_RATE", "10/second")
REALTIME_MESSAGE_BURST = env_int("REALTIME_MESSAGE_BURST", 20)
# Connections following one stream, across all workers (4010 beyond).
REALTIME_ROOM_MAX = env_int("REALTIME_ROOM_MAX", 2000)

# --- Moderation ------------------------------------------------------------------------------
# Enforcement of sanctions at the gates (docs/moderation.md): the master switch and one per
# surface. Off = every gate of that surface allows; the sanctions themselves stay recorded.
MODERATION_ENFORCEMENT_ENABLED = env_bool("MODERATION_ENFORCEMENT_ENABLED", True)
MODERATION_ENFORCEMENT_WS = env_bool("MODERATION_ENFORCEMENT_WS", True)
MODERATION_ENFORCEMENT_REGISTRATION = env_bool("MODERATION_ENFORCEMENT_REGISTRATION", True)
MODERATION_ENFORCEMENT_MATCHES = env_bool("MODERATION_ENFORCEMENT_MATCHES", True)
MODERATION_ENFORCEMENT_PURCHASE = env_bool("MODERATION_ENFORCEMENT_PURCHASE", True)

# --- Demo ------------------------------------------------------------------------------------
DEMO_ADMIN_USERNAME = env_str("DEMO_ADMIN_USERNAME", "admin")
DEMO_ADMIN_PASSWORD = env_str("DEMO_ADMIN_PASSWORD", "deltacrown-admin")
# While on, the task consumer plays the demo's live tournament on every few seconds (a live
# score, a result, the next match), so its stream shows updates at once; 0 turns it off.
DEMO_LIVE = env_bool("DEMO_LIVE", True)

# --- Internationalisation, static files ------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves finders + this root
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or str(VAR_DIR / "media"))
# Uploads only their owners and staff may download (entry-fee payment proofs): never under
# MEDIA_ROOT, so no web server set up for public media can serve them.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT") or str(VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# 6 MiB: a 5 MB payment proof plus its multipart framing must fit, because a request sent with
# an Idempotency-Key is read whole to fingerprint its body.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 6 * 1024 * 1024)

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env_str("LOG_FORMAT", "json")  # json | console
LOGGING_CONFIG = None  # deltacrown.kernel.logging configures stdlib logging and structlog

# --- Metrics and readiness -------------------------------------------------------------------
# When set, GET /metrics requires "Authorization: Bearer <METRICS_TOKEN>".
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Seconds /readyz waits for Redis before reporting it unavailable.
READINESS_TIMEOUT = env_int("READINESS_TIMEOUT", 2)

# --- Feature flags ---------------------------------------------------------------------------
# Declared in deltacrown.kernel.flags (typed, with defaults); each is overridable by an
# environment variable FLAG_<NAME>. A deployment's settings module may also set values here.
FEATURE_FLAGS: dict[str, bool | int | str] = {}
