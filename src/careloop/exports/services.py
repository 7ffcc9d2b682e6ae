"""Everything the organisation keeps in careloop, in one zip it can take elsewhere.

Inside: `data/<app>.<model>.jsonl` (one JSON object per row, every domain, every model,
many-to-many links included), `files/<stored name>` (attachments and other uploads, under
the name the `file` columns give) and `manifest.json` (schema version, rows per model, files).
Rows are streamed in primary-key order, never loaded whole, inside one read transaction so
the counts agree with each other. Rows are written as stored: nothing is joined in, so
anonymous rows stay without an author. Credentials (password and key hashes, webhook
secrets and Slack/Teams webhook URLs, anonymous follow-up code hashes) are left out: they
would only let someone in.
"""

from __future__ import annotations

import base64
import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from careloop.core.audit import record_audit
from careloop.core.privacy import CustomerIdentities
from careloop.exports.models import OrganisationExport

SCHEMA_VERSION = 1
CHUNK_ROWS = 2000
# A Slack or Teams incoming-webhook URL lets anyone holding it post to the channel.
CREDENTIAL_NAMES = ("password", "webhook_url")
CREDENTIAL_ENDINGS = ("_hash", "_sha256", "secret")


class ExportEncoder(DjangoJSONEncoder):
    """Times in ISO 8601, decimals and UUIDs as strings, binary columns (raw emails) base64."""

    def default(self, o: Any) -> Any:
        if isinstance(o, bytes | memoryview):
            return base64.b64encode(bytes(o)).decode("ascii")
        return super().default(o)


@dataclass
class ExportManifest:
    schema_version: int
    exported_at: str
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: int = 0
    missing_files: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {label: entry["rows"] for label, entry in self.models.items()}


def exported_models() -> list[type[models.Model]]:
    """Every careloop model with a table of its own, auto-created link tables included."""
    return sorted(
        (
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_config is not None
            and model._meta.app_config.name.startswith("careloop.")
            and not model._meta.proxy
            and model._meta.managed
        ),
        key=lambda model: model._meta.label_lower,
    )


def is_credential(column: models.Field[Any, Any]) -> bool:
    return column.name in CREDENTIAL_NAMES or column.name.endswith(CREDENTIAL_ENDINGS)


def exported_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [column for column in model._meta.concrete_fields if not is_credential(column)]


def _rows(model: type[models.Model], columns: list[str]) -> Iterator[dict[str, Any]]:
    # Primary-key order, never storage order: random keys (anonymous answers) keep saying
    # nothing about who answered first.
    return model._base_manager.order_by("pk").values(*columns).iterator(chunk_size=CHUNK_ROWS)


def _file_names(model: type[models.Model]) -> Iterator[str]:
    for column in model._meta.concrete_fields:
        if isinstance(column, models.FileField):
            names = model._base_manager.exclude(**{column.attname: ""}).order_by("pk")
            yield from names.values_list(column.attname, flat=True).iterator(chunk_size=CHUNK_ROWS)


def write_export(target: Path | IO[bytes]) -> ExportManifest:
    """Write the whole organisation's data as a zip to `target`; returns its manifest."""
    manifest = ExportManifest(SCHEMA_VERSION, timezone.now().isoformat())
    # One snapshot for every table, so links and counts agree. A transaction the caller
    # already holds (a test's) keeps its own isolation level.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(), zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in exported_models():
            if model is OrganisationExport:
                continue
            label = model._meta.label_lower
            fields = exported_fields(model)
            columns = [column.attname for column in fields]
            rows = 0
            with archive.open(f"data/{label}.jsonl", "w") as lines:
                for row in _rows(model, columns):
                    lines.write(json.dumps(row, cls=ExportEncoder, ensure_ascii=False).encode())
                    lines.write(b"\n")
                    rows += 1
            manifest.models[label] = {
                "file": f"data/{label}.jsonl",
                "rows": rows,
                "fields": columns,
            }
            for name in _file_names(model):
                if not default_storage.exists(name):
                    manifest.missing_files.append(name)
                    continue
                with (
                    default_storage.open(name, "rb") as stored,
                    archive.open(f"files/{name}", "w") as copy,
                ):
                    shutil.copyfileobj(stored, copy, 1 << 20)
                manifest.files += 1
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "schema_version": manifest.schema_version,
                    "exported_at": manifest.exported_at,
                    "models": manifest.models,
                    "files": manifest.files,
                    "missing_files": manifest.missing_files,
                },
                indent=2,
            ),
        )
    return manifest


def request_export(admin: Any) -> OrganisationExport:
    """Queue an export for `admin`; the task builds it, and the admin downloads it when ready."""
    from careloop.exports.tasks import build_organisation_export

    export = OrganisationExport.objects.create(requested_by=admin)
    record_audit(admin, "organisation.export_requested", export)
    transaction.on_commit(lambda: build_organisation_export.enqueue(export.pk))
    return export


def build_export(export: OrganisationExport) -> OrganisationExport:
    """Write the export's file (idempotent: a ready export is left as it is)."""
    if export.state == OrganisationExport.State.READY:
        return export
    name = export.file.field.generate_filename(export, "export.zip")
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        manifest = write_export(path)
    except Exception as error:
        export.state, export.problem = OrganisationExport.State.FAILED, str(error)[:2000]
        export.finished_at = timezone.now()
        export.save(update_fields=["state", "problem", "finished_at"])
        raise
    export.file.name = name
    export.size = path.stat().st_size
    export.counts = manifest.counts
    export.state, export.finished_at = OrganisationExport.State.READY, timezone.now()
    export.save(update_fields=["file", "size", "counts", "state", "finished_at"])
    record_audit(None, "organisation.export_built", export, summary=f"{export.size} bytes")
    return export


def record_download(admin: Any, export: OrganisationExport) -> None:
    record_audit(admin, "organisation.export_downloaded", export)


# An export holds every customer's data: it is for moving out, not for keeping.
EXPORT_KEPT_FOR = timedelta(days=7)


def _remove(exports: QuerySet[OrganisationExport]) -> int:
    removed = 0
    for export in exports:
        if export.file:
            export.file.delete(save=False)
        export.delete()
        removed += 1
    return removed


def purge_expired_exports(now: datetime) -> int:
    """Remove exports older than EXPORT_KEPT_FOR, their files first (the nightly purge)."""
    return _remove(OrganisationExport.objects.filter(requested_at__lt=now - EXPORT_KEPT_FOR))


def erase_customer_from_exports(identities: CustomerIdentities) -> int:
    """An erased customer must not live on in an export file: every export made so far goes."""
    return _remove(OrganisationExport.objects.all())
