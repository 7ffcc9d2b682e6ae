"""The set-up check warns when the pages would be served without htmx, and only then."""

from __future__ import annotations

from pathlib import Path

from django.test import override_settings

from careloop.ops.checks import front_end_packages_installed


def test_no_warning_when_htmx_is_served_from_the_installed_packages() -> None:
    assert front_end_packages_installed(None) == []


def test_warns_when_htmx_is_missing_where_the_pages_ask_for_it(tmp_path: Path) -> None:
    with override_settings(STATICFILES_DIRS=[("vendor/htmx", tmp_path)]):
        warnings = front_end_packages_installed(None)

    assert [warning.id for warning in warnings] == ["careloop.W001"]


def test_no_warning_when_static_files_are_collected_rather_than_found(tmp_path: Path) -> None:
    with override_settings(
        STATICFILES_DIRS=[("vendor/htmx", tmp_path)], WHITENOISE_USE_FINDERS=False
    ):
        assert front_end_packages_installed(None) == []
