"""Steps on the Letters tab shared by the letter browser tests."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page


def letters_tab(page: Page) -> Locator:
    """Open the Letters tab of the process shown; its panel."""
    page.get_by_role("tab", name="Letters").click()
    return page.locator(".q-tab-panel").filter(has=page.get_by_text(re.compile(r"^Letters \(\d+\)$")))


def open_code(letters: Locator) -> None:
    """Unfold the template code (for experts) and wait until it shows."""
    from playwright.sync_api import expect

    letters.get_by_role("button", name='Expand "Template code (for experts)"').click()
    expect(letters.get_by_role("button", name='Collapse "Template code (for experts)"')).to_be_visible()
