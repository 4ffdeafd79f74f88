"""Settings for the Crypto Curriculum Platform, all read from the environment (see README)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def mailer_from_url(url: str) -> dict:
    parsed = urlparse(url)
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    }
    if parsed.scheme in simple:
        return {"BACKEND": simple[parsed.scheme]}
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ImproperlyConfigured("EMAIL_URL must look like console://, locmem:// or smtp://user:pass@host:587?tls=1")
    query = parse_qs(parsed.query)
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parsed.hostname,
            "port": parsed.port or (465 if parsed.scheme == "smtps" else 25),
            "username": unquote(parsed.username or ""),
            "password": unquote(parsed.password or ""),
            "use_ssl": parsed.scheme == "smtps",
            "use_tls": parsed.scheme == "smtp" and query.get("tls", ["0"])[0] in ("1", "true"),
            "timeout": 20,
        },
    }


def local_secret_key(path: Path) -> str:
    """The installation's own secret key for local runs: generated once into `path` (mode 0600)
    and read from it afterwards. Two processes starting at once agree: the file appears whole or
    not at all (written aside, then hard-linked into place, which fails if it exists)."""
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(50) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:  # another process (or an empty file left behind) was first
        if not path.read_text().strip():
            os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    return path.read_text().strip()


# --- core ----------------------------------------------------------------------------------------

# On by default only for the local run, i.e. on the embedded database; a deployment sets
# DATABASE_URL and gets DEBUG off (and then must set SECRET_KEY).
DEBUG = env_bool("DEBUG", not os.environ.get("DATABASE_URL"))
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # A local run: a key of this installation's own, kept under .data/ (never in the code, where
    # every checkout would share it and anyone could sign sessions for another's local site).
    SECRET_KEY = local_secret_key(BASE_DIR / ".data" / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "markdownx",
    "django_htmx",
    "django_tasks_db",
    "bootstrap",
    "curriculum_site",
    "accounts",
    "courses",
    "assessments",
    "community",
    "trading",
    "curriculum",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "curriculum_site.urls"
WSGI_APPLICATION = "curriculum_site.wsgi.application"
ASGI_APPLICATION = "curriculum_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "courses.context_processors.heartbeat",
            ],
        },
    },
]

# --- database ------------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    # Started on the first connection (curriculum_site/embedded_pg), data under .data/postgres.
    EMBEDDED_POSTGRES_DIR = BASE_DIR / ".data"
    DATABASES = {
        "default": {
            "ENGINE": "curriculum_site.embedded_pg",
            "NAME": "crypto_curriculum",
            "USER": "postgres",
            "HOST": "",
        }
    }
if not DATABASES["default"]["ENGINE"].endswith(("postgresql", "embedded_pg")):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...); no other database is supported")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # The database cache is shared by every process, so allauth's rate limits hold across workers.
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}
}

TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- accounts ------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
# Mandatory unless DEBUG: an unverified address must not become an account's login in production
# (a deploy check warns when it is set otherwise with DEBUG off).
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in ("none", "optional", "mandatory"):
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be none, optional or mandatory")
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": os.environ.get("RATE_LIMIT_SIGNUP", "20/m/ip"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "confirm_email": "1/3m/key",
}
ACCOUNT_PREVENT_ENUMERATION = True
# Whose address a rate limit counts. Behind reverse proxies every request comes from the nearest
# proxy, so one client's failed logins would lock out everyone; with TRUSTED_PROXY_COUNT = n the
# client is the n-th address from the right of X-Forwarded-For (the one the outermost trusted
# proxy saw). 0 (the default, no proxy) ignores the header, which any client can write.
# TRUSTED_CLIENT_IP_HEADER names a header a trusted proxy sets instead (X-Real-IP, CF-Connecting-IP).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front")
TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER", "").strip() or None
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = TRUSTED_CLIENT_IP_HEADER
ACCOUNT_SESSION_REMEMBER = None

# --- email ---------------------------------------------------------------------------------------

# EMAIL_URL: console:// (mail is printed; the default with DEBUG on), smtp://user:password@host:587?tls=1
# (smtp://localhost:25 is the default with DEBUG off), smtps://user:password@host:465, or locmem://.
MAILERS = {"default": mailer_from_url(os.environ.get("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25"))}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Crypto Curriculum <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- security ------------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a proxy that sets this header itself; otherwise clients could forge it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- content and front end ----------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get("STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
if DEBUG:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = BASE_DIR / ".data" / "media"
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MARKDOWNX_MARKDOWNIFY_FUNCTION = "common.markdown.render_markdown"
MARKDOWNX_UPLOAD_MAX_SIZE = 2 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png"]
MARKDOWNX_MEDIA_PATH = "markdownx/"

# Learning rules (see docs/architecture.md).
QUIZ_PASS_PERCENT = env_int("QUIZ_PASS_PERCENT", 70)
QUIZ_MAX_SITTINGS_PER_DAY = env_int("QUIZ_MAX_SITTINGS_PER_DAY", 5)
# When the result page shows the right answer to a question answered wrongly: "after-pass" (once
# the learner has passed the module's quiz; explanations always show), "always" or "never".
QUIZ_REVEAL_ANSWERS = os.environ.get("QUIZ_REVEAL_ANSWERS", "after-pass")
if QUIZ_REVEAL_ANSWERS not in ("after-pass", "always", "never"):
    raise ImproperlyConfigured("QUIZ_REVEAL_ANSWERS must be after-pass, always or never")
# Multiple-choice options in a different order for each sitting (fixed by its ticket).
QUIZ_SHUFFLE_OPTIONS = env_bool("QUIZ_SHUFFLE_OPTIONS", True)
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 30)  # how often a visible lesson or quiz page reports activity
if HEARTBEAT_SECONDS < 1:
    raise ImproperlyConfigured("HEARTBEAT_SECONDS must be a whole number of seconds, at least 1")
HEARTBEAT_MAX_CREDIT_SECONDS = 2 * HEARTBEAT_SECONDS  # longest gap credited as active time

# Trading lab limits per learner (see docs/trading-lab.md).
BACKTESTS_MAX_CONCURRENT_PER_USER = env_int("BACKTESTS_MAX_CONCURRENT_PER_USER", 2)  # queued or running
BACKTESTS_PER_HOUR = env_int("BACKTESTS_PER_HOUR", 30)
PAPER_SESSIONS_MAX_PER_USER = env_int("PAPER_SESSIONS_MAX_PER_USER", 2)  # queued or running
# LLM cost caps, applied when a provider is configured: the models offered per provider, the
# fewest bars between two questions, and provider calls per learner and UTC day.
LLM_MODELS_OPENAI = env_list("LLM_MODELS_OPENAI", "gpt-4o-mini,gpt-4.1-mini,gpt-4.1-nano")
LLM_MODELS_ANTHROPIC = env_list("LLM_MODELS_ANTHROPIC", "claude-3-5-haiku-latest,claude-haiku-4-5")
LLM_MODELS_OLLAMA = env_list("LLM_MODELS_OLLAMA", "llama3.1:8b,llama3.2:3b,qwen2.5:7b,mistral:7b")
LLM_MIN_EVERY_BARS = env_int("LLM_MIN_EVERY_BARS", 12)
LLM_CALLS_PER_USER_PER_DAY = env_int("LLM_CALLS_PER_USER_PER_DAY", 200)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "embedded_postgres": {"level": "WARNING"}},
}
