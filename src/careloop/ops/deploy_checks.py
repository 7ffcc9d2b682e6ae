"""What `careloop check-deploy` verifies before a production start, one small check each.

Each check returns a Result instead of raising, so an operator sees every problem at once.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor


class Outcome(Enum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Result:
    name: str
    outcome: Outcome
    detail: str


def _ok(name: str, detail: str) -> Result:
    return Result(name, Outcome.PASS, detail)


def _warn(name: str, detail: str) -> Result:
    return Result(name, Outcome.WARN, detail)


def _fail(name: str, detail: str) -> Result:
    return Result(name, Outcome.FAIL, detail)


def check_security_settings() -> Result:
    name = "security settings"
    if settings.DEBUG:
        return _fail(name, "DEBUG is on; use DJANGO_SETTINGS_MODULE=careloop.settings.production")
    if not os.environ.get("CARELOOP_SECRET_KEY"):
        return _fail(name, "CARELOOP_SECRET_KEY is not set; the demo key must not serve users")
    problems = [
        message
        for message in checks.run_checks(include_deployment_checks=True)
        if message.level >= checks.WARNING and not message.is_silenced()
    ]
    errors = [message for message in problems if message.level >= checks.ERROR]
    if errors:
        return _fail(name, "; ".join(f"{m.id}: {m.msg}" for m in errors))
    if problems:
        return _warn(name, "; ".join(f"{m.id}: {m.msg}" for m in problems))
    return _ok(name, "Django's deployment checks pass")


def check_database() -> Result:
    name = "database"
    if connection.vendor != "postgresql":
        return _fail(
            name,
            f"{connection.vendor} is the embedded default for one machine; "
            "set DATABASE_URL=postgres://... for production",
        )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # any failure is the finding
        return _fail(name, f"PostgreSQL is not reachable: {error}")
    if plan:
        return _fail(name, f"{len(plan)} migration(s) not applied; run `careloop migrate`")
    return _ok(name, f"PostgreSQL {version}, migrations applied")


def check_broker() -> Result:
    name = "task broker"
    if not settings.CELERY_BROKER_URL:
        return _fail(name, "CELERY_BROKER_URL is not set; tasks would run inside web requests")
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=3) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=3)
    except Exception as error:
        return _fail(name, f"{settings.CELERY_BROKER_URL} is not reachable: {error}")
    return _ok(name, "Celery broker reachable; tasks acknowledged late")


def check_cache() -> Result:
    name = "shared cache"
    backend = settings.CACHES["default"]["BACKEND"]
    if "locmem" in backend or "dummy" in backend:
        return _fail(
            name,
            "the cache is per process; presence and rate limits need CARELOOP_CACHE_URL (Redis)",
        )
    probe = f"careloop:check-deploy:{uuid.uuid4()}"
    try:
        cache.set(probe, "ok", 10)
        answered = cache.get(probe)
        cache.delete(probe)
    except Exception as error:
        return _fail(name, f"the cache is not reachable: {error}")
    if answered != "ok":
        return _fail(name, "the cache did not keep a value")
    return _ok(name, backend.rsplit(".", 1)[-1])


def check_static_files() -> Result:
    name = "static files"
    from django.contrib.staticfiles.storage import staticfiles_storage

    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    if manifest_name is None:
        return _warn(name, "static files are not fingerprinted (no manifest storage)")
    if not Path(settings.STATIC_ROOT, manifest_name).exists():
        return _fail(
            name, f"no {manifest_name} in {settings.STATIC_ROOT}; run `careloop collectstatic`"
        )
    return _ok(name, f"collected in {settings.STATIC_ROOT}")


def check_media_storage() -> Result:
    name = "uploaded files"
    media_root = Path(settings.MEDIA_ROOT)
    try:
        media_root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=media_root):
            pass
    except OSError as error:
        return _fail(name, f"{media_root} is not writable: {error}")
    return _ok(name, f"{media_root} is writable (share it between web nodes)")


def check_email() -> Result:
    name = "email"
    backend = str(settings.MAILERS["default"]["BACKEND"])
    if "console" in backend or "locmem" in backend or "dummy" in backend:
        return _warn(name, "outgoing email goes nowhere; set CARELOOP_EMAIL_HOST")
    if not settings.CARELOOP_BASE_URL.startswith("https://"):
        return _warn(name, "CARELOOP_BASE_URL is not https; links in emails would be insecure")
    return _ok(name, backend.rsplit(".", 2)[-2])


def check_empathy_models() -> Result:
    name = "empathy models"
    from careloop.empathy.heads import get_heads

    try:
        get_heads()
    except Exception as error:
        return _fail(name, f"the shipped heads do not load: {error}")
    return _ok(name, "loaded from the installed package")


def check_workers() -> Result:
    name = "workers"
    if not settings.CELERY_BROKER_URL:
        return _fail(name, "no broker, so no workers")
    from careloop.core.celery import app

    try:
        replies = app.control.ping(timeout=2.0) or []
    except Exception as error:
        return _warn(name, f"could not ask workers: {error}")
    if not replies:
        return _warn(name, "no Celery worker answered; start `careloop worker` (one with --beat)")
    return _ok(name, f"{len(replies)} worker(s) answered")


def run_deploy_checks(*, ask_workers: bool = True) -> list[Result]:
    steps: list[Callable[[], Result]] = [
        check_security_settings,
        check_database,
        check_broker,
        check_cache,
        check_static_files,
        check_media_storage,
        check_email,
        check_empathy_models,
    ]
    if ask_workers:
        steps.append(check_workers)
    return [step() for step in steps]
