"""The guarded fetcher: the only way Satchel reaches the network.

Every request goes through :class:`Fetcher`, which enforces a :class:`FetchPolicy`:

* only ``https`` URLs (``http`` only for hosts in ``allow_hosts``), no credentials in URLs;
* the target host is resolved by the fetcher itself and refused if *any* of its addresses is
  not a public unicast address (loopback, private, link-local, shared, multicast, reserved,
  IPv4-mapped/NAT64/6to4/Teredo forms of those...), unless the host is in ``allow_hosts``;
* the connection is opened to exactly the addresses that were checked (a custom httpcore
  network backend does the resolution, the check and the connect in one step, so there is
  no window for DNS rebinding), while the TLS SNI and the ``Host`` header stay the hostname;
* redirects are followed by hand, each hop checked again, at most ``max_redirects``;
* the body is streamed and capped (``max_bytes`` on the wire, ``max_decompressed_bytes``
  after gunzip, which is done here in bounded chunks rather than by httpx);
* one overall deadline (``timeout``) covers resolution, every hop and the body.

Refusals raise :class:`~shared.errors.FetchError` before any socket to the target is opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import os
import re
import socket
import ssl
import threading
import time
import weakref
import zlib
from collections import OrderedDict
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
import msgspec

from shared.errors import FetchError

__all__ = [
    "ALLOW_HOSTS_ENV",
    "FetchPolicy",
    "FetchResult",
    "Fetcher",
    "Resolver",
    "bounded_gunzip",
    "default_fetcher",
    "is_forbidden_address",
    "parse_ip_literal",
]

ALLOW_HOSTS_ENV = "SATCHEL_FETCH_ALLOW_HOSTS"
"""Environment variable read by :meth:`FetchPolicy.from_env` (comma-separated host[:port])."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``async (host, port) -> [address, ...]``; the default uses the loop's ``getaddrinfo``."""

_USER_AGENT = "Satchel/0.1 (+https://satchel.dev)"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_GUNZIP_CHUNK = 64 * 1024


# --------------------------------------------------------------------------------------
# Policy and result
# --------------------------------------------------------------------------------------


def _normalise_host(host: str) -> str:
    """Lower-case a host, drop one trailing dot and canonicalise standard IP literals."""
    host = host.strip().lower()
    if host.endswith("."):
        host = host[:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def _parse_allow_entry(entry: str) -> tuple[str, int | None]:
    """Split an ``allow_hosts`` entry (``host``, ``host:port``, ``[v6]`` or ``[v6]:port``)."""
    text = entry.strip().lower()
    port_text: str | None = None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise FetchError(f"invalid allow_hosts entry {entry!r}", code="fetch.invalid-policy")
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise FetchError(
                    f"invalid allow_hosts entry {entry!r}", code="fetch.invalid-policy"
                )
            port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:  # a bare host name, IPv4 address or unbracketed IPv6 address
        host = text
    if not host or any(c in host for c in "/?#@ \t"):
        raise FetchError(f"invalid allow_hosts entry {entry!r}", code="fetch.invalid-policy")
    port: int | None = None
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise FetchError(f"invalid allow_hosts entry {entry!r}", code="fetch.invalid-policy")
        port = int(port_text)
    return _normalise_host(host), port


class FetchPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Limits and exceptions applied to every fetch.

    ``allow_hosts`` entries are ``host`` (any port) or ``host:port``; a listed host may use
    ``http`` and skips the public-address check (for local testing and intranets).
    ``timeout`` is one deadline, in seconds, for the whole fetch including redirects.
    """

    max_bytes: int = 1024 * 1024
    timeout: float = 10.0
    max_redirects: int = 3
    allow_hosts: frozenset[str] = msgspec.field(default_factory=frozenset)
    max_decompressed_bytes: int = 4 * 1024 * 1024
    # TESTING AND DEMOS ONLY: origin "https://host" -> "http://127.0.0.1:port". A URL on a
    # routed origin is fetched from the replacement instead (which must itself be allowed by
    # ``allow_hosts``); results keep the original URL. This is how tests serve real-world
    # documents (did:web, status lists) from loopback without touching the network.
    testing_origin_routes: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_decompressed_bytes <= 0:
            raise FetchError("byte limits must be positive", code="fetch.invalid-policy")
        if not self.timeout > 0:
            raise FetchError("timeout must be positive", code="fetch.invalid-policy")
        if self.max_redirects < 0:
            raise FetchError("max_redirects must be >= 0", code="fetch.invalid-policy")
        for entry in self.allow_hosts:
            _parse_allow_entry(entry)  # validate early

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FetchPolicy:
        """Build the default policy, taking ``allow_hosts`` from ``SATCHEL_FETCH_ALLOW_HOSTS``."""
        env = os.environ if environ is None else environ
        raw = env.get(ALLOW_HOSTS_ENV, "")
        hosts = frozenset(part.strip() for part in raw.split(",") if part.strip())
        return cls(allow_hosts=hosts)

    def route(self, url: str) -> str:
        """The URL actually requested for ``url`` (see ``testing_origin_routes``)."""
        for origin, replacement in self.testing_origin_routes.items():
            if url == origin or url.startswith(origin.rstrip("/") + "/"):
                return replacement.rstrip("/") + url[len(origin.rstrip("/")) :]
        return url

    def is_allowlisted(self, host: str, port: int) -> bool:
        """True if ``host`` (any port) or ``host:port`` is in ``allow_hosts``."""
        wanted = _normalise_host(host)
        for entry in self.allow_hosts:
            entry_host, entry_port = _parse_allow_entry(entry)
            if entry_host == wanted and (entry_port is None or entry_port == port):
                return True
        return False


class FetchResult(msgspec.Struct, frozen=True, kw_only=True):
    """A successful (2xx) response, body already decoded from gzip if it was compressed."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    fetched_at: datetime
    from_cache: bool = False
    cache_control: str | None = None


def cache_lifetime(cache_control: str | None, default: float) -> float:
    """Seconds a response may be reused: ``no-store``/``no-cache`` → 0, ``max-age`` caps it."""
    if not cache_control:
        return default
    lifetime = default
    for part in cache_control.lower().split(","):
        name, _, value = part.strip().partition("=")
        if name in ("no-store", "no-cache"):
            return 0.0
        if name == "max-age":
            try:
                lifetime = min(lifetime, max(0.0, float(int(value.strip().strip('"')))))
            except ValueError:
                return 0.0
    return lifetime


# --------------------------------------------------------------------------------------
# Address vetting
# --------------------------------------------------------------------------------------

_V4_FORBIDDEN = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (CGNAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local (cloud metadata lives here)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
    )
)

_V6_FORBIDDEN = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # unspecified, loopback, deprecated IPv4-compatible
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (includes Teredo 2001::/32)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_forbidden_address(ip: IPAddress) -> bool:
    """True unless ``ip`` is a public unicast address (embedded IPv4 forms are unwrapped)."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped
        if mapped is not None:
            return is_forbidden_address(mapped)
        if ip in _NAT64:
            return is_forbidden_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        six_to_four = ip.sixtofour
        if six_to_four is not None and is_forbidden_address(six_to_four):
            return True
        teredo = ip.teredo
        if teredo is not None and any(is_forbidden_address(a) for a in teredo):
            return True
        if any(ip in net for net in _V6_FORBIDDEN):
            return True
    elif any(ip in net for net in _V4_FORBIDDEN):
        return True
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


_V4_PART = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")


def _parse_inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """Parse numeric IPv4 forms as ``inet_aton`` does (``127.1``, ``0x7f.1``, ``2130706433``)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        if not _V4_PART.fullmatch(part):
            return None
        if part[:2] in ("0x", "0X"):
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            values.append(int(part, 8))
        else:
            values.append(int(part))
    *head, last = values
    if any(v > 0xFF for v in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    number = 0
    for v in head:
        number = (number << 8) | v
    number = (number << (8 * (4 - len(head)))) | last
    return ipaddress.IPv4Address(number)


def parse_ip_literal(host: str) -> IPAddress | None:
    """Return the address a URL host denotes if it is an IP literal in any accepted form.

    Besides the standard forms this recognises what ``inet_aton`` accepts (decimal, octal and
    hex parts, fewer than four parts), so ``2130706433`` and ``0x7f.1`` are ``127.0.0.1``.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if text.endswith("."):
        text = text[:-1]
    if not text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if "%" in text and ":" in text:  # IPv6 with a (possibly percent-encoded) zone
        try:
            return ipaddress.IPv6Address(text.split("%", 1)[0])
        except ValueError:
            return None
    return _parse_inet_aton(text)


async def _getaddrinfo_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def _forbidden(host: str, address: str) -> FetchError:
    return FetchError(
        f"refusing to connect to {host!r}: {address} is not a public address",
        code="fetch.forbidden-address",
        host=host,
        address=address,
    )


async def _vetted_addresses(
    host: str, port: int, policy: FetchPolicy, resolver: Resolver
) -> list[str]:
    """Resolve ``host`` and return its addresses, refusing if any of them is forbidden."""
    allowlisted = policy.is_allowlisted(host, port)
    literal = parse_ip_literal(host)
    if literal is not None:
        if not allowlisted and is_forbidden_address(literal):
            raise _forbidden(host, str(literal))
        return [str(literal)]
    try:
        resolved = await resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchError(
            f"cannot resolve {host!r}: {exc}", code="fetch.unreachable", host=host
        ) from exc
    addresses: list[str] = []
    for text in resolved:
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise FetchError(f"{host!r} has no addresses", code="fetch.unreachable", host=host)
    if not allowlisted:
        for text in addresses:
            ip = parse_ip_literal(text)
            if ip is None or is_forbidden_address(ip):
                raise _forbidden(host, text)
    return addresses


# --------------------------------------------------------------------------------------
# Transport: a network backend that connects only to vetted addresses
# --------------------------------------------------------------------------------------


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, vets and connects in one step; the socket goes to a checked address."""

    def __init__(
        self, policy: FetchPolicy, resolver: Resolver, inner: httpcore.AsyncNetworkBackend
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _vetted_addresses(host, port, self._policy, self._resolver)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise FetchError("unix sockets are not allowed", code="fetch.forbidden-address")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _CoreStream(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class _GuardedTransport(httpx.AsyncBaseTransport):
    """httpx transport over an httpcore pool using :class:`_GuardedBackend` (GET, and POST
    with an in-memory body)."""

    def __init__(
        self, policy: FetchPolicy, resolver: Resolver, ssl_context: ssl.SSLContext
    ) -> None:
        backend = _GuardedBackend(policy, resolver, httpcore.AnyIOBackend())
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=30.0,
            http1=True,
            http2=False,
            network_backend=backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.content if request.method == "POST" else None,
            extensions=request.extensions,
        )
        core_response = await self._pool.handle_async_request(core_request)
        stream = core_response.stream
        if not isinstance(stream, AsyncIterable):  # pragma: no cover - httpcore async pool
            raise FetchError("unexpected synchronous response stream", code="fetch.unreachable")
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            stream=_CoreStream(stream),
            extensions=core_response.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


# --------------------------------------------------------------------------------------
# Bounded gunzip
# --------------------------------------------------------------------------------------


class _BoundedGunzip:
    """Incremental gunzip that refuses once the output would exceed ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._out = bytearray()
        self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        self._fed = False

    def feed(self, data: bytes) -> None:
        if not data:
            return
        self._fed = True
        pending = data
        try:
            while True:
                if self._inflater.eof:
                    # Zero padding after a member is tolerated, as the gzip module does.
                    pending = (self._inflater.unused_data + pending).lstrip(b"\0")
                    if not pending:
                        return
                    # Another gzip member follows (concatenated members are valid gzip).
                    self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                room = min(self._limit - len(self._out) + 1, _GUNZIP_CHUNK)
                piece = self._inflater.decompress(pending, room)
                self._out += piece
                if len(self._out) > self._limit:
                    raise FetchError(
                        f"decompressed body exceeds {self._limit} bytes",
                        code="fetch.decompression-bomb",
                        limit=self._limit,
                    )
                pending = self._inflater.unconsumed_tail
                if not pending and not self._inflater.eof and len(piece) < room:
                    return  # input exhausted and no output held back
        except zlib.error as exc:
            raise FetchError(f"invalid gzip data: {exc}", code="fetch.bad-encoding") from exc

    def finish(self) -> bytes:
        if self._fed and not self._inflater.eof:
            raise FetchError("truncated gzip data", code="fetch.bad-encoding")
        return bytes(self._out)


def bounded_gunzip(data: bytes, limit: int) -> bytes:
    """Gunzip ``data``, raising FetchError ``fetch.decompression-bomb`` past ``limit`` bytes.

    Output is produced in bounded chunks, so a bomb is refused after at most ``limit + 1``
    bytes have been inflated. Corrupt or truncated input raises ``fetch.bad-encoding``.
    """
    sink = _BoundedGunzip(limit)
    sink.feed(data)
    return sink.finish()


# --------------------------------------------------------------------------------------
# Fetcher
# --------------------------------------------------------------------------------------


class _CacheEntry(msgspec.Struct, frozen=True):
    expires_at: float
    result: FetchResult


class Fetcher:
    """Guarded async HTTP GET with a small LRU/TTL cache of successful results.

    ``cache_ttl`` is in seconds of ``clock`` (``time.monotonic`` unless injected); ``0``
    disables caching. ``resolver`` and ``ssl_context`` exist for tests and special setups:
    whatever a resolver returns is still vetted.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        cache_ttl: float = 300.0,
        cache_max_entries: int = 256,
        clock: Callable[[], float] = time.monotonic,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._policy = policy if policy is not None else FetchPolicy()
        self._cache_ttl = cache_ttl
        self._cache_max = cache_max_entries
        self._clock = clock
        self._resolver: Resolver = resolver if resolver is not None else _getaddrinfo_resolver
        self._ssl_context = ssl_context if ssl_context is not None else httpx.create_ssl_context()
        self._cache: OrderedDict[tuple[str, str | None], _CacheEntry] = OrderedDict()
        # Pooled connections belong to the event loop that opened them: one pool per loop.
        self._transports: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, _GuardedTransport
        ] = weakref.WeakKeyDictionary()

    @property
    def policy(self) -> FetchPolicy:
        """The policy this fetcher enforces."""
        return self._policy

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close this event loop's pooled connections (the fetcher stays usable)."""
        transport = self._transports.pop(asyncio.get_running_loop(), None)
        if transport is not None:
            await transport.aclose()

    def clear_cache(self) -> None:
        """Forget every cached result."""
        self._cache.clear()

    async def get(
        self, url: str, *, accept: str | None = None, use_cache: bool = True
    ) -> FetchResult:
        """GET ``url`` under the policy and return the 2xx response.

        With ``use_cache`` a fresh cached result (same URL and ``accept``) is returned with
        ``from_cache=True`` and its original ``fetched_at``; without it the network is always
        used (the new result still refreshes the cache). Raises :class:`FetchError`.
        """
        key = (url, accept)
        if use_cache:
            cached = self._cache_lookup(key)
            if cached is not None:
                return cached
        try:
            async with asyncio.timeout(self._policy.timeout):
                routed = self._policy.route(url)
                result = await self._fetch_following_redirects(routed, accept)
                if routed != url:
                    result = msgspec.structs.replace(result, url=url)
        except TimeoutError as exc:
            raise FetchError(
                f"fetching {url} took longer than {self._policy.timeout} s",
                code="fetch.timeout",
                url=url,
            ) from exc
        self._cache_store(key, result)
        return result

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        content_type: str,
        accept: str | None = None,
        headers: Mapping[str, str] | None = None,
        any_status: bool = False,
    ) -> FetchResult:
        """POST ``body`` to ``url`` under the policy: same checks and limits as :meth:`get`.

        Never cached; a redirect is refused (a POST is not replayed elsewhere). With
        ``any_status`` a non-2xx answer is returned (its body may explain the error,
        e.g. an OAuth error response) instead of raising.
        """
        if len(body) > self._policy.max_bytes:
            raise FetchError(
                f"the request body is {len(body)} bytes, more than {self._policy.max_bytes}",
                code="fetch.too-large",
                url=url,
            )
        try:
            async with asyncio.timeout(self._policy.timeout):
                routed = self._policy.route(url)
                current = _parse_url(routed, code="fetch.invalid-url")
                self._check_url(current, str(current))
                response = await self._send(
                    current,
                    accept,
                    method="POST",
                    body=body,
                    headers={**(headers or {}), "Content-Type": content_type},
                )
                try:
                    if response.status_code in _REDIRECT_STATUSES:
                        raise FetchError(
                            f"{url} answered a POST with a redirect, which is not followed",
                            code="fetch.redirect-refused",
                            url=url,
                            status=response.status_code,
                        )
                    result = await self._finish(current, response, any_status=any_status)
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise FetchError(
                f"posting to {url} took longer than {self._policy.timeout} s",
                code="fetch.timeout",
                url=url,
            ) from exc
        return msgspec.structs.replace(result, url=url) if routed != url else result

    async def post_json(self, url: str, payload: Any) -> FetchResult:
        """POST ``payload`` as JSON to ``url`` under the policy and return the 2xx response.

        For callbacks such as webhooks: the same URL and address checks as :meth:`get`, one
        deadline, a capped response body; redirects are refused (a POST is never replayed
        to another host) and nothing is cached. Raises :class:`FetchError`.
        """
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return await self.post(
            url, body, content_type="application/json", accept="application/json"
        )

    # -- cache ---------------------------------------------------------------------------

    def _cache_lookup(self, key: tuple[str, str | None]) -> FetchResult | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        if self._clock() >= entry.expires_at:
            del self._cache[key]
            return None
        self._cache.move_to_end(key)
        return msgspec.structs.replace(entry.result, from_cache=True)

    def _cache_store(self, key: tuple[str, str | None], result: FetchResult) -> None:
        lifetime = cache_lifetime(result.cache_control, self._cache_ttl)
        if lifetime <= 0 or self._cache_max <= 0:
            self._cache.pop(key, None)
            return
        self._cache[key] = _CacheEntry(self._clock() + lifetime, result)
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_max:
            self._cache.popitem(last=False)

    # -- network -------------------------------------------------------------------------

    def _get_transport(self) -> _GuardedTransport:
        loop = asyncio.get_running_loop()
        transport = self._transports.get(loop)
        if transport is None:
            transport = _GuardedTransport(self._policy, self._resolver, self._ssl_context)
            self._transports[loop] = transport
        return transport

    def _check_url(self, url: httpx.URL, text: str) -> None:
        """Syntactic checks done before anything touches the network."""
        scheme = url.scheme
        if scheme not in _DEFAULT_PORTS:
            raise FetchError(
                f"scheme {scheme!r} is not allowed", code="fetch.forbidden-scheme", url=text
            )
        if not url.raw_host:
            raise FetchError(f"no host in {text!r}", code="fetch.invalid-url", url=text)
        if url.userinfo:
            raise FetchError("credentials in URLs are not allowed", code="fetch.invalid-url")
        host = url.raw_host.decode("ascii")
        port = url.port or _DEFAULT_PORTS[scheme]
        allowlisted = self._policy.is_allowlisted(host, port)
        literal = parse_ip_literal(host)
        if literal is not None and not allowlisted and is_forbidden_address(literal):
            raise _forbidden(host, str(literal))
        if scheme == "http" and not allowlisted:
            raise FetchError(
                f"plain http is only allowed for allowlisted hosts: {text}",
                code="fetch.forbidden-scheme",
                url=text,
            )

    async def _fetch_following_redirects(self, url: str, accept: str | None) -> FetchResult:
        current = _parse_url(url, code="fetch.invalid-url")
        redirects = 0
        while True:
            self._check_url(current, str(current))
            response = await self._send(current, accept)
            try:
                if response.status_code not in _REDIRECT_STATUSES:
                    return await self._finish(current, response)
                location = response.headers.get("location")
            finally:
                await response.aclose()
            if not location:
                raise FetchError(
                    f"redirect without Location from {current}",
                    code="fetch.bad-redirect",
                    url=str(current),
                    status=response.status_code,
                )
            redirects += 1
            if redirects > self._policy.max_redirects:
                raise FetchError(
                    f"more than {self._policy.max_redirects} redirects",
                    code="fetch.too-many-redirects",
                    url=url,
                )
            target = _parse_url(location, base=current, code="fetch.bad-redirect")
            if current.scheme == "https" and target.scheme == "http":
                target_port = target.port or _DEFAULT_PORTS["http"]
                if not self._policy.is_allowlisted(target.raw_host.decode("ascii"), target_port):
                    raise FetchError(
                        f"refusing https to http redirect to {target}",
                        code="fetch.forbidden-scheme",
                        url=str(target),
                    )
            current = target

    async def _send(
        self,
        url: httpx.URL,
        accept: str | None,
        *,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        timeout = self._policy.timeout
        request = httpx.Request(
            method,
            url,
            content=body,
            headers={
                **(headers or {}),
                "Accept": accept or "*/*",
                "Accept-Encoding": "gzip",
                "User-Agent": _USER_AGENT,
            },
            extensions={
                "timeout": {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
            },
        )
        with _map_transport_errors(url):
            return await self._get_transport().handle_async_request(request)

    async def _finish(
        self, url: httpx.URL, response: httpx.Response, *, any_status: bool = False
    ) -> FetchResult:
        status = response.status_code
        if not any_status and not 200 <= status < 300:
            raise FetchError(
                f"{url} answered HTTP {status}",
                code="fetch.http-status",
                url=str(url),
                status=status,
            )
        limit = self._policy.max_bytes
        declared = response.headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            raise FetchError(
                f"{url} declares {declared} bytes, more than {limit}",
                code="fetch.too-large",
                url=str(url),
                limit=limit,
            )
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        gunzip: _BoundedGunzip | None = None
        if encoding in ("gzip", "x-gzip"):
            gunzip = _BoundedGunzip(self._policy.max_decompressed_bytes)
        elif encoding not in ("", "identity"):
            raise FetchError(
                f"unsupported Content-Encoding {encoding!r}",
                code="fetch.bad-encoding",
                url=str(url),
            )
        body = bytearray()
        received = 0
        with _map_transport_errors(url):
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received > limit:
                    raise FetchError(
                        f"{url} sent more than {limit} bytes",
                        code="fetch.too-large",
                        url=str(url),
                        limit=limit,
                    )
                if gunzip is not None:
                    gunzip.feed(chunk)
                else:
                    body += chunk
        return FetchResult(
            url=str(url),
            status=status,
            content_type=response.headers.get("content-type"),
            body=gunzip.finish() if gunzip is not None else bytes(body),
            fetched_at=datetime.now(UTC),
            cache_control=response.headers.get("cache-control"),
        )


def _parse_url(text: str, *, code: str, base: httpx.URL | None = None) -> httpx.URL:
    """Parse (or resolve against ``base``) a URL; httpx rejects some numeric IPv4 spellings
    (``0177.0.0.01``), which are still reported as forbidden addresses when they are."""
    try:
        return base.join(text) if base is not None else httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        try:
            host = urlsplit(text).hostname or ""
        except ValueError:
            host = ""
        literal = parse_ip_literal(host) if host else None
        if literal is not None and is_forbidden_address(literal):
            raise _forbidden(host, str(literal)) from exc
        raise FetchError(f"invalid URL {text!r}: {exc}", code=code, url=text) from exc


@contextlib.contextmanager
def _map_transport_errors(url: httpx.URL) -> Iterator[None]:
    """Turn httpx/httpcore/socket errors into FetchError (FetchError passes through)."""
    text = str(url)
    try:
        yield
    except FetchError:
        raise
    except (httpcore.TimeoutException, httpx.TimeoutException, TimeoutError) as exc:
        raise FetchError(f"timed out fetching {text}", code="fetch.timeout", url=text) from exc
    except (
        httpcore.NetworkError,
        httpcore.ProtocolError,
        httpcore.UnsupportedProtocol,
        httpx.TransportError,
        ssl.SSLError,
        OSError,
    ) as exc:
        raise FetchError(
            f"could not fetch {text}: {type(exc).__name__}: {exc}",
            code="fetch.unreachable",
            url=text,
        ) from exc


# --------------------------------------------------------------------------------------
# Process-wide default
# --------------------------------------------------------------------------------------

_default: Fetcher | None = None
_default_lock = threading.Lock()


def default_fetcher() -> Fetcher:
    """The process-wide fetcher, built lazily from the environment on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Fetcher(FetchPolicy.from_env())
        return _default
