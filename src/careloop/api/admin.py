from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from careloop.api.models import ApiIdempotentResponse, ApiKey
from careloop.api.services import revoke_api_key
from careloop.people.models import User


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = (
        "name",
        "prefix",
        "owner",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    search_fields = ("name", "prefix")
    readonly_fields = (
        "prefix",
        "secret_sha256",
        "owner",
        "scopes",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke",)

    # Keys are issued on the API keys settings page (or `careloop create_api_key`), which shows
    # the secret once; kept keys are revoked, not deleted, so their history stays attributable.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            revoke_api_key(key, actor=request.user if isinstance(request.user, User) else None)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


@admin.register(ApiIdempotentResponse)
class ApiIdempotentResponseAdmin(admin.ModelAdmin[ApiIdempotentResponse]):
    list_display = ("idempotency_key", "method", "path", "status_code", "api_key", "completed_at")
    list_filter = ("status_code",)
    search_fields = ("idempotency_key", "path")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ApiIdempotentResponse | None = None
    ) -> bool:
        return False
