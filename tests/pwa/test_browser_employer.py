"""Career services and employer screens in a real browser against the real issuer and verifier:
the sandbox issuer's offer QR (read back by the server's scanner), verify by paste and by file,
revocation seen on re-verification, career-fair mode with CSV export, the live request page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import qrcode
from playwright.sync_api import Browser, Page, Playwright, expect

from shared.fetch import FetchPolicy
from tests.appserver import AppServer, make_settings
from tests.loopback import LoopbackServer, Route
from tests.pwa.browser import go, open_app, phone, screenshot, serious_axe_violations, wait_ready


@pytest.fixture(scope="module")
def hosting() -> Iterator[LoopbackServer]:
    """Where printed badges' QR codes point: a web server holding credentials."""
    srv = LoopbackServer({}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, hosting: LoopbackServer
) -> Iterator[AppServer]:
    policy = FetchPolicy(allow_hosts=frozenset({hosting.netloc}))
    settings = make_settings(tmp_path_factory.mktemp("employer"), fetch_policy=policy)
    srv = AppServer(settings).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def issuer_api(server: AppServer) -> Iterator[httpx.Client]:
    token = {"authorization": f"Bearer {server.settings.issuer_token}"}
    with server.client(headers=token) as client:
        yield client


@pytest.fixture
def page(playwright: Playwright, browser: Browser) -> Iterator[Page]:
    context = phone(playwright, browser, accept_downloads=True)
    yield context.new_page()
    context.close()


def _issue(issuer_api: httpx.Client, **extra: Any) -> dict[str, Any]:
    templates = issuer_api.get("/api/issuer/templates").json()
    achievements = [t for t in templates if t.get("kind", "achievement") == "achievement"]
    recipient = {"name": "Ada Lovelace", "email": "ada@example.org"}
    body = {"template": achievements[0]["id"], "recipient": recipient, **extra}
    response = issuer_api.post("/api/issuer/credentials", json=body)
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


def _career_sign_in(page: Page, server: AppServer) -> None:
    open_app(page, server.url("/#/career"))
    page.get_by_label("Issuer token").fill(str(server.settings.issuer_token))
    page.get_by_role("button", name="Save").click()
    wait_ready(page)


def test_career_services_offer_qr_reads_back_as_the_offer(page: Page, server: AppServer) -> None:
    _career_sign_in(page, server)
    page.get_by_label("Learner's name (optional)").fill("Grace Hopper")
    page.get_by_label("Protect the offer with a PIN").check()
    page.get_by_role("button", name="Create offer").click()
    qr = page.locator("#offer-qr")
    expect(qr).to_be_visible()
    expect(page.locator(".pin strong")).to_have_text(re.compile(r"^\d{4,8}$"))
    offer_uri = page.get_by_label("Offer link").input_value()
    assert offer_uri.startswith("openid-credential-offer://")
    with server.client() as client:
        scanned = client.post("/api/scan", files={"image": ("qr.png", qr.screenshot())})
    assert scanned.json()["payload"] == offer_uri
    assert serious_axe_violations(page) == []
    screenshot(page, "career-offer")


def test_employer_verifies_by_paste_then_sees_the_revocation(
    page: Page, server: AppServer, issuer_api: httpx.Client
) -> None:
    issued = _issue(issuer_api)
    open_app(page, server.url("/#/verify?via=paste"))
    page.get_by_label("Credential or presentation").fill(json.dumps(issued["credential"]))
    page.get_by_role("button", name="Verify").click()
    result = page.locator("#verify-result")
    expect(result.locator(".verdict-title")).to_have_text("Verified")
    expect(result).to_contain_text("Ada Lovelace")
    expect(result.locator(".issuer-id").first).to_contain_text("did:key:")
    result.locator("details.checks > summary").first.click()
    expect(result.locator(".check-list li").first).to_be_visible()
    result.locator("summary", has_text="Signed receipt").click()
    assert '"VerifiableCredential"' in (result.locator(".raw pre").last.text_content() or "")
    assert serious_axe_violations(page) == []
    screenshot(page, "verify-verified")

    # Career services revokes it in the sandbox issuer's screen.
    _career_sign_in(page, server)
    item = page.locator(f"#issued-list li[data-record-id='{issued['id']}']")
    item.get_by_role("button", name="Revoke").click()
    page.locator("dialog[open]").get_by_role("button", name="Revoke").click()
    expect(item.locator(".badge")).to_contain_text("Revoked")

    go(page, "#/verify?via=paste")
    page.get_by_label("Credential or presentation").fill(json.dumps(issued["credential"]))
    page.get_by_role("button", name="Verify").click()
    expect(result.locator(".verdict-title")).to_have_text("Not verified — revoked")
    screenshot(page, "verify-revoked")


def test_employer_verifies_a_file_in_spanish(
    playwright: Playwright, browser: Browser, server: AppServer, issuer_api: httpx.Client
) -> None:
    issued = _issue(issuer_api, format="jwt")
    assert isinstance(issued["credential"], str)
    context = phone(playwright, browser, locale="es-ES")
    page = context.new_page()
    try:
        open_app(page, server.url("/#/verify?via=upload"))
        page.locator("input[type=file]").set_input_files(
            {"name": "badge.jwt", "mimeType": "text/plain", "buffer": issued["credential"].encode()}
        )
        page.get_by_role("button", name="Verificar").click()
        expect(page.locator("#verify-result .verdict-title")).to_have_text("Verificada")
        assert serious_axe_violations(page) == []
        screenshot(page, "verify-file-es")
    finally:
        context.close()


def _qr_png(text: str) -> bytes:
    image = qrcode.make(text, error_correction=qrcode.constants.ERROR_CORRECT_L)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_career_fair_mode_scans_many_and_exports_csv(
    page: Page,
    server: AppServer,
    issuer_api: httpx.Client,
    hosting: LoopbackServer,
    tmp_path: Path,
) -> None:
    urls = []
    for n in (1, 2):
        credential = json.dumps(_issue(issuer_api)["credential"]).encode()
        hosting.routes[f"/badges/{n}.json"] = Route(
            headers={"content-type": "application/json"}, body=credential
        )
        urls.append(hosting.url(f"/badges/{n}.json"))
    open_app(page, server.url("/#/fair"))
    photo = page.locator("input[type=file][accept='image/*']")
    rows = page.locator("table.fair tbody tr")
    for n, text in enumerate([*urls, "not a credential"], start=1):
        png = _qr_png(text)
        photo.set_input_files({"name": f"{n}.png", "mimeType": "image/png", "buffer": png})
        expect(rows).to_have_count(n)
    expect(page.locator("table.fair")).to_contain_text("Verified")
    assert serious_axe_violations(page) == []
    screenshot(page, "career-fair-list")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export CSV").click()
    path = tmp_path / "fair.csv"
    download_info.value.save_as(path)
    table = list(csv.DictReader(path.open(newline="")))
    assert [row["verdict"] for row in table] == ["verified", "verified", "unchecked"]
    assert table[0]["learner"] == "Ada Lovelace"
    assert table[2]["note"]  # why the third could not be checked


def test_csv_cells_cannot_become_formulas(page: Page, server: AppServer) -> None:
    open_app(page, server.url("/#/fair"))
    cells = page.evaluate(
        """async () => {
            const { csvCell } = await import("/static/js/views/employer.js");
            return ["=1+1", "+1", "-1", "@SUM(A1)", 'say "hi"', "plain"].map(csvCell);
        }"""
    )
    assert cells == ['"\'=1+1"', '"\'+1"', '"\'-1"', '"\'@SUM(A1)"', '"say ""hi"""', '"plain"']


def test_request_page_shows_a_live_qr(page: Page, server: AppServer) -> None:
    open_app(page, server.url("/#/verify/request"))
    page.get_by_role("button", name="Show the QR code").click()
    qr = page.locator("#request-qr")
    expect(qr).to_be_visible()
    expect(page.locator(".request-status")).to_contain_text("Waiting for the learner")
    with server.client() as client:
        payload = client.post("/api/scan", files={"image": ("qr.png", qr.screenshot())}).json()
    assert "/interactions/" in payload["payload"] or payload["payload"].startswith("openid4vp")
    page.get_by_role("button", name="OpenID4VP").click()
    expect(page.locator("#request-qr")).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "verify-request-waiting")
