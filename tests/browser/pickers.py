"""Choosing in a picker (core/widgets.py) as a person does: type, then click the match."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


def pick(page: Page | Locator, label: str, typed: str, option: str | None = None) -> Locator:
    """Type into the picker labelled `label`, choose the first match, and wait for its chip."""
    # Forms rendered with as_div label fields "Owner:", templates without the colon.
    search = page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))
    search.fill(typed)
    picker = page.locator("[data-picker]").filter(has=search)
    picker.locator("[data-picker-option]").filter(has_text=option or typed).first.click()
    chip = picker.locator(".picker-chip").filter(has_text=option or typed)
    expect(chip).to_be_visible()
    return picker
