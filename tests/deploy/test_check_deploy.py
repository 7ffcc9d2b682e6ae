"""`careloop check-deploy`: refuses the embedded default, passes on the PostgreSQL profile."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.deploy.processes import CARELOOP, PostgresCluster, Service, run_careloop, wait_until


def check_deploy(environment: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CARELOOP), "check-deploy", *extra],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_embedded_default_is_not_a_production_deployment(tmp_path: Path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "CARELOOP_SECRET_KEY"}
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "careloop.settings.base"}
    environment["CARELOOP_DATA_DIR"] = str(tmp_path)
    finished = check_deploy(environment, "--skip-workers")
    assert finished.returncode != 0
    for finding in (
        "[FAIL] security settings: CARELOOP_SECRET_KEY is not set",
        "[FAIL] database: sqlite is the embedded default",
        "[FAIL] task broker: CELERY_BROKER_URL is not set",
        "[FAIL] shared cache: the cache is per process",
    ):
        assert finding in finished.stdout, finished.stdout


@pytest.mark.fault
def test_the_postgresql_redis_celery_profile_passes(
    postgres: PostgresCluster, broker_url: str, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "careloop.settings.production",
        "DATABASE_URL": postgres.url,
        "CELERY_BROKER_URL": broker_url,
        "CARELOOP_SECRET_KEY": "check-deploy-" + "s" * 50,
        "CARELOOP_DATA_DIR": str(tmp_path),
        "CARELOOP_ALLOWED_HOSTS": "care.example.com",
        "CARELOOP_BASE_URL": "https://care.example.com",
        "CARELOOP_EMAIL_HOST": "127.0.0.1",
    }
    environment.pop("CARELOOP_EMAIL_BACKEND", None)
    # The browser tests allow async-unsafe calls in this process; a deployment must not.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    before = check_deploy(environment, "--skip-workers")
    assert before.returncode != 0
    assert "migration(s) not applied" in before.stdout
    assert "run `careloop collectstatic`" in before.stdout

    run_careloop(environment, "migrate", "--verbosity=0")
    run_careloop(environment, "collectstatic", "--noinput", "--verbosity=0")
    worker = Service("worker", ["worker", "--pool=solo"], environment, tmp_path / "worker.log")
    worker.start()
    try:
        wait_until(lambda: " ready." in worker.log(), timeout=60, describe=worker.log)
        after = check_deploy(environment)
    finally:
        worker.stop()
    assert after.returncode == 0, after.stdout + after.stderr
    assert "[FAIL]" not in after.stdout and "[warn]" not in after.stdout, after.stdout
    assert "worker(s) answered" in after.stdout
    assert "Ready for production." in after.stdout
