from django.test import override_settings

from careloop.core.links import absolute_url, absolute_url_for


@override_settings(CARELOOP_BASE_URL="https://care.example.com/")
def test_a_base_url_with_a_trailing_slash_gives_no_double_slash() -> None:
    assert absolute_url("/inbox/") == "https://care.example.com/inbox/"


@override_settings(CARELOOP_BASE_URL="https://care.example.com")
def test_a_named_view_is_reversed_under_the_base_url() -> None:
    assert absolute_url_for("care:gesture", 7) == "https://care.example.com/care/gestures/7/"
    assert absolute_url_for("recognition:story", pk=3).startswith("https://care.example.com/")
