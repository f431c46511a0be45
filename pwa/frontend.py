"""The PWA service: the app shell, its static files, manifest and service worker.

Static files (``pwa/static``) are read once into memory (with a gzip copy) and served from
there, so a request path never touches the file system. ``/sw.js`` is the service worker
with this release's version (a hash of every static file) and the list of files to cache,
so a deploy that changes any file is seen by installed apps as an update.

Security headers (a strict Content-Security-Policy among them) are added to every response
of the app by :func:`security_headers_middleware`. ``GET /s/{token}`` belongs to the wallet
(the signed presentation as JSON); a browser asking for HTML gets the app shell instead,
which renders the share page by fetching the JSON (:func:`share_page_middleware`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.params import FromPath
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from pwa.remote_image import make_handler as remote_image_handler
from pwa.scan import scan_image
from shared.errors import ServiceError
from shared.service.runtime import Runtime

NAME = "pwa"
MIGRATIONS: list[str] = []

STATIC_DIR = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(self), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}

# Files the service worker caches at install: everything the app needs to open offline.
_SHELL_SUFFIXES = (".js", ".css", ".html", ".webmanifest", ".svg", ".png", ".json")
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
}
_COMPRESSIBLE = (".js", ".css", ".html", ".webmanifest", ".svg", ".json")


@dataclass(frozen=True)
class Asset:
    """One static file held in memory."""

    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


def _asset(path: Path, body: bytes) -> Asset:
    media = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    gz = gzip.compress(body, 9, mtime=0) if path.suffix in _COMPRESSIBLE else None
    if gz is not None and len(gz) >= len(body):
        gz = None
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return Asset(body, gz, media or "application/octet-stream", etag)


class Shell:
    """The static files of one release, their version, and the generated service worker."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self.assets: dict[str, Asset] = {}
        self.version = ""
        self.load(directory)

    def load(self, directory: Path) -> None:
        """(Re)load every file under ``directory``: a deploy of a new release."""
        assets: dict[str, Asset] = {}
        digest = hashlib.sha256()
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            rel = path.relative_to(directory).as_posix()
            if rel.startswith(".") or "/." in rel or path.suffix in (".py", ".pyc"):
                continue
            body = path.read_bytes()
            digest.update(rel.encode() + b"\0" + hashlib.sha256(body).digest())
            assets[rel] = _asset(path, body)
        version = digest.hexdigest()[:12]
        template = assets.pop("sw.js").body.decode()
        shell_files = ["/", "/manifest.webmanifest"] + [
            "/static/" + rel
            for rel in sorted(assets)
            if rel.endswith(_SHELL_SUFFIXES) and rel not in ("index.html", "manifest.webmanifest")
        ]
        worker = template.replace('"__VERSION__"', json.dumps(version)).replace(
            "[] /* __SHELL__ */", json.dumps(shell_files)
        )
        assets["sw.js"] = _asset(Path("sw.js"), worker.encode())
        self.assets, self.version = assets, version

    def response(self, rel: str, request: Request[Any, Any, Any]) -> Response[bytes]:
        """The asset ``rel`` (gzip when accepted, 304 when the ETag matches)."""
        asset = self.assets.get(rel)
        if asset is None:
            raise ServiceError("No such file.", code="not-found", status=404)
        headers = {"etag": asset.etag, "cache-control": "no-cache", "vary": "accept-encoding"}
        if request.headers.get("if-none-match") == asset.etag:
            return Response(b"", status_code=304, headers=headers)
        body = asset.body
        if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body = asset.gzipped
            headers["content-encoding"] = "gzip"
        return Response(body, media_type=asset.media_type, headers=headers)

    def index(self) -> bytes:
        """The app shell's HTML."""
        return self.assets["index.html"].body


def shell_of(app: Any) -> Shell:
    """The :class:`Shell` serving ``app`` (to simulate a deploy in tests and tools)."""
    for route in app.routes:
        if route.path == "/sw.js":
            for handler in route.route_handlers:
                shell = handler.opt.get("shell")
                if isinstance(shell, Shell):
                    return shell
    raise LookupError("this app does not serve the PWA")


@get("/", include_in_schema=False)
async def index_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The app shell."""
    return request.route_handler.opt["shell"].response("index.html", request)  # type: ignore[no-any-return]


@get("/share/{token:str}", include_in_schema=False)
async def share_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    """The share page (the app shell; it fetches ``/s/{token}`` as JSON)."""
    return request.route_handler.opt["shell"].response("index.html", request)  # type: ignore[no-any-return]


@get("/static/{path:path}", include_in_schema=False)
async def static_file(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[bytes]:
    """A static file of the app."""
    rel = path.lstrip("/")
    if rel in ("sw.js", "index.html"):
        raise ServiceError("No such file.", code="not-found", status=404)
    return request.route_handler.opt["shell"].response(rel, request)  # type: ignore[no-any-return]


@get("/manifest.webmanifest", include_in_schema=False)
async def manifest(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The web app manifest."""
    return request.route_handler.opt["shell"].response("manifest.webmanifest", request)  # type: ignore[no-any-return]


@get("/sw.js", include_in_schema=False)
async def service_worker(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The service worker of this release (scope ``/``)."""
    return request.route_handler.opt["shell"].response("sw.js", request)  # type: ignore[no-any-return]


@get("/api/pwa/version", summary="The release of the app shell")
async def version(request: Request[Any, Any, Any]) -> dict[str, str]:
    """``{version}``: changes with any static file."""
    return {"version": request.route_handler.opt["shell"].version}


def router(runtime: Runtime) -> Router:
    """The PWA's routes: shell, static files, manifest, worker, scan and image fetch."""
    shell = Shell()
    return Router(
        path="/",
        route_handlers=[
            index_page,
            share_page,
            static_file,
            manifest,
            service_worker,
            version,
            scan_image,
            remote_image_handler(runtime),
        ],
        opt={"shell": shell},
    )


def security_headers_middleware(app: ASGIApp) -> ASGIApp:
    """Add the security headers (CSP, nosniff...) to every HTTP response lacking them."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        if scope.get("path", "").startswith("/schema"):
            # Litestar's own API explorer pages load their scripts inline and from a CDN.
            await app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware


_SHARE_PATH = re.compile(r"^/s/[A-Za-z0-9_-]{1,200}/?$")


def wants_html(accept: str) -> bool:
    """True when an ``Accept`` header asks for a page rather than data."""
    best_html = best_json = -1.0
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media in ("text/html", "application/xhtml+xml"):
            best_html = max(best_html, q)
        elif media in ("application/json", "application/ld+json", "application/vp+jwt"):
            best_json = max(best_json, q)
    return best_html > 0 and best_html >= best_json


def share_page_middleware(app: ASGIApp) -> ASGIApp:
    """``GET /s/{token}`` with ``Accept: text/html`` → the app shell (the wallet answers JSON)."""
    shell_cache: list[Shell] = []

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") in ("GET", "HEAD")
            and _SHARE_PATH.match(scope.get("path", ""))
        ):
            headers = dict(scope.get("headers", []))
            if wants_html(headers.get(b"accept", b"").decode("latin-1")):
                if not shell_cache:
                    shell_cache.append(shell_of(scope["app"]))
                body = shell_cache[0].index()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"),
                            (b"vary", b"accept"),
                        ],
                    }
                )
                head = scope["method"] == "HEAD"
                await send({"type": "http.response.body", "body": b"" if head else body})
                return
        await app(scope, receive, send)

    return middleware


# create_app adds these to the app when this service is mounted (Litestar runs app middleware
# for every routed request: the share page works once the wallet's /s/{token} route exists).
MIDDLEWARE = [security_headers_middleware, share_page_middleware]
