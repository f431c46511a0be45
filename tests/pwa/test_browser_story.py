"""The portability story in real browsers on one real server (issuer, wallet, verifier, PWA):

career services offers a badge as an OpenID4VCI QR code; a learner reads the QR image with the
app's scanner and keeps the badge; bundles it with a second credential into a CLR; shares it;
an employer opens the link and sees "Verified" with both nested credentials; the issuer revokes
the badge; the employer checks again and sees "revoked". Then: the cross-device request (the
employer's page updates by itself when the learner answers), the wallet offline, and an axe scan
of every learner screen, in English and Spanish.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.appserver import AppServer, make_settings
from tests.pwa.browser import go, open_app, phone, screenshot, serious_axe_violations, wait_ready


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(make_settings(tmp_path_factory.mktemp("story"))).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def story() -> dict[str, Any]:
    """What one step leaves for the next (the steps are one story, run in order)."""
    return {}


def _context(playwright: Playwright, browser: Browser, **options: Any) -> BrowserContext:
    context = phone(playwright, browser, **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    return context


@pytest.fixture(scope="module")
def career(playwright: Playwright, browser: Browser, server: AppServer) -> Iterator[Page]:
    context = _context(playwright, browser)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def learner(playwright: Playwright, browser: Browser, server: AppServer) -> Iterator[Page]:
    context = _context(playwright, browser)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def employer(playwright: Playwright, browser: Browser, server: AppServer) -> Iterator[Page]:
    context = _context(playwright, browser)
    page = context.new_page()
    yield page
    context.close()


def _sign_up(page: Page, server: AppServer, username: str) -> None:
    open_app(page, server.url("/#/signup"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("correct horse battery staple")
    page.locator("form button[type=submit]").click()
    page.wait_for_function("() => location.hash === '#/wallet'")
    wait_ready(page)


def _offer_qr_png(career: Page, server: AppServer) -> bytes:
    """Career services creates an offer; the QR code exactly as the page shows it."""
    open_app(career, server.url("/#/career"))
    career.get_by_label("Issuer token").fill(str(server.settings.issuer_token))
    career.get_by_role("button", name="Save").click()
    wait_ready(career)
    expect(career.locator("#issued-list")).to_contain_text("Nothing issued yet")
    career.get_by_role("button", name="Create offer").click()
    qr = career.locator("#offer-qr")
    expect(qr).to_be_visible()
    return qr.screenshot()


def _scan_image(page: Page, png: bytes) -> str:
    """Give the scanner a photo of a QR code; the payload it shows."""
    page.locator("input[type=file][accept='image/*']").set_input_files(
        {"name": "qr.png", "mimeType": "image/png", "buffer": png}
    )
    shown = page.locator(".payload-text")
    expect(shown).to_be_visible()
    return shown.inner_text()


def _keep_from_foyer(page: Page) -> str:
    page.wait_for_function("() => location.hash.startsWith('#/foyer/')")
    wait_ready(page)
    screenshot(page, "story-foyer")
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Keep in my wallet").click()
    page.wait_for_function("() => location.hash.startsWith('#/wallet/')")
    wait_ready(page)
    return page.evaluate("decodeURIComponent(location.hash.slice('#/wallet/'.length))")


def test_story_1_offer_scanned_and_kept_with_a_second_credential(
    server: AppServer, career: Page, learner: Page, story: dict[str, Any]
) -> None:
    # Career services offers a demo badge as an OpenID4VCI QR code.
    qr_png = _offer_qr_png(career, server)
    screenshot(career, "story-career-offer")

    # The learner signs up, scans the QR image, sees the offer before anything is followed.
    username = "learner-" + secrets.token_hex(4)
    story["username"] = username
    _sign_up(learner, server, username)
    go(learner, "#/scan")
    payload = _scan_image(learner, qr_png)
    assert payload.startswith("openid-credential-offer://")
    expect(learner.locator("#scan-result")).to_contain_text("A credential offer")
    assert serious_axe_violations(learner) == []
    learner.get_by_role("button", name="Add to my wallet").click()
    badge_id = _keep_from_foyer(learner)
    expect(learner.locator(".status-line")).to_contain_text("Valid")
    badge_name = learner.locator("h1").inner_text()
    screenshot(learner, "story-credential-detail")
    _open_all_details(learner)
    assert serious_axe_violations(learner) == []

    # A second credential, issued directly and pasted into the wallet.
    with server.client() as client:
        did = learner.evaluate("fetch('/api/wallet/me').then((r) => r.json())")["did"]
        templates = client.get("/api/issuer/templates").json()
        achievements = [t for t in templates if t.get("kind", "achievement") == "achievement"]
        issued = client.post(
            "/api/issuer/credentials",
            json={"template": achievements[1]["id"], "recipient": {"did": did, "name": username}},
            headers={"authorization": f"Bearer {server.settings.issuer_token}"},
        )
        assert issued.status_code == 201, issued.text
        second = issued.json()
    story["second_issued_id"] = second["id"]
    go(learner, "#/import?via=paste")
    text = second["credential"]
    learner.get_by_label("Credential text").fill(text if isinstance(text, str) else _json(text))
    learner.get_by_role("button", name="Add", exact=True).click()
    second_id = _keep_from_foyer(learner)
    second_name = learner.locator("h1").inner_text()
    story["second_name"] = second_name

    # The list shows both with status badges.
    go(learner, "#/wallet")
    cards = learner.locator("#credential-list li")
    expect(cards).to_have_count(2)
    expect(cards.first.locator(".badge")).to_contain_text("Valid")
    screenshot(learner, "story-wallet-list")
    story.update(badge_id=badge_id, badge_name=badge_name, second_id=second_id, second=second)


def _issue_and_paste(
    server: AppServer, learner: Page, username: str, template_index: int
) -> tuple[str, str, dict[str, Any]]:
    """Issue a credential to the learner and add it by paste: (wallet id, name, issued)."""
    did = learner.evaluate("fetch('/api/wallet/me').then((r) => r.json())")["did"]
    token = {"authorization": f"Bearer {server.settings.issuer_token}"}
    with server.client(headers=token) as client:
        templates = client.get("/api/issuer/templates").json()
        achievements = [t for t in templates if t.get("kind", "achievement") == "achievement"]
        template = achievements[template_index % len(achievements)]["id"]
        response = client.post(
            "/api/issuer/credentials",
            json={"template": template, "recipient": {"did": did, "name": username}},
        )
        assert response.status_code == 201, response.text
        issued: dict[str, Any] = response.json()
    go(learner, "#/import?via=paste")
    text = issued["credential"]
    learner.get_by_label("Credential text").fill(text if isinstance(text, str) else _json(text))
    learner.get_by_role("button", name="Add", exact=True).click()
    credential_id = _keep_from_foyer(learner)
    return credential_id, learner.locator("h1").inner_text(), issued


def _json(value: object) -> str:
    import json

    return json.dumps(value)


def _open_all_details(page: Page) -> None:
    page.evaluate(
        "() => document.querySelectorAll('main details').forEach((d) => { d.open = true; })"
    )


def test_cross_device_request_updates_the_employer_page(
    server: AppServer, learner: Page, employer: Page, story: dict[str, Any]
) -> None:
    if "username" not in story:
        pytest.fail("the story test must run first (it leaves the learner's wallet)")
    open_app(employer, server.url("/#/verify/request"))
    employer.get_by_label("What to ask for").select_option(label="A badge (Open Badge)")
    employer.get_by_role("button", name="Show the QR code").click()
    qr = employer.locator("#request-qr")
    expect(qr).to_be_visible()
    expect(employer.locator(".request-status")).to_contain_text("Waiting for the learner")
    screenshot(employer, "request-waiting")
    png = qr.screenshot()

    go(learner, "#/scan")
    assert _scan_image(learner, png)
    expect(learner.locator("#scan-result")).to_contain_text("A request for credentials")
    learner.get_by_role("button", name="Answer this request").click()
    learner.wait_for_function("() => location.hash.startsWith('#/request/')")
    wait_ready(learner)
    screenshot(learner, "request-answer")
    assert serious_axe_violations(learner) == []
    # Only the credential that is still valid (the badge was revoked in the story).
    for box in learner.locator(".pick input[type=checkbox]").all():
        box.uncheck()
    learner.get_by_label(re.compile(re.escape(story["second_name"]))).check()
    send = learner.get_by_role("button", name="Send")
    send.click()
    expect(learner.get_by_role("alert")).to_contain_text("Tick the box")  # consent is explicit
    learner.get_by_label(re.compile("I agree to send")).check()
    send.click()
    expect(learner.get_by_text("Sent.")).to_be_visible()

    # Nobody touches the employer's page: it updates by itself (server-sent events).
    result = employer.locator("#request-result")
    expect(result.locator(".verdict-title")).to_have_text("Verified", timeout=20_000)
    _open_all_details(employer)
    screenshot(employer, "request-verified")
    assert serious_axe_violations(employer) == []


def test_wallet_opens_offline_after_one_visit(
    server: AppServer, learner: Page, story: dict[str, Any]
) -> None:
    if "username" not in story:
        pytest.fail("the story test must run first (it leaves the learner's wallet)")
    open_app(learner, server.url("/#/wallet"))
    learner.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cards = learner.locator("#credential-list li")
    expect(cards.nth(1)).to_be_visible()
    count = cards.count()
    first_name = cards.first.locator(".cred-card-name").inner_text()
    cards.first.locator("a").click()
    wait_ready(learner)
    expect(learner.locator("h1")).to_have_text(first_name)
    go(learner, "#/wallet")
    learner.context.set_offline(True)
    try:
        learner.reload()
        wait_ready(learner)
        expect(learner.locator("#offline-banner")).to_contain_text("Offline — last synced at")
        expect(learner.locator("#credential-list li")).to_have_count(count)
        learner.locator("#credential-list li a").first.click()
        wait_ready(learner)
        expect(learner.locator("h1")).to_have_text(first_name)
        expect(learner.locator(".credential").first).to_be_visible()
        screenshot(learner, "offline-credential-detail")
    finally:
        learner.context.set_offline(False)


def test_story_2_bundle_share_verify_revoke(
    server: AppServer, career: Page, learner: Page, employer: Page, story: dict[str, Any]
) -> None:
    if "second" not in story:
        pytest.fail("step 1 of the story must run first")
    badge_id, badge_name = story["badge_id"], story["badge_name"]
    second_id, second_name, second = story["second_id"], story["second_name"], story["second"]

    # Bundle both into a CLR: pick, order (second first), preview, sign.
    go(learner, "#/bundle")
    learner.get_by_label(re.compile(re.escape(badge_name))).check()
    learner.get_by_label(re.compile(re.escape(second_name))).check()
    learner.get_by_role("button", name="Next").click()
    learner.get_by_role("button", name=f"Move {second_name} up").click()
    names = learner.locator(".order-name").all_inner_texts()
    assert names == [second_name, badge_name]
    learner.get_by_label("Name of the record").fill("Pathway to web developer")
    learner.get_by_role("button", name="Preview").click()
    expect(learner.locator(".pathway li")).to_have_text([second_name, badge_name])
    screenshot(learner, "story-bundle-preview")
    learner.get_by_role("button", name="Sign the record").click()
    expect(learner.get_by_text("Your record is signed")).to_be_visible()
    learner.get_by_role("link", name="Open the record").click()
    learner.wait_for_function("() => location.hash.startsWith('#/wallet/')")
    wait_ready(learner)
    clr_id = learner.evaluate("decodeURIComponent(location.hash.slice('#/wallet/'.length))")
    assert clr_id not in (badge_id, second_id)
    expect(learner.locator(".credential").first).to_contain_text(badge_name)

    # Share the CLR: link, QR full screen, access log.
    learner.get_by_role("button", name="Share", exact=True).click()
    learner.wait_for_function("() => location.hash.startsWith('#/shares')")
    wait_ready(learner)
    learner.get_by_label("Link works for").select_option("7")
    learner.get_by_role("button", name="Create link").click()
    created = learner.locator("#share-created")
    expect(created.get_by_label("Link")).to_be_visible()
    share_url = created.get_by_label("Link").input_value()
    assert re.fullmatch(re.escape(server.url("/s/")) + r"[A-Za-z0-9_-]{16,}", share_url)
    created.get_by_role("button", name="Show QR code").click()
    dialog = learner.locator("dialog[open]")
    expect(dialog.locator("img.qr-full")).to_be_visible()
    screenshot(learner, "story-share-qr")
    dialog.get_by_role("button", name="Close").click()
    story["share_url"] = share_url

    # The employer opens the link: verified, both credentials nested in the CLR.
    open_app(employer, share_url)
    report = employer.locator("#share-report")
    expect(report.locator(".verdict-title")).to_have_text("Verified")
    _open_all_details(employer)
    expect(report).to_contain_text(badge_name)
    expect(report).to_contain_text(second_name)
    screenshot(employer, "story-employer-verified")

    # The learner sees the access in the log.
    go(learner, "#/shares")
    learner.get_by_role("link", name="Who opened it").first.click()
    wait_ready(learner)
    expect(learner.locator("h2").first).not_to_have_text("Opened 0 times")

    # Career services revokes the badge; the employer checks again: revoked.
    career.get_by_role("button", name="Refresh").click()
    item = career.locator(f"#issued-list li:not([data-record-id='{second['id']}'])")
    expect(item).to_have_count(1)
    item.get_by_role("button", name="Revoke").click()
    career.locator("dialog[open]").get_by_role("button", name="Revoke").click()
    expect(career.locator("#issued-list")).to_contain_text("Revoked")
    employer.get_by_role("button", name="Check again").click()
    expect(report.locator(".verdict-title")).to_have_text("Not verified — revoked")
    expect(report).to_contain_text("revoked")
    screenshot(employer, "story-employer-revoked")


def test_story_3_share_two_credentials_verify_then_revoke(
    server: AppServer, career: Page, learner: Page, employer: Page, story: dict[str, Any]
) -> None:
    """Sharing credentials without bundling: the employer sees each one, then a revocation.

    Two fresh credentials, so that what the other steps revoked does not matter here."""
    if "username" not in story:
        pytest.fail("step 1 of the story must run first")
    fresh = [_issue_and_paste(server, learner, story["username"], index) for index in (2, 3)]
    (_, first_name, _), (_, second_name, second) = fresh
    go(learner, "#/shares?new=1")
    for credential_id, _, _ in fresh:
        learner.locator(f"#main input[type=checkbox][value='{credential_id}']").check()
    learner.get_by_role("button", name="Create link").click()
    created = learner.locator("#share-created")
    share_url = created.get_by_label("Link").input_value()
    created.get_by_role("button", name="Copy").click()
    expect(learner.locator("#toast")).to_have_text("Copied.")
    assert learner.evaluate("navigator.clipboard.readText()") == share_url
    linkedin = created.get_by_role("link", name="Add to LinkedIn").get_attribute("href") or ""
    assert linkedin.startswith("https://www.linkedin.com/") and "certUrl=" in linkedin
    created.get_by_role("button", name="Show QR code").click()
    dialog = learner.locator("dialog[open]")
    expect(dialog.locator("img.qr-full")).to_be_visible()
    with server.client() as client:
        read = client.post("/api/scan", files={"image": ("qr.png", dialog.screenshot())})
    assert read.json()["payload"] == share_url
    learner.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    open_app(employer, share_url)
    report = employer.locator("#share-report")
    expect(report.locator(".verdict-title")).to_have_text("Verified")
    expect(report.locator(".nested-report")).to_have_count(2)
    _open_all_details(employer)
    expect(report).to_contain_text(first_name)
    expect(report).to_contain_text(second_name)
    assert serious_axe_violations(employer) == []
    screenshot(employer, "share-two-verified")
    story.setdefault("share_url", share_url)

    go(career, "#/career")
    career.get_by_role("button", name="Refresh").click()
    item = career.locator(f"#issued-list li[data-record-id='{second['id']}']")
    expect(item).to_have_count(1)
    item.get_by_role("button", name="Revoke").click()
    career.locator("dialog[open]").get_by_role("button", name="Revoke").click()
    expect(item.locator(".badge")).to_contain_text("Revoked")
    employer.get_by_role("button", name="Check again").click()
    expect(report.locator(".verdict-title")).to_have_text("Not verified — revoked")
    screenshot(employer, "share-two-revoked")

    # The learner sees the openings in the access log, then revokes the link itself.
    go(learner, "#/shares")
    row = learner.locator("#share-list li").first
    row.get_by_role("link", name="Who opened it").click()
    wait_ready(learner)
    expect(learner.locator("table.log tbody tr")).to_have_count(1)  # "check again" re-uses it
    assert serious_axe_violations(learner) == []
    screenshot(learner, "share-access-log")
    learner.get_by_role("button", name="Revoke").click()
    learner.locator("dialog[open]").get_by_role("button", name="Revoke").click()
    expect(learner.locator(".share-card .badge")).to_contain_text("Revoked")
    employer.reload()
    wait_ready(employer)
    expect(employer.get_by_role("alert")).to_have_text(
        "This link does not work: it expired or the learner revoked it."
    )


LEARNER_SCREENS = [
    ("wallet", "#/wallet"),
    ("skills", "#/skills"),
    ("import", "#/import"),
    ("import-paste", "#/import?via=paste"),
    ("import-offer", "#/import?via=offer"),
    ("bundle", "#/bundle"),
    ("shares", "#/shares"),
    ("backup", "#/backup"),
    ("settings-signed-in", "#/settings"),
    ("career", "#/career"),
]


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_learner_screens_are_accessible(
    playwright: Playwright,
    browser: Browser,
    server: AppServer,
    story: dict[str, Any],
    locale: str,
) -> None:
    context = _context(playwright, browser, locale=locale)
    page = context.new_page()
    try:
        _sign_up(page, server, f"axe-{locale}-{secrets.token_hex(3)}")
        if locale == "es-ES":
            expect(page.locator("h1")).to_have_text("Mis credenciales")
        share = story.get("share_url")
        screens = [*LEARNER_SCREENS, *([("share-page", share)] if share else [])]
        for name, route in screens:
            if route.startswith("http"):
                open_app(page, route)
            else:
                go(page, route)
            _open_all_details(page)
            assert serious_axe_violations(page) == [], name
            screenshot(page, f"learner-{name}-{locale}")
    finally:
        context.close()
