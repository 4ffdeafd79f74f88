import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_makemigrations_check_is_clean(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "ACCOUNT_EMAIL_VERIFICATION")
    }
    full_env.update(DJANGO_SETTINGS_MODULE="curriculum_site.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


# A production environment as the deployment doc sets it (DEBUG off, a strong key, a host name).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k8#pQ2!vX9zL4mN7@wR1tY6uI3oP0aS5dF8gH2jK4lZ7xC9vB1nM3qW5eR7tY9uI",
    "ALLOWED_HOSTS": "learn.example.org",
}


def test_check_deploy_is_clean_under_production_settings():
    done = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_production_refuses_to_start_without_a_secret_key():
    done = _manage("check", DEBUG="0")
    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr


def test_malformed_boolean_setting_is_reported_clearly():
    done = _manage("check", DEBUG="maybe")
    assert done.returncode != 0
    assert "DEBUG must be 1/0" in done.stderr


def test_the_heartbeat_interval_is_read_from_the_environment():
    show = "from django.conf import settings as s; print(s.HEARTBEAT_SECONDS, s.HEARTBEAT_MAX_CREDIT_SECONDS)"
    done = _manage("shell", "-c", show, DEBUG="1", HEARTBEAT_SECONDS="12")
    assert done.stdout.strip().splitlines()[-1] == "12 24", done.stderr
    done = _manage("check", DEBUG="1", HEARTBEAT_SECONDS="0")
    assert done.returncode != 0 and "HEARTBEAT_SECONDS must be" in done.stderr


def test_bcrypt_is_the_first_password_hasher_in_the_real_settings():
    done = _manage("shell", "-c", "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])", DEBUG="1")
    assert done.stdout.strip().splitlines()[-1] == "django.contrib.auth.hashers.BCryptSHA256PasswordHasher", done.stderr


def test_the_cache_is_a_real_shared_cache():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.django_db
def test_the_database_is_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


def test_trusted_proxies_are_read_from_the_environment_and_given_to_allauth():
    show = (
        "from django.conf import settings as s; "
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )
    done = _manage("shell", "-c", show, DEBUG="1")
    assert done.stdout.strip().splitlines()[-1] == "0 None", done.stderr  # no proxy: X-Forwarded-For ignored
    done = _manage("shell", "-c", show, DEBUG="1", TRUSTED_PROXY_COUNT="1", TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    assert done.stdout.strip().splitlines()[-1] == "1 X-Real-IP", done.stderr
    done = _manage("check", DEBUG="1", TRUSTED_PROXY_COUNT="-1")
    assert done.returncode != 0 and "TRUSTED_PROXY_COUNT must be" in done.stderr


def test_a_local_run_generates_its_own_secret_key_once(tmp_path):
    from curriculum_site.settings import local_secret_key

    path = tmp_path / ".data" / "secret_key"
    key = local_secret_key(path)
    assert len(key) >= 50 and "insecure" not in key
    assert path.stat().st_mode & 0o777 == 0o600
    assert local_secret_key(path) == key  # created once, then read
    assert local_secret_key(tmp_path / "other" / "secret_key") != key  # per installation
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no draft left behind


def test_simultaneous_first_starts_agree_on_one_key(tmp_path):
    import threading

    from curriculum_site.settings import local_secret_key

    path, keys = tmp_path / "secret_key", []
    barrier = threading.Barrier(8)

    def start():
        barrier.wait()
        keys.append(local_secret_key(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(keys) == 8 and len(set(keys)) == 1


def test_the_local_settings_use_the_installations_key_not_a_constant():
    done = _manage("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", DEBUG="1")
    key = done.stdout.strip().splitlines()[-1]
    assert "insecure" not in key and "never-use" not in key, done.stderr
    assert key == (ROOT / ".data" / "secret_key").read_text().strip()
    assert (ROOT / ".data" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_email_verification_is_mandatory_by_default_in_production():
    show = "from django.conf import settings; print(settings.ACCOUNT_EMAIL_VERIFICATION)"
    done = _manage("shell", "-c", show, DEBUG="0", SECRET_KEY="x" * 60)
    assert done.stdout.strip().splitlines()[-1] == "mandatory", done.stderr
    done = _manage("shell", "-c", show, DEBUG="1")
    assert done.stdout.strip().splitlines()[-1] == "optional", done.stderr


def test_check_deploy_warns_when_email_verification_is_not_mandatory():
    done = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        ACCOUNT_EMAIL_VERIFICATION="optional",
    )
    assert done.returncode != 0
    assert "curriculum_site.W001" in done.stderr + done.stdout


def test_quiz_reveal_and_shuffle_settings_are_read_and_checked():
    show = "from django.conf import settings as s; print(s.QUIZ_REVEAL_ANSWERS, s.QUIZ_SHUFFLE_OPTIONS)"
    assert _manage("shell", "-c", show, DEBUG="1").stdout.strip().splitlines()[-1] == "after-pass True"
    done = _manage("shell", "-c", show, DEBUG="1", QUIZ_REVEAL_ANSWERS="always", QUIZ_SHUFFLE_OPTIONS="0")
    assert done.stdout.strip().splitlines()[-1] == "always False", done.stderr
    done = _manage("check", DEBUG="1", QUIZ_REVEAL_ANSWERS="sometimes")
    assert done.returncode != 0 and "QUIZ_REVEAL_ANSWERS must be" in done.stderr
