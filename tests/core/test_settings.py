"""Settings as a deployment sees them: started in a fresh interpreter, as `careloop` would be."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest


def run_careloop(
    *args: str, env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    # Start from a clean slate: the CI leg's DATABASE_URL must not leak into these checks.
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CARELOOP_", "DJANGO_", "DATABASE_URL", "CELERY_"))
    }
    environment.update({"CARELOOP_DATA_DIR": str(tmp_path)}, **env)
    return subprocess.run(
        [sys.executable, "-m", "careloop.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run_careloop(
        "check", env={"DJANGO_SETTINGS_MODULE": "careloop.settings.production"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "CARELOOP_SECRET_KEY" in result.stderr


def test_production_settings_pass_djangos_deployment_checks(tmp_path: Path) -> None:
    result = run_careloop(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "careloop.settings.production",
            "CARELOOP_SECRET_KEY": secrets.token_urlsafe(64),
            "CARELOOP_ALLOWED_HOSTS": "care.example.test",
            "CARELOOP_EMAIL_HOST": "smtp.example.test",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_leave_the_demo_builder_out(tmp_path: Path) -> None:
    production = {
        "DJANGO_SETTINGS_MODULE": "careloop.settings.production",
        "CARELOOP_SECRET_KEY": secrets.token_urlsafe(64),
        "CARELOOP_ALLOWED_HOSTS": "care.example.test",
    }
    in_production = run_careloop("help", "demo", env=production, tmp_path=tmp_path)
    assert in_production.returncode != 0
    assert "Unknown command: 'demo'" in in_production.stderr
    embedded = run_careloop("help", "demo", env={}, tmp_path=tmp_path)
    assert embedded.returncode == 0, embedded.stderr
    assert "--no-serve" in embedded.stdout


def test_the_demo_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    result = run_careloop("check", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "secret_key"
    first_key = key_file.read_text()
    assert len(first_key) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    run_careloop("check", env={}, tmp_path=tmp_path)
    assert key_file.read_text() == first_key


@pytest.mark.parametrize(
    ("url", "vendor"),
    [("", "sqlite"), ("postgres://careloop:pw@db.example.test:5432/careloop", "postgresql")],
)
def test_database_url_selects_the_database(url: str, vendor: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": url} if url else {}
    result = run_careloop(
        "shell",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        env=env,
        tmp_path=tmp_path,
    )
    assert result.stdout.strip().splitlines()[-1] == vendor, result.stderr
