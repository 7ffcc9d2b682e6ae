from django.contrib import admin

from careloop.conversations.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "company", "language", "created_at")
    search_fields = ("full_name", "email", "company")
