"""Python Playwright driving Debian's chromium (never ``playwright install``: no downloads).

from playwright.sync_api import sync_playwright
from tests.support import require
from tests.support.browser import browser_available, launch

require(browser_available())
with sync_playwright() as p:
    browser = launch(p)
    try:
        page = browser.new_page(viewport={"width": 375, "height": 667})
        page.goto(server.url)
    finally:
        browser.close()
"""

from __future__ import annotations

import os
import shutil

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "browser_available", "launch", "layout_problems", "log_in"]

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps trying (and failing) to reach
# Google services through this machine's closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def browser_available() -> str | None:
    """None if Playwright + Debian chromium are usable, else the reason they are not."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        hint = shutil.which("chromium") or "apt-get install chromium"
        return f"{CHROMIUM} not found or not executable ({hint})"
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except Exception as exc:  # ImportError, or a broken install
        return f"playwright not importable: {exc!r} (pip install playwright)"
    return None


def launch(playwright, **kw):
    """``playwright.chromium.launch`` on Debian's chromium, headless, with CHROMIUM_ARGS.

    Extra ``args=[...]`` are appended to CHROMIUM_ARGS; other keywords pass through.
    """
    args = [*CHROMIUM_ARGS, *kw.pop("args", [])]
    kw.setdefault("headless", True)
    kw.setdefault("executable_path", CHROMIUM)
    return playwright.chromium.launch(args=args, **kw)


LAYOUT_PROBLEMS = """ignore => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    problems.push(`horizontal scroll: scrollWidth ${doc.scrollWidth} > innerWidth ${window.innerWidth}`);
  }
  const shown = el => {
    const r = el.getBoundingClientRect();
    return getComputedStyle(el).visibility !== "hidden" && r.width > 1 && r.height > 1;
  };
  const targets = document.querySelectorAll(
    "main input:not([type=hidden]), main button, main a, main select, main textarea, main summary");
  for (const el of targets) {
    if (ignore && el.matches(ignore)) continue;
    const label = el.closest("label");  // a radio button's or checkbox's touch target is its label
    if (!shown(label || el)) continue;
    const height = (label || el).getBoundingClientRect().height;
    if (height < 44) {
      problems.push(`touch target ${Math.round(height)}px high: ${el.outerHTML.slice(0, 100)}`);
    }
  }
  // A word of letters split over two lines: the stylesheet let a box shrink below its words (issue #11,
  // fix 9). Only long tokens (e-mails) may break anywhere; the week grid's headers break at their soft
  // hyphens (a word with soft hyphens is not a run of letters here).
  const root = document.querySelector("main") || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const broken = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const exempt = ".token, .sr, script, style";
    if (!parent || parent.closest(exempt) || !shown(parent)) continue;
    // whole words only: a run of letters inside a link or token (".../s/Bpemt2x") may break anywhere
    for (const m of node.data.matchAll(/(?<=^|[\\s(])\\p{L}{4,}(?=$|[\\s.,:;!?)])/gu)) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) broken.add(m[0]);
    }
  }
  for (const word of broken) problems.push(`word broken across lines: ${word}`);
  return problems;
}"""


def layout_problems(page, ignore: str | None = None) -> list[str]:
    """Sideways scrolling, inputs/buttons/links in <main> (or their labels) under 44 px high, and words
    broken mid-word across lines.

    Waits for the load event first: after a form submit the new page's DOM can be queried before its
    stylesheet has arrived, and unstyled inputs measure ~21 px (a flaky failure under CI load)."""
    page.wait_for_load_state("load")
    return page.evaluate(LAYOUT_PROBLEMS, ignore)


def log_in(page, base_url: str, email: str, password: str) -> None:
    """Log in on the organizers' login page and wait until the app has let us past it.

    Waiting for the URL (up to 30 s) instead of for the next page's first link keeps a slow CI
    machine from failing the test; when the login really fails, the error says where the browser is
    and what the page says (a flash message, a two-factor prompt), not just "link not found"."""
    page.goto(f"{base_url}/admin/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    try:
        page.wait_for_url(lambda url: not url.split("?")[0].endswith("/admin/login"), timeout=30_000)
        page.wait_for_load_state("load")
    except Exception as exc:
        text = " ".join(page.locator("body").inner_text().split())[:500]
        raise AssertionError(f"login as {email} did not get past {page.url}: {text!r}") from exc
