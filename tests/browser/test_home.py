"""The start page on a phone: it fits the screen, and its login link leads to the login page."""

from __future__ import annotations

import pytest

from tests.support.browser import layout_problems

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


def test_start_page_fits_a_phone_and_leads_to_the_login(new_page, live, shot):
    page = new_page(viewport={"width": 375, "height": 667})
    page.goto(f"{live.url}/")
    expect(page.locator("main h1")).to_have_text("Kraftkartan")
    assert layout_problems(page) == []  # no sideways scrolling, targets at least 44 px high
    shot(page, "start")
    with page.expect_navigation():
        page.get_by_role("link", name="Logga in för organisatörer").click()
    assert page.url == f"{live.url}/admin/login"
    expect(page.locator("main h1")).to_have_text("Logga in")
