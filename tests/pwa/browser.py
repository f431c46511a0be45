"""Helpers for the browser tests: Debian's chromium driven by Playwright on a phone profile.

Playwright's own browser download cannot work here, so the tests launch ``/usr/bin/chromium``
(tests/run.py installs it with apt when browser tests exist). One browser per test module,
one real Satchel server on loopback per module; screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import base64
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


HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="parent.__pwned=3">'
    "<script>parent.__pwned=4;alert(4)</script><rect width='10' height='10'/></svg>"
)


def hostile_credential(tracker: str) -> dict[str, object]:
    """A credential whose every text tries to run script (the DOM must show it as text)."""

    svg = "data:image/svg+xml;base64," + base64.b64encode(HOSTILE_SVG.encode()).decode()
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "did:web:evil.example",
            "type": ["Profile"],
            "name": "\u202eEvil U <img src=x onerror=alert(1)>",
            "url": "javascript:alert(5)",
        },
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "<b>Mallory</b>",
            "achievement": {
                "type": ["Achievement"],
                "name": "<script>window.__pwned=1</script>Hacker badge",
                "description": "Click [here](javascript:window.__pwned=6) "
                "<img src=x onerror=alert(7)>",
                "criteria": {"narrative": "<iframe src='https://evil.example'></iframe>Done"},
                "image": {"id": svg, "type": "Image"},
            },
            "result": [{"type": ["Result"], "value": "<svg onload=alert(8)>"}],
        },
        "evidence": [{"type": ["Evidence"], "id": tracker, "name": "<i>proof</i>"}],
        "image": tracker,
    }
