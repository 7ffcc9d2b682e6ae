"""The organisation export holds every domain's rows with counts that match the database,
the attachments, and nothing that would let someone sign in; only admins may take it."""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from careloop.conversations.models import Attachment, Customer, InboundRecord, Message
from careloop.core.models import AuditEvent
from careloop.core.permissions import Role
from careloop.core.privacy import erase_customer, purge_expired_data
from careloop.exports.models import OrganisationExport
from careloop.exports.services import exported_models
from careloop.learning.models import AnonymousReport
from careloop.people.models import User
from tests.fixtures.demo import shared_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

demo = shared_demo(conversations=12)


def read_export(
    path: Path,
) -> tuple[dict[str, object], dict[str, list[dict[str, object]]], set[str]]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        data = {
            name.removeprefix("data/").removesuffix(".jsonl"): [
                json.loads(line) for line in archive.read(name).splitlines()
            ]
            for name in archive.namelist()
            if name.startswith("data/")
        }
        files = {name for name in archive.namelist() if name.startswith("files/")}
    return manifest, data, files


@pytest.fixture
def attachment() -> Attachment:
    message = Message.objects.filter(author_kind=Message.Author.AGENT).first()
    assert message is not None
    stored = Attachment(
        message=message, filename="receipt.pdf", content_type="application/pdf", size=11
    )
    stored.file.save("receipt.pdf", ContentFile(b"%PDF-1.4 hi"), save=False)
    stored.save()
    return stored


def test_export_holds_every_model_with_the_database_counts_and_the_attachments(
    tmp_path: Path, attachment: Attachment
) -> None:
    InboundRecord.objects.create(channel="email", dedupe_key="raw-1", raw=b"\x00\xffFrom: a")

    call_command("export_organisation", str(tmp_path / "export.zip"))

    manifest, data, files = read_export(tmp_path / "export.zip")
    assert manifest["schema_version"] == 1
    labels = {model._meta.label_lower for model in exported_models()} - {
        "exports.organisationexport"
    }
    models = manifest["models"]
    assert isinstance(models, dict) and set(models) == labels == set(data)
    # Every domain is in it, and many-to-many links too.
    domains = {label.split(".")[0] for label in labels}
    assert {
        "conversations",
        "people",
        "learning",
        "pulse",
        "care",
        "feedback",
        "coaching",
    } <= domains
    assert "conversations.conversation_tags" in labels
    for label in labels:
        count = apps.get_model(label)._base_manager.count()
        # The audit trail gains the export's own entry once the file is written.
        written_after = 1 if label == "core.auditevent" else 0
        assert models[label]["rows"] == len(data[label]) == count - written_after, label
    assert sum(len(rows) for rows in data.values()) > 500
    assert f"files/{attachment.file.name}" in files
    raw = next(row for row in data["conversations.inboundrecord"] if row["dedupe_key"] == "raw-1")
    assert base64.b64decode(str(raw["raw"])) == b"\x00\xffFrom: a"


def test_export_leaves_out_credentials_and_adds_no_author_to_anonymous_rows(
    tmp_path: Path,
) -> None:
    AnonymousReport.objects.create(
        kind="near_miss", body="The refund tool skips a check.", reported_on="2026-01-05",
        follow_up_code_hash="f" * 64,
    )  # fmt: skip

    call_command("export_organisation", str(tmp_path / "export.zip"))

    _, data, _ = read_export(tmp_path / "export.zip")
    people = data["people.user"]
    assert people and all("password" not in person for person in people)
    report = next(r for r in data["learning.anonymousreport"] if r["body"].startswith("The refund"))
    assert set(report) == {"id", "kind", "body", "reported_on"}
    assert all("secret_sha256" not in key for key in data["api.apikey"])


def test_an_admin_requests_an_export_and_downloads_it_when_ready(
    client_as: Callable[[Role], Client], attachment: Attachment
) -> None:
    client = client_as(Role.ADMIN)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("exports:request"))

    assert response.status_code == 302
    export = OrganisationExport.objects.get()
    assert export.state == OrganisationExport.State.READY
    assert export.counts["conversations.conversation"] > 0
    page = client.get(reverse("exports:list"))
    assert f"Download export {export.pk}" in page.content.decode()

    download = client.get(reverse("exports:download", args=[export.pk]))

    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    path = default_storage.path(export.file.name)
    assert body == Path(path).read_bytes()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "organisation.export_requested",
        "organisation.export_built",
        "organisation.export_downloaded",
    } <= actions


@pytest.mark.parametrize("role", [Role.CX_LEADER, Role.PEOPLE_PARTNER, Role.TEAM_LEAD, Role.AGENT])
def test_only_admins_may_export_or_download(
    role: Role, client_as: Callable[[Role], Client], person_with_role: Callable[[Role], User]
) -> None:
    export = OrganisationExport.objects.create(
        requested_by=person_with_role(Role.ADMIN), state=OrganisationExport.State.READY
    )
    client = client_as(role)

    assert client.get(reverse("exports:list")).status_code == 403
    assert client.post(reverse("exports:request")).status_code == 403
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 403
    assert OrganisationExport.objects.count() == 1


def test_exports_expire_after_a_week_and_go_when_a_customer_is_erased(
    person_with_role: Callable[[Role], User],
) -> None:
    admin = person_with_role(Role.ADMIN)

    def ready_export(days_ago: int) -> OrganisationExport:
        export = OrganisationExport(
            requested_by=admin,
            state=OrganisationExport.State.READY,
            requested_at=timezone.now() - timedelta(days=days_ago),
        )
        export.file.save("export.zip", ContentFile(b"PK"), save=True)
        return export

    old, recent = ready_export(8), ready_export(1)
    old_path = Path(default_storage.path(old.file.name))

    purge_expired_data()

    assert list(OrganisationExport.objects.all()) == [recent]
    assert not old_path.exists()

    erase_customer(Customer.objects.first(), admin)  # type: ignore[arg-type]

    assert not OrganisationExport.objects.exists()
    assert not Path(default_storage.path(recent.file.name)).exists()
