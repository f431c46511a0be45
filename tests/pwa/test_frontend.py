"""The PWA service over real HTTP: shell, headers, manifest, worker, size budget, scan, images."""

from __future__ import annotations

import gzip
import io
import json
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import qrcode
from litestar import Router, get
from litestar.params import FromPath
from PIL import Image

from pwa.frontend import CONTENT_SECURITY_POLICY, STATIC_DIR, Shell, shell_of, wants_html
from tests.appserver import AppServer, make_settings
from tests.loopback import Route

NAME = "share-probe"
MIGRATIONS: list[str] = []


@get("/s/{token:str}")
async def _share_json(token: FromPath[str]) -> dict[str, str]:
    return {"type": "VerifiablePresentation", "token": token}


def router(runtime: object) -> Router:
    """A stand-in owner of ``/s/{token}`` answering JSON, as the wallet does."""
    return Router(path="/", route_handlers=[_share_json])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    settings = make_settings(tmp_path_factory.mktemp("frontend"))
    srv = AppServer(settings, services=["pwa.frontend", "tests.pwa.test_frontend"]).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: AppServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_shell_has_strict_csp_and_security_headers(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["img-src"] == "'self' data: blob:"
    assert directives["connect-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    # The API answers carry them too.
    assert client.get("/api/pwa/version").headers["content-security-policy"] == csp


def test_shell_html_has_no_inline_script_or_style(client: httpx.Client) -> None:
    html = client.get("/").text
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        assert 'src="' in match.group(1) and not match.group(2).strip()
    assert "<style" not in html and " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html


def test_front_end_code_never_parses_html_or_evaluates_strings() -> None:
    banned = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|"
        r"setTimeout\(\s*['\"`]|setInterval\(\s*['\"`]|createContextualFragment|DOMParser"
    )
    offenders = [
        f"{path.name}: {m.group(0)}"
        for path in STATIC_DIR.rglob("*.js")
        for m in banned.finditer(path.read_text())
    ]
    assert offenders == []


def test_static_files_gzip_etag_and_no_traversal(client: httpx.Client) -> None:
    plain = client.get("/static/js/app.js", headers={"accept-encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert plain.content == (STATIC_DIR / "js" / "app.js").read_bytes()
    zipped = client.get("/static/js/app.js", headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes; the bytes on the wire were gzip
    etag = plain.headers["etag"]
    assert client.get("/static/js/app.js", headers={"if-none-match": etag}).status_code == 304
    for path in ("/static/../app.py", "/static/%2e%2e/frontend.py", "/static/sw.js", "/static/x"):
        assert client.get(path).status_code == 404


def test_manifest_is_installable(client: httpx.Client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/") and manifest["scope"] == "/"
    assert manifest["name"] and manifest["short_name"] and manifest["theme_color"]
    sizes = {}
    for icon in manifest["icons"]:
        got = client.get(icon["src"])
        assert got.status_code == 200, icon["src"]
        if icon["type"] == "image/png":
            with Image.open(io.BytesIO(got.content)) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.setdefault(icon["purpose"], set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"]
    assert "512x512" in sizes["maskable"]
    shortcuts = {s["name"]: s["url"] for s in manifest["shortcuts"]}
    assert shortcuts == {"Scan": "/?source=shortcut#/scan", "Verify": "/?source=shortcut#/verify"}


def test_service_worker_lists_the_shell_and_its_version(
    client: httpx.Client, server: AppServer
) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    body = response.text
    version = client.get("/api/pwa/version").json()["version"]
    assert f'const VERSION = "{version}";' in body
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", body).group(1))  # type: ignore[union-attr]
    assert "/" in shell and "/static/js/app.js" in shell and "/static/locales/es.json" in shell
    for path in shell:
        assert client.get(path).status_code == 200, path
    assert "__VERSION__" not in body and "__SHELL__" not in body


def test_a_deploy_changes_the_version(server: AppServer, tmp_path: Path) -> None:
    shell = shell_of(server.app)
    before = shell.version
    release = tmp_path / "release"
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            target = release / path.relative_to(STATIC_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (release / "app.css").write_text((STATIC_DIR / "app.css").read_text() + "\n/* v2 */\n")
    try:
        shell.load(release)
        assert shell.version != before
        with server.client() as client:
            assert f'"{shell.version}"' in client.get("/sw.js").text
    finally:
        shell.load(STATIC_DIR)
    assert shell.version == before


def test_app_shell_is_under_150_kb_transferred() -> None:
    shell = Shell()
    total = 0
    for rel, asset in shell.assets.items():
        if rel.endswith((".html", ".css", ".js", ".webmanifest")) or rel == "locales/en.json":
            total += len(asset.gzipped if asset.gzipped is not None else asset.body)
    total += len(shell.assets["icons/icon-192.png"].body)
    assert total < 150 * 1024, f"app shell is {total} bytes gzipped"


def test_locales_have_the_same_keys_and_cover_every_key_used() -> None:
    en = json.loads((STATIC_DIR / "locales" / "en.json").read_text())
    es = json.loads((STATIC_DIR / "locales" / "es.json").read_text())
    assert set(en) == set(es)
    assert all(isinstance(v, str) and v for v in [*en.values(), *es.values()])
    for key, text in en.items():
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", es[key])), key
    namespaces = {key.split(".", 1)[0] for key in en}
    used: set[str] = set()
    for path in STATIC_DIR.rglob("*.js"):
        # Keys appear as t("key"), in [value, "key"] option lists and as {k: "key"} map values
        # (not in comparisons such as code === "import.not-verified", which are error codes).
        text = path.read_text()
        pattern = r"(?:\bt\(\s*|,\s*|\[\s*|:\s*)\"([a-z]+\.[a-z0-9.-]+)\""
        for literal in re.findall(pattern, text):
            if literal.split(".", 1)[0] in namespaces and not literal.startswith("satchel."):
                used.add(literal)
    dynamic = {
        *(f"state.{s}" for s in ("valid", "expired", "revoked", "suspended", "unknown")),
        *(f"state.{s}" for s in ("not-verified", "verified", "failed", "unchecked")),
        *(f"check.status.{s}" for s in ("passed", "failed", "warning", "skipped")),
        *(f"explain.{v}" for v in ("failed", "unchecked", "revoked", "suspended", "expired")),
        *(f"kind.{k}" for k in ("credential", "presentation", "unknown")),
        *(f"payload.{k}" for k in ("offer", "request", "share", "url", "jwt", "json", "text")),
        *(f"vrequest.state.{s}" for s in ("pending", "received", "verified", "failed")),
        "vrequest.state.expired",
        "role.endorsement",
    }
    missing = sorted(k for k in used | dynamic if k not in en and k.split(".")[0] != "file")
    assert missing == []


def test_html_page_for_share_links_by_content_negotiation(client: httpx.Client) -> None:
    page = client.get("/s/abc_123", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/js/app.js">' in page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    data = client.get("/s/abc_123", headers={"accept": "application/json"})
    assert data.json() == {"type": "VerifiablePresentation", "token": "abc_123"}
    assert client.get("/s/abc_123").json()["token"] == "abc_123"  # */* → the data
    assert client.get("/share/abc_123").headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("application/json", False),
        ("*/*", False),
        ("", False),
        ("application/json, text/html;q=0.5", False),
        ("text/html;q=0", False),
        ("text/html;q=abc", False),
    ],
)
def test_wants_html(accept: str, html: bool) -> None:
    assert wants_html(accept) is html


# --- POST /api/scan --------------------------------------------------------------------------


def _qr_png(text: str, **kwargs: object) -> bytes:
    image = qrcode.make(text, **kwargs)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_scan_reads_a_qr_code_from_a_png_and_a_jpeg_photo(client: httpx.Client) -> None:
    offer = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Fo%2F1"
    response = client.post("/api/scan", files={"image": ("qr.png", _qr_png(offer), "image/png")})
    assert response.status_code == 200
    assert response.json() == {"payload": offer, "format": "QRCode"}
    # A "photo": the code small, off-centre, on a grey background, JPEG-compressed.
    with Image.open(io.BytesIO(_qr_png("https://example.org/s/tok", box_size=6))) as qr:
        photo = Image.new("RGB", (1600, 1200), (180, 180, 170))
        photo.paste(qr.convert("RGB"), (900, 500))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=80)
    response = client.post("/api/scan", files={"file": ("p.jpg", buffer.getvalue(), "image/jpeg")})
    assert response.json()["payload"] == "https://example.org/s/tok"


def test_scan_refuses_bad_images(client: httpx.Client) -> None:
    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    _problem(
        client.post("/api/scan", files={"image": ("b.png", blank.getvalue())}), 422, "scan.no-code"
    )
    _problem(
        client.post("/api/scan", files={"image": ("x.png", b"not an image")}),
        415,
        "scan.not-an-image",
    )
    _problem(client.post("/api/scan", files={"image": ("e.png", b"")}), 400, "scan.empty")
    _problem(client.post("/api/scan", files={"other": ("x.png", b"x")}), 400, "scan.missing-image")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    _problem(client.post("/api/scan", files={"image": ("s.svg", svg)}), 415, "scan.not-an-image")


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_scan_refuses_a_decompression_bomb_before_decoding(client: httpx.Client) -> None:
    bomb = _png_header_only(60_000, 60_000)
    assert len(bomb) < 200
    response = client.post("/api/scan", files={"image": ("bomb.png", bomb, "image/png")})
    _problem(response, 413, "scan.image-too-large")
    wide = _png_header_only(9_000, 10)
    _problem(
        client.post("/api/scan", files={"image": ("w.png", wide)}), 413, "scan.image-too-large"
    )


def test_scan_refuses_a_body_over_the_limit(client: httpx.Client, server: AppServer) -> None:
    too_big = b"\0" * (server.settings.max_body_bytes + 1)
    response = client.post("/api/scan", files={"image": ("big.png", too_big)})
    assert response.status_code == 413


# --- POST /api/remote-image ------------------------------------------------------------------


def test_remote_image_fetches_only_images_over_the_guarded_fetcher(
    client: httpx.Client, make_loopback_server: object
) -> None:
    _problem(
        client.post("/api/remote-image", json={"url": "javascript:alert(1)"}), 400, "image.bad-url"
    )
    _problem(
        client.post("/api/remote-image", json={"url": "file:///etc/passwd"}), 400, "image.bad-url"
    )
    # Loopback is not on this server's allow-list for other ports: refused, nothing fetched.
    _problem(
        client.post("/api/remote-image", json={"url": "http://127.0.0.1:9/x.png"}),
        502,
        "image.unreachable",
    )


def test_remote_image_serves_the_image_bytes(tmp_path: Path, make_loopback_server: object) -> None:
    from shared.fetch import FetchPolicy

    png = _qr_png("x")
    images = make_loopback_server(  # type: ignore[operator]
        {
            "/badge.png": Route(headers={"content-type": "image/png"}, body=png),
            "/page.html": Route(headers={"content-type": "text/html"}, body=b"<script>1</script>"),
        }
    )
    host = f"127.0.0.1:{images.port}"
    settings = make_settings(tmp_path, fetch_policy=FetchPolicy(allow_hosts=frozenset({host})))
    srv = AppServer(settings, services=["pwa.frontend"]).start()
    try:
        with srv.client() as client:
            got = client.post("/api/remote-image", json={"url": f"http://{host}/badge.png"})
            assert got.status_code == 200
            assert got.headers["content-type"] == "image/png"
            assert got.content == png
            assert "sandbox" in got.headers["content-security-policy"]
            html = client.post("/api/remote-image", json={"url": f"http://{host}/page.html"})
            _problem(html, 422, "image.not-an-image")
    finally:
        srv.stop()


def test_gzip_copy_matches(client: httpx.Client) -> None:
    base = str(client.base_url)
    with (
        httpx.Client(base_url=base, headers={"accept-encoding": "gzip"}) as raw,
        raw.stream("GET", "/static/app.css") as response,
    ):
        wire = b"".join(response.iter_raw())
    assert gzip.decompress(wire) == (STATIC_DIR / "app.css").read_bytes()
