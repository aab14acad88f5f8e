"""Start-up refuses an unsafe configuration, naming what to set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _start(**env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment |= env
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_start_up_without_secret_key_fails_naming_the_variable():
    result = _start(DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_start_up_with_a_secret_key_succeeds():
    result = _start(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_local_mode_starts_without_a_secret_key():
    result = _start(DJANGO_DEBUG="true")

    assert result.returncode == 0, result.stderr


def _session_engine(**env: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.SESSION_ENGINE)",
        ],
        cwd=ROOT,
        env={key: value for key, value in os.environ.items() if key != "REDIS_URL"} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_with_redis_sessions_are_read_from_it_and_kept_in_the_database():
    with_redis = _session_engine(DJANGO_DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/9")
    without = _session_engine(DJANGO_DEBUG="true")

    assert with_redis == "django.contrib.sessions.backends.cached_db"
    assert without == "django.contrib.sessions.backends.db"
