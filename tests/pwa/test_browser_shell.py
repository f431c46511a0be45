"""The app shell in a real browser: install, offline shell, update flow, untrusted content,
accessibility, Spanish, layout on a 360 px phone and on a desktop."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from pwa.frontend import STATIC_DIR, shell_of
from tests.appserver import AppServer, make_settings
from tests.pwa.browser import (
    go,
    hostile_credential,
    open_app,
    phone,
    record,
    screenshot,
    serious_axe_violations,
    wait_ready,
)

# Screens that need no account and no other service.
PUBLIC_SCREENS = [
    ("home", "#/"),
    ("more", "#/more"),
    ("scan", "#/scan"),
    ("verify", "#/verify"),
    ("verify-request", "#/verify/request"),
    ("career-fair", "#/fair"),
    ("walkthrough", "#/walkthrough"),
    ("settings", "#/settings"),
    ("sign-in", "#/signin"),
    ("sign-up", "#/signup"),
    ("not-found", "#/nowhere"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(make_settings(tmp_path_factory.mktemp("shell"))).start()
    yield srv
    srv.stop()


@pytest.fixture
def page(playwright: Playwright, browser: Browser) -> Iterator[Page]:
    context = phone(playwright, browser)
    yield context.new_page()
    context.close()


def _worker_ready(page: Page) -> str:
    """Wait for the service worker to control the page; its version."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return str(
        page.evaluate(
            """() => new Promise((resolve) => {
                const channel = new MessageChannel();
                channel.port1.onmessage = (e) => resolve(e.data.version);
                navigator.serviceWorker.controller.postMessage({type: "version"}, [channel.port2]);
            })"""
        )
    )


def test_installable_manifest_and_service_worker(page: Page, server: AppServer) -> None:
    open_app(page, server.url("/"))
    manifest = page.evaluate(
        """async () => {
            const link = document.querySelector('link[rel="manifest"]');
            const response = await fetch(link.href);
            return {type: response.headers.get("content-type"), body: await response.json()};
        }"""
    )
    assert manifest["type"].startswith("application/manifest+json")
    assert manifest["body"]["display"] == "standalone"
    version = _worker_ready(page)
    assert version == shell_of(server.app).version
    registration = page.evaluate(
        """async () => {
            const r = await navigator.serviceWorker.getRegistration();
            return {scope: r.scope, script: r.active.scriptURL, state: r.active.state};
        }"""
    )
    assert registration == {
        "scope": server.url("/"),
        "script": server.url("/sw.js"),
        "state": "activated",
    }
    cached = page.evaluate(
        """async (v) => (await (await caches.open("satchel-shell-" + v)).keys())
            .map((r) => new URL(r.url).pathname)""",
        version,
    )
    assert {"/", "/static/js/app.js", "/static/app.css", "/manifest.webmanifest"} <= set(cached)
    assert "/static/locales/es.json" in cached
    assert page.evaluate("document.querySelector('meta[name=theme-color]').content") == "#1e3a8a"
    # The theme colour, icons and start URL an install prompt uses are served.
    icons = page.evaluate(
        """async (m) => Promise.all(m.icons.map(async (i) => (await fetch(i.src)).status))""",
        manifest["body"],
    )
    assert set(icons) == {200}


def test_first_render_is_recorded(page: Page, server: AppServer) -> None:
    open_app(page, server.url("/"))
    timing = page.evaluate(
        """() => {
            const nav = performance.getEntriesByType("navigation")[0];
            const paint = performance.getEntriesByName("first-contentful-paint")[0];
            const bytes = performance.getEntriesByType("resource")
                .reduce((sum, r) => sum + r.transferSize, nav.transferSize);
            return {fcp_ms: paint ? paint.startTime : null, load_ms: nav.loadEventEnd,
                    transferred_bytes: bytes};
        }"""
    )
    record("first-render", timing)
    assert timing["fcp_ms"] is not None  # a paint happened; the number is reported, not timed


def test_shell_opens_offline_with_the_offline_banner(page: Page, server: AppServer) -> None:
    open_app(page, server.url("/"))
    _worker_ready(page)
    page.context.set_offline(True)
    try:
        page.reload()
        wait_ready(page)
        expect(page.locator("h1")).to_have_text("Your credentials, yours to keep")
        banner = page.locator("#offline-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Offline")
        go(page, "#/verify")
        expect(page.locator("h1")).to_have_text("Verify a credential")
        screenshot(page, "offline-shell")
    finally:
        page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#offline-banner")).to_be_hidden()


def test_update_available_banner_then_reload(page: Page, server: AppServer, tmp_path: Path) -> None:
    open_app(page, server.url("/"))
    old = _worker_ready(page)
    shell = shell_of(server.app)
    release = tmp_path / "release"
    shutil.copytree(STATIC_DIR, release)
    css = release / "app.css"
    css.write_text(css.read_text() + "\n.release-marker { display: none; }\n")
    shell.load(release)
    try:
        assert shell.version != old
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        banner = page.locator("#update-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Update available")
        screenshot(page, "update-available")
        with page.expect_navigation():
            banner.get_by_role("button", name="Reload").click()
        wait_ready(page)
        assert _worker_ready(page) == shell.version
        keys = page.evaluate("caches.keys()")
        assert f"satchel-shell-{shell.version}" in keys
        assert f"satchel-shell-{old}" not in keys
        assert page.evaluate(
            "fetch('/static/app.css').then((r) => r.text())"
            ".then((t) => t.includes('release-marker'))"
        )
    finally:
        shell.load(STATIC_DIR)


MARKDOWN_CASES = """async () => {
    const { renderMarkdown } = await import("/static/js/markdown.js");
    const render = (source) => { const div = document.createElement("div");
        div.append(renderMarkdown(source)); return div; };
    const cases = {};
    let d = render('<script>window.__pwned = 1</script>Hello <b onclick="x()">bold</b>');
    cases.script = {text: d.textContent, elements: d.querySelectorAll("script, b").length};
    d = render("[click](javascript:alert(1)) and [data](data:text/html,<script>x</script>)");
    cases.jsLink = {links: d.querySelectorAll("a").length, text: d.textContent};
    d = render("[site](https://example.org/a?b=1) <mailto:a@example.org>");
    cases.okLinks = [...d.querySelectorAll("a")].map((a) => [a.getAttribute("href"), a.rel]);
    d = render('<img src=x onerror="window.__pwned=2">![tracker](https://t.example/p.png)');
    cases.images = {imgs: d.querySelectorAll("img").length, text: d.textContent};
    d = render("# Title\\n\\n**strong** *em* `<code>`\\n\\n- one\\n- two\\n\\n> quote");
    cases.format = {strong: d.querySelectorAll("strong").length,
        em: d.querySelectorAll("em").length, code: d.querySelector("code").textContent,
        items: d.querySelectorAll("li").length,
        quote: d.querySelectorAll("blockquote").length};
    d = render('<iframe src="https://evil.example"></iframe><!-- <script>x</script> -->after');
    cases.iframe = {frames: d.querySelectorAll("iframe").length, text: d.textContent};
    d = render('[x](JaVaScRiPt:alert(1)) [y]( javascript:alert(1)) [z](java\\tscript:1)');
    cases.obfuscated = d.querySelectorAll("a").length;
    cases.pwned = window.__pwned ?? null;
    return cases;
}"""


def test_markdown_sanitizer_drops_html_and_unsafe_links(page: Page, server: AppServer) -> None:
    open_app(page, server.url("/"))
    cases = page.evaluate(MARKDOWN_CASES)
    assert cases["script"] == {"text": "Hello bold", "elements": 0}
    assert cases["jsLink"]["links"] == 0
    assert cases["jsLink"]["text"].startswith("click and data")
    assert cases["okLinks"] == [
        ["https://example.org/a?b=1", "noopener noreferrer nofollow"],
        ["mailto:a@example.org", "noopener noreferrer nofollow"],
    ]
    assert cases["images"] == {"imgs": 0, "text": "tracker"}
    assert cases["format"] == {"strong": 2, "em": 1, "code": "<code>", "items": 2, "quote": 1}
    assert cases["iframe"] == {"frames": 0, "text": "after"}
    assert cases["obfuscated"] == 0
    assert cases["pwned"] is None


def test_hostile_credential_renders_inertly(page: Page, server: AppServer) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_app(page, server.url("/"))
    tracker = "https://tracker.example/pixel.png"
    page.evaluate(
        """async (cred) => {
            const { renderCredential } = await import("/static/js/credential.js");
            const main = document.getElementById("main");
            main.replaceChildren(renderCredential(cred));
        }""",
        hostile_credential(tracker),
    )
    page.wait_for_timeout(300)  # let any image load (and any script that would run) happen
    name = page.locator(".cred-name")
    expect(name).to_have_text("<script>window.__pwned=1</script>Hacker badge")
    assert page.locator("main script, main iframe, main svg").count() == 0
    assert page.evaluate("window.__pwned ?? null") is None
    assert dialogs == []
    # The SVG is shown through <img> (where its script cannot run), nothing remote was fetched.
    image = page.locator("img.badge-image")
    expect(image).to_have_count(1)
    assert image.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.querySelector('img.badge-image').complete")
    assert not any("tracker.example" in url or "evil.example" in url for url in requests)
    # Names are bidi-isolated and the issuer's DID domain sits beside its name.
    issuer = page.locator(".cred-issuer .issuer")
    expect(issuer.locator("bdi")).to_have_attribute("dir", "auto")
    expect(issuer).to_contain_text("(evil.example)")
    # No link leads to javascript:.
    hrefs = page.eval_on_selector_all("main a", "(as) => as.map((a) => a.getAttribute('href'))")
    assert all(h and not h.lower().startswith("javascript") for h in hrefs)
    assert tracker in hrefs  # the evidence link is a plain, user-followed link
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, "hostile-credential")


@pytest.mark.parametrize(("name", "route"), PUBLIC_SCREENS)
def test_public_screens_are_accessible_and_fit_a_phone(
    page: Page, server: AppServer, name: str, route: str
) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    open_app(page, server.url("/") + route)
    assert page.locator("h1").count() == 1
    assert serious_axe_violations(page) == []
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 360 px"
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                'button, a.button, .bottom-nav a, select, summary, input[type=text], '
                + 'input[type=search], input[type=url], input[type=password], label.button')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => { const r = el.getBoundingClientRect();
                return {el: el.outerHTML.slice(0, 80), w: r.width, h: r.height}; })
            .filter((r) => r.w < 44 || r.h < 44)"""
    )
    assert small == [], f"touch targets under 44 px on {name}: {small}"
    screenshot(page, f"screen-{name}")


def test_bottom_navigation_is_within_thumb_reach(page: Page, server: AppServer) -> None:
    open_app(page, server.url("/#/verify"))
    viewport = page.viewport_size
    assert viewport is not None
    nav = page.locator("#nav").bounding_box()
    assert nav is not None and nav["y"] + nav["height"] >= viewport["height"] - 1
    current = page.locator("#nav a[aria-current='page']")
    expect(current).to_have_text("Verify")
    action = page.locator(".actions").first.bounding_box()
    assert action is not None and action["y"] > viewport["height"] / 2


def test_spanish_from_the_browser_and_the_switch(
    playwright: Playwright, browser: Browser, server: AppServer
) -> None:
    context = phone(playwright, browser, locale="es-ES")
    page = context.new_page()
    try:
        open_app(page, server.url("/"))
        assert page.evaluate("document.documentElement.lang") == "es"
        expect(page.locator("h1")).to_have_text("Tus credenciales, siempre tuyas")
        expect(page.locator("#nav")).to_contain_text("Verificar")
        assert serious_axe_violations(page) == []
        screenshot(page, "screen-home-es")
        go(page, "#/verify")
        expect(page.locator("h1")).to_have_text("Verificar una credencial")
        switch = page.locator("#lang")
        expect(switch).to_have_text("English")
        switch.click()
        expect(page.locator("h1")).to_have_text("Verify a credential")
        assert page.evaluate("document.documentElement.lang") == "en"
        page.reload()
        wait_ready(page)
        expect(page.locator("h1")).to_have_text("Verify a credential")  # remembered
    finally:
        context.close()


def test_desktop_layout(browser: Browser, server: AppServer) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        open_app(page, server.url("/#/more"))
        nav = page.locator("#nav").bounding_box()
        assert nav is not None and nav["x"] == 0 and nav["height"] > 600  # a side bar
        main = page.locator("main").bounding_box()
        assert main is not None and main["x"] >= nav["width"]
        assert serious_axe_violations(page) == []
        screenshot(page, "desktop-more")
    finally:
        context.close()


def test_keyboard_focus_moves_to_each_new_screen(page: Page, server: AppServer) -> None:
    open_app(page, server.url("/"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    go(page, "#/scan")
    assert page.evaluate("document.activeElement.tagName") == "H1"


def test_reduced_motion_is_respected(
    playwright: Playwright, browser: Browser, server: AppServer
) -> None:
    context = phone(playwright, browser, reduced_motion="reduce")
    page = context.new_page()
    try:
        open_app(page, server.url("/"))
        duration = page.evaluate(
            "getComputedStyle(document.querySelector('.card-link')).transitionDuration"
        )
        assert duration in ("0s", "")
    finally:
        context.close()


def test_dark_mode_keeps_contrast(
    playwright: Playwright, browser: Browser, server: AppServer
) -> None:
    context = phone(playwright, browser, color_scheme="dark")
    try:
        for name, route in PUBLIC_SCREENS:
            page = context.new_page()
            open_app(page, server.url("/") + route)
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
            assert serious_axe_violations(page) == [], name
            screenshot(page, f"dark-{name}")
            page.close()
    finally:
        context.close()
