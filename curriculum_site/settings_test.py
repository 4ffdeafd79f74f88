"""Settings for the test suite: the real settings with test-only secrets and fast, local parts."""

import os

os.environ.setdefault("DEBUG", "0")  # tests run as production does, whatever the database
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
# Production's default with DEBUG off is "mandatory" (a test checks it); the suite's journeys sign up
# and sign in straight away, and the tests of verification set it themselves.
os.environ.setdefault("ACCOUNT_EMAIL_VERIFICATION", "optional")

from curriculum_site.settings import *  # noqa: E402,F403

TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# bcrypt's cost factor is the point in production; tests that check the hash set it back.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
