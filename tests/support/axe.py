"""axe-core (shipped inside axe-playwright-python) on every page a browser test visits.

`AxeWatch(context)` adds axe to every document of a browser context as an init script (injected by
the browser's debugging protocol, so the app's CSP, which blocks injected scripts, stays on) and
runs it on each page's `load` event; the result comes back through an exposed binding. A test that
navigates on before axe has finished leaves that URL unchecked, so `check()` opens every such URL
again (GET) at the end and waits for its result: every visited page is checked, live or afterwards.

The rules are WCAG 2.0/2.1 levels A and AA; any violation fails the test, with the rule, the page
and the first elements.
"""

from __future__ import annotations

import json
import time
from importlib import resources
from urllib.parse import urlsplit

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUNNER = """
(() => {
  if (window.top !== window || !location.protocol.startsWith("http")) return;
  window.addEventListener("load", () => {
    axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]})
      .then(r => window.__kkAxe(location.href, r.violations.map(v => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))
      .catch(e => window.__kkAxe(location.href, [{id: "axe-error", impact: "error", help: String(e),
                                                   nodes: []}]));
  });
})();
"""


def _axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def _key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class AxeWatch:
    """Watches one browser context; `check()` returns the violations found, one line each."""

    def __init__(self, context, viewport: dict | None = None, ignore=()):
        self.context = context
        self.viewport = viewport
        self.visited: dict[str, str] = {}  # key -> full URL, in visiting order
        self.results: dict[str, list[dict]] = {}
        self.ignore = set(ignore)
        self._arm(context)
        context.on("page", self._watch)

    def _arm(self, context) -> None:
        context.expose_binding("__kkAxe", self._report)
        context.add_init_script(_axe_source() + ";\n" + _RUNNER % json.dumps(TAGS))

    def _watch(self, page) -> None:
        page.on("framenavigated", lambda frame: frame == page.main_frame and self._visit(frame.url))

    def _visit(self, url: str) -> None:
        if url.startswith("http"):
            self.visited.setdefault(_key(url), url)

    def _report(self, _source, url: str, violations: list[dict]) -> None:
        self.results[_key(url)] = violations

    def _revisit(self, urls: list[str], timeout: float) -> None:
        """Open `urls` again in a JavaScript-enabled twin of the context (same cookies): a context
        with JavaScript off never runs axe, and a page left before axe finished has no result."""
        twin = self.context.browser.new_context(storage_state=self.context.storage_state(),
                                                viewport=self.viewport)
        try:
            self._arm(twin)
            page = twin.new_page()
            for url in urls:
                page.goto(url)
                deadline = time.monotonic() + timeout
                while _key(page.url) not in self.results and time.monotonic() < deadline:
                    page.wait_for_timeout(25)
                if _key(page.url) not in self.results:
                    self.results[_key(url)] = [{"id": "axe-timeout", "impact": "error", "nodes": [],
                                               "help": f"axe gave no result within {timeout} s"}]
        finally:
            twin.close()

    def check(self, timeout: float = 10.0) -> list[str]:
        unchecked = [url for key, url in self.visited.items() if key not in self.results]
        if unchecked:
            self._revisit(unchecked, timeout)
        problems = []
        for key, violations in self.results.items():
            for v in violations:
                if v["id"] not in self.ignore:
                    where = ", ".join(v["nodes"])
                    problems.append(f"{key}: {v['id']} ({v['impact']}): {v['help']} — {where}")
        return problems
