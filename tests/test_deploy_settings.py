"""Production settings stay deployable: `manage.py check --deploy` passes with no warnings.

Run as a subprocess because the settings module is read once per process: the suite's own settings are the
development ones, and KEYFLOW_PRODUCTION must be set before Django starts.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# Knobs a developer may have exported that would weaken (or change) what production looks like.
_NOT_INHERITED = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
                  "CSRF_TRUSTED_ORIGINS", "DJANGO_SETTINGS_MODULE", "KEYFLOW_PRODUCTION")


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in _NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="keyflow.settings",
        KEYFLOW_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="keyflow.example.org",
        CSRF_TRUSTED_ORIGINS="https://keyflow.example.org",
    )
    # CI points DATABASE_URL at PostgreSQL and that is what gets checked; elsewhere a throwaway SQLite file.
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}")
    env.update(overrides)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


def test_production_settings_pass_the_deploy_checks_with_no_warnings(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env(tmp_path))

    output = result.stdout + result.stderr
    assert result.returncode == 0, f"manage.py check --deploy failed in production mode:\n{output}"
    assert "System check identified no issues" in output, output


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    dotenv = BASE_DIR / ".env"
    if dotenv.exists() and "SECRET_KEY" in dotenv.read_text():
        pytest.skip("a local .env supplies SECRET_KEY")
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_static_files_collect(tmp_path):
    env = _production_env(tmp_path, STATIC_ROOT=str(tmp_path / "static"))

    result = _manage("collectstatic", "--noinput", env=env)

    assert result.returncode == 0, f"collectstatic failed in production mode:\n{result.stderr[-2000:]}"
    assert (tmp_path / "static" / "staticfiles.json").exists()
