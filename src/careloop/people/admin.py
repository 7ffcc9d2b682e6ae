from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from careloop.people.models import BusinessHours, Organisation, Team, User, Value
from careloop.people.services import record_role_change


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class ValueInline(admin.TabularInline):
    model = Value
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone")
    inlines = (BusinessHoursInline, ValueInline)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("full_name",)
    list_display = ("full_name", "email", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    search_fields = ("full_name", "email")
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "full_name", "password")}),
        ("Work", {"fields": ("role", "team", "is_active")}),
        ("Derived", {"fields": ("is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "full_name", "role", "team", "password1", "password2")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        # Nobody changes their own role, here neither.
        if obj is not None and obj.pk == request.user.pk:
            fields += ("role",)
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        from_role = form.initial.get("role", "")
        super().save_model(request, obj, form, change)
        if change and "role" in form.changed_data:
            assert isinstance(request.user, User)
            record_role_change(request.user, obj, from_role=from_role, to_role=obj.role)
