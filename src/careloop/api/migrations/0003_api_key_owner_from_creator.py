"""Existing keys act as a person from now on, with every scope (what they could touch before).

The owner is the key's creator when they hold the role the key acted with, else the first
active employee holding that role, so no key gains rights it did not have. A key with
neither has no owner and stops working until an admin issues a new one.
"""

from django.db import migrations

EVERY_SCOPE = [
    "conversations:read",
    "conversations:write",
    "customers:read",
    "care:read",
    "care:execute",
]


def give_keys_owners(apps, schema_editor):
    ApiKey = apps.get_model("api", "ApiKey")
    User = apps.get_model("people", "User")
    for key in ApiKey.objects.filter(owner__isnull=True):
        same_role = User.objects.filter(is_active=True, role=key.role)
        key.owner = (
            same_role.filter(pk=key.created_by_id).first() or same_role.order_by("pk").first()
        )
        key.scopes = EVERY_SCOPE
        key.save(update_fields=["owner", "scopes"])


def give_keys_their_owners_roles(apps, schema_editor):
    ApiKey = apps.get_model("api", "ApiKey")
    for key in ApiKey.objects.select_related("owner"):
        person = key.owner
        if person is None:
            key.revoked_at = key.revoked_at or key.created_at
            person_role = "agent"  # the narrowest staff role, on a key that no longer works
        else:
            person_role = person.role
        key.role = person_role
        key.save(update_fields=["role", "revoked_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_api_key_owner_and_scopes"),
        ("people", "0001_initial"),
    ]

    operations = [migrations.RunPython(give_keys_owners, give_keys_their_owners_roles)]
