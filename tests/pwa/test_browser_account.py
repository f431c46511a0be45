"""The learner's account screens in a real browser: passkeys (a virtual authenticator through
the DevTools protocol), backup and restore, deleting a credential, skills, declining nothing
unasked. The server's public origin is http://localhost:PORT (a passkey's RP id cannot be an
IP address)."""

from __future__ import annotations

import io
import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from shared.fetch import FetchPolicy
from tests.appserver import AppServer, free_port, make_settings
from tests.loopback import LoopbackServer, Route
from tests.pwa.browser import (
    go,
    hostile_credential,
    open_app,
    phone,
    screenshot,
    serious_axe_violations,
    wait_ready,
)


@pytest.fixture(scope="module")
def hosting() -> Iterator[LoopbackServer]:
    """A web server where a learner's credential is published (import by link)."""
    srv = LoopbackServer({}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, hosting: LoopbackServer
) -> Iterator[AppServer]:
    port = free_port()
    allowed = frozenset({f"localhost:{port}", hosting.netloc})
    settings = make_settings(
        tmp_path_factory.mktemp("account"),
        port=port,
        public_url=f"http://localhost:{port}",
        fetch_policy=FetchPolicy(allow_hosts=allowed),
    )
    srv = AppServer(settings).start()
    yield srv
    srv.stop()


@pytest.fixture
def context(playwright: Playwright, browser: Browser) -> Iterator[BrowserContext]:
    ctx = phone(playwright, browser, accept_downloads=True)
    yield ctx
    ctx.close()


def _sign_up(page: Page, server: AppServer) -> str:
    username = "learner-" + secrets.token_hex(4)
    open_app(page, server.url("/#/signup"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("correct horse battery staple")
    page.locator("form button[type=submit]").click()
    page.wait_for_function("() => location.hash === '#/wallet'")
    wait_ready(page)
    return username


def _issued_credential(server: AppServer, did: str) -> dict[str, Any]:
    token = {"authorization": f"Bearer {server.settings.issuer_token}"}
    with httpx.Client(base_url=server.url(""), headers=token, timeout=10) as client:
        templates = client.get("/api/issuer/templates").json()
        achievements = [t for t in templates if t.get("kind", "achievement") == "achievement"]
        response = client.post(
            "/api/issuer/credentials",
            json={"template": achievements[0]["id"], "recipient": {"did": did, "name": "Ada"}},
        )
        assert response.status_code == 201, response.text
        issued: dict[str, Any] = response.json()
        return issued


def _paste_and_keep(page: Page, credential: object) -> str:
    go(page, "#/import?via=paste")
    page.get_by_label("Credential text").fill(json.dumps(credential))
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_function("() => location.hash.startsWith('#/foyer/')")
    wait_ready(page)
    page.get_by_role("button", name="Keep in my wallet").click()
    page.wait_for_function("() => location.hash.startsWith('#/wallet/')")
    wait_ready(page)
    return str(page.locator("h1").inner_text())


def test_passkey_added_then_used_to_sign_in(context: BrowserContext, server: AppServer) -> None:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    username = _sign_up(page, server)
    go(page, "#/settings")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#toast")).to_have_text("Passkey added.")
    assert serious_axe_violations(page) == []
    screenshot(page, "settings-passkey")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_function("() => location.hash === '#/'")
    go(page, "#/signin")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_function("() => location.hash === '#/wallet'")
    me = page.evaluate("fetch('/api/wallet/me').then((r) => r.json())")
    assert me["username"] == username


def test_backup_then_restore_into_another_account(
    context: BrowserContext, server: AppServer, tmp_path: Path
) -> None:
    page = context.new_page()
    _sign_up(page, server)
    did = page.evaluate("fetch('/api/wallet/me').then((r) => r.json())")["did"]
    name = _paste_and_keep(page, _issued_credential(server, did)["credential"])

    go(page, "#/backup")
    page.get_by_label("Passphrase", exact=True).first.fill("a long backup passphrase")
    page.get_by_label("Passphrase again").fill("a long backup passphrase")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download backup").click()
    backup = tmp_path / "backup.jwe"
    download_info.value.save_as(backup)
    assert backup.read_bytes().count(b".") == 4  # compact JWE
    assert name.encode() not in backup.read_bytes()  # encrypted
    assert serious_axe_violations(page) == []
    screenshot(page, "backup")

    # A fresh account on another device restores it.
    go(page, "#/settings")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_function("() => location.hash === '#/'")
    _sign_up(page, server)
    go(page, "#/backup")
    restore = page.locator("form", has_text="Restore from a backup")
    restore.locator("input[type=file]").set_input_files(str(backup))
    restore.get_by_label("Passphrase").fill("a long backup passphrase")
    restore.get_by_role("button", name="Restore").click()
    expect(restore.get_by_role("status")).to_have_text(re.compile(r"Restored: 1 added"))
    go(page, "#/wallet")
    expect(page.locator("#credential-list li")).to_have_count(1)
    expect(page.locator("#credential-list")).to_contain_text(name)


def test_a_wrong_backup_passphrase_is_refused(
    context: BrowserContext, server: AppServer, tmp_path: Path
) -> None:
    page = context.new_page()
    _sign_up(page, server)
    go(page, "#/backup")
    page.get_by_label("Passphrase", exact=True).first.fill("first passphrase here")
    page.get_by_label("Passphrase again").fill("another passphrase")
    page.get_by_role("button", name="Download backup").click()
    expect(page.get_by_role("alert")).to_have_text("The two passphrases differ.")


def test_delete_a_credential_after_confirming(context: BrowserContext, server: AppServer) -> None:
    page = context.new_page()
    _sign_up(page, server)
    did = page.evaluate("fetch('/api/wallet/me').then((r) => r.json())")["did"]
    name = _paste_and_keep(page, _issued_credential(server, did)["credential"])
    page.get_by_role("button", name="Delete").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text(name)
    assert serious_axe_violations(page) == []
    dialog.get_by_role("button", name="Close").click()  # changing one's mind keeps it
    expect(page.locator("h1")).to_have_text(name)
    page.get_by_role("button", name="Delete").click()
    page.locator("dialog[open]").get_by_role("button", name="Delete").click()
    page.wait_for_function("() => location.hash === '#/wallet'")
    wait_ready(page)
    expect(page.locator("#credential-list li")).to_have_count(0)
    expect(page.get_by_text("Your wallet is empty.")).to_be_visible()


def test_skills_profile_lists_aligned_skills(context: BrowserContext, server: AppServer) -> None:
    page = context.new_page()
    _sign_up(page, server)
    did = page.evaluate("fetch('/api/wallet/me').then((r) => r.json())")["did"]
    _paste_and_keep(page, _issued_credential(server, did)["credential"])
    skills = page.evaluate("fetch('/api/wallet/skills').then((r) => r.json())")
    assert skills, "the sandbox template is aligned to at least one skill"
    go(page, "#/skills")
    chips = page.locator(".chip")
    expect(chips).to_have_count(len(skills))
    expect(chips.first).to_contain_text(skills[0]["skill"])
    chips.first.click()
    page.wait_for_function("() => location.hash.startsWith('#/wallet?skill=')")
    wait_ready(page)
    expect(page.locator("#credential-list li")).to_have_count(1)
    assert serious_axe_violations(page) == []


def test_offer_protected_by_a_pin_asks_for_it(context: BrowserContext, server: AppServer) -> None:
    career = context.new_page()
    open_app(career, server.url("/#/career"))
    career.get_by_label("Issuer token").fill(str(server.settings.issuer_token))
    career.get_by_role("button", name="Save").click()
    wait_ready(career)
    career.get_by_label("Protect the offer with a PIN").check()
    career.get_by_role("button", name="Create offer").click()
    qr = career.locator("#offer-qr")
    expect(qr).to_be_visible()
    pin = career.locator(".pin strong").inner_text()
    png = qr.screenshot()

    learner = context.new_page()
    _sign_up(learner, server)
    go(learner, "#/scan")
    learner.locator("input[type=file][accept='image/*']").set_input_files(
        {"name": "qr.png", "mimeType": "image/png", "buffer": png}
    )
    learner.get_by_role("button", name="Add to my wallet").click()
    code = learner.get_by_label("Transaction code", exact=True)
    expect(code).to_be_visible()
    assert serious_axe_violations(learner) == []
    code.fill("000000" if pin != "000000" else "111111")
    learner.get_by_role("button", name="Continue").click()
    expect(learner.get_by_role("alert")).to_be_visible()  # a wrong code is refused
    code.fill(pin)
    learner.get_by_role("button", name="Continue").click()
    learner.wait_for_function("() => location.hash.startsWith('#/foyer/')")
    wait_ready(learner)
    expect(learner.locator(".arrival")).to_contain_text("Satchel Sandbox College")


def test_import_a_baked_badge_image_file(context: BrowserContext, server: AppServer) -> None:
    from PIL import Image, PngImagePlugin

    page = context.new_page()
    _sign_up(page, server)
    did = page.evaluate("fetch('/api/wallet/me').then((r) => r.json())")["did"]
    credential = _issued_credential(server, did)["credential"]
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", json.dumps(credential))
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 58, 138)).save(buffer, format="PNG", pnginfo=info)
    go(page, "#/import")
    page.get_by_label("Credential file").set_input_files(
        {"name": "badge.png", "mimeType": "image/png", "buffer": buffer.getvalue()}
    )
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_function("() => location.hash.startsWith('#/foyer/')")
    wait_ready(page)
    expect(page.locator(".arrival .badge")).to_contain_text("Verified")
    page.get_by_role("button", name="Keep in my wallet").click()
    page.wait_for_function("() => location.hash.startsWith('#/wallet/')")
    wait_ready(page)
    expect(page.locator(".status-line")).to_contain_text("Valid")


def test_hostile_credential_kept_unverified_renders_inertly(
    context: BrowserContext, server: AppServer
) -> None:
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _sign_up(page, server)
    go(page, "#/import?via=paste")
    hostile = hostile_credential("https://tracker.example/pixel.png")
    page.get_by_label("Credential text").fill(json.dumps(hostile))
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("did not verify")
    expect(page.locator(".verdict-title")).to_have_text("Not verified")
    page.get_by_role("button", name="Add it anyway, marked not verified").click()
    page.wait_for_function("() => location.hash.startsWith('#/foyer/')")
    wait_ready(page)
    expect(page.locator(".arrival")).to_contain_text("<script>window.__pwned=1</script>")
    expect(page.get_by_role("note").first).to_contain_text("did not pass every check")
    page.get_by_role("button", name=re.compile("Keep it anyway")).click()
    page.wait_for_function("() => location.hash.startsWith('#/wallet/')")
    wait_ready(page)
    expect(page.locator("h1")).to_have_text("<script>window.__pwned=1</script>Hacker badge")
    expect(page.locator(".status-line")).to_contain_text("Not verified")
    _open = "() => document.querySelectorAll('main details').forEach((d) => { d.open = true; })"
    page.evaluate(_open)
    assert page.locator("main script, main iframe, main svg").count() == 0
    assert page.evaluate("window.__pwned ?? null") is None
    assert dialogs == []
    assert serious_axe_violations(page) == []
    screenshot(page, "hostile-credential-in-wallet")


def test_import_by_link(
    context: BrowserContext, server: AppServer, hosting: LoopbackServer
) -> None:
    page = context.new_page()
    _sign_up(page, server)
    did = page.evaluate("fetch('/api/wallet/me').then((r) => r.json())")["did"]
    credential = json.dumps(_issued_credential(server, did)["credential"]).encode()
    hosting.routes["/me/badge.json"] = Route(
        headers={"content-type": "application/json"}, body=credential
    )
    go(page, "#/import?via=url")
    page.get_by_label("Link to the credential").fill(hosting.url("/me/badge.json"))
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_function("() => location.hash.startsWith('#/foyer/')")
    wait_ready(page)
    expect(page.locator(".arrival .badge")).to_contain_text("Verified")
    assert [r.path for r in hosting.requests if r.path == "/me/badge.json"]
