"""Django's admin app, installed with careloop's audited site as `admin.site`.

Its own module: settings name it while apps load, before any model can be imported.
"""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    """django.contrib.admin, whose changes all land in the audit trail (core/admin_audit.py)."""

    default_site = "careloop.core.admin_audit.AuditedAdminSite"
