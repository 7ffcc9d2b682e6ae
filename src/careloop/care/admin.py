from django.contrib import admin

from careloop.care.models import Allowance, AllowanceLedger, CareSettings, Gesture


@admin.register(Gesture)
class GestureAdmin(admin.ModelAdmin[Gesture]):
    list_display = (
        "kind",
        "amount",
        "currency",
        "status",
        "execution_status",
        "team",
        "created_at",
    )
    list_filter = ("kind", "status", "execution_status", "booking")
    raw_id_fields = ("customer", "conversation", "agent", "decided_by")
    readonly_fields = ("idempotency_key",)


@admin.register(Allowance)
class AllowanceAdmin(admin.ModelAdmin[Allowance]):
    list_display = ("__str__", "per_incident_limit", "period_limit", "updated_at")
    raw_id_fields = ("agent", "updated_by")


@admin.register(AllowanceLedger)
class AllowanceLedgerAdmin(admin.ModelAdmin[AllowanceLedger]):
    list_display = ("key", "scope", "granted", "updated_at")
    search_fields = ("key",)


admin.site.register(CareSettings)
