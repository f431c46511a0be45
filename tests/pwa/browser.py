"""Helpers for the browser tests: Debian's chromium driven by Playwright on a phone profile.

Playwright's own browser download cannot work here, so the tests launch ``/usr/bin/chromium``
(tests/run.py installs it with apt when browser tests exist). One browser per test module,
one real Satchel server on loopback per module; screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = "Pixel 7"


def launch(playwright: Playwright) -> Browser:
    """Headless Debian chromium."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def phone(playwright: Playwright, browser: Browser, **options: Any) -> BrowserContext:
    """A phone-sized, touch-enabled context (Pixel 7), English unless told otherwise."""
    settings: dict[str, Any] = {**playwright.devices[PHONE], "locale": "en-US"}
    settings.update(options)
    context = browser.new_context(**settings)
    context.set_default_timeout(15_000)
    return context


def wait_ready(page: Page) -> None:
    """Wait until the app has rendered the current screen."""
    page.wait_for_selector("main[data-ready='true']")


def open_app(page: Page, url: str) -> None:
    """Navigate and wait for the screen to render."""
    page.goto(url)
    wait_ready(page)


def go(page: Page, hash_route: str) -> None:
    """Switch screen inside the app (hash route) and wait for it."""
    page.evaluate("(h) => { location.hash = h; }", hash_route)
    page.wait_for_function(
        "(h) => location.hash === h && document.querySelector(\"main[data-ready='true']\")",
        arg=hash_route,
    )


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/screens/."""
    path = ARTIFACTS / "screens" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core (WCAG 2.x A/AA and best practices): the serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def record(name: str, data: Any) -> None:
    """Save measurements as JSON under tests/artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(data, indent=2))
