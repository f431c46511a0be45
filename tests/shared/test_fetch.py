"""The guarded fetcher against real loopback servers (no network mocks)."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import ipaddress
import socket
import ssl
import time
import tracemalloc
from collections.abc import Callable

import pytest

from shared import fetch as fetch_module
from shared.errors import FetchError
from shared.fetch import (
    Fetcher,
    FetchPolicy,
    bounded_gunzip,
    cache_lifetime,
    default_fetcher,
    is_forbidden_address,
    parse_ip_literal,
)
from tests.loopback import LoopbackServer, Route

OK_BODY = b'{"ok": true}'


def allow(server: LoopbackServer, **kwargs: object) -> FetchPolicy:
    return FetchPolicy(allow_hosts=frozenset({server.netloc}), **kwargs)  # type: ignore[arg-type]


async def expect_error(fetcher: Fetcher, url: str, code: str) -> FetchError:
    with pytest.raises(FetchError) as info:
        await fetcher.get(url, use_cache=False)
    assert info.value.code == code, info.value.message
    return info.value


# -- allowlisted loopback works ------------------------------------------------------------


async def test_allowlisted_loopback_http_fetch(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/doc"] = Route(
        headers={"Content-Type": "application/json"}, body=OK_BODY
    )
    async with Fetcher(allow(loopback_server)) as fetcher:
        before = dt.datetime.now(dt.UTC)
        result = await fetcher.get(loopback_server.url("/doc"), accept="application/json")
    assert result.status == 200
    assert result.body == OK_BODY
    assert result.content_type == "application/json"
    assert result.url == loopback_server.url("/doc")
    assert result.from_cache is False
    assert result.fetched_at.tzinfo is not None and result.fetched_at >= before
    (request,) = loopback_server.requests
    assert request.headers["accept"] == "application/json"
    assert request.headers["accept-encoding"] == "gzip"
    assert request.headers["host"] == loopback_server.netloc


async def test_host_only_allow_entry_matches_any_port(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/"] = Route(body=b"x")
    async with Fetcher(FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))) as fetcher:
        assert (await fetcher.get(loopback_server.url("/"))).body == b"x"


# -- forbidden targets: refused before any connection -----------------------------------------


async def test_loopback_refused_when_not_allowlisted(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/doc"] = Route(body=OK_BODY)
    async with Fetcher(FetchPolicy()) as fetcher:
        err = await expect_error(fetcher, loopback_server.url("/doc"), "fetch.forbidden-address")
    assert err.details["address"] == "127.0.0.1"
    assert loopback_server.connections == 0


async def test_trailing_dot_is_the_same_host(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/"] = Route(body=b"x")
    url = f"http://127.0.0.1.:{loopback_server.port}/"
    async with Fetcher(FetchPolicy()) as fetcher:
        await expect_error(fetcher, url, "fetch.forbidden-address")
    assert loopback_server.connections == 0
    async with Fetcher(allow(loopback_server)) as fetcher:
        assert (await fetcher.get(url)).body == b"x"


async def test_allowlist_port_must_match(loopback_server: LoopbackServer) -> None:
    policy = FetchPolicy(allow_hosts=frozenset({f"127.0.0.1:{loopback_server.port + 1}"}))
    async with Fetcher(policy) as fetcher:
        await expect_error(fetcher, loopback_server.url("/"), "fetch.forbidden-address")
    assert loopback_server.connections == 0


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",  # decimal
        "0x7f.1",  # hex + short form
        "0x7f.0x0.0x0.0x1",
        "017700000001",  # octal
        "0177.0.0.01",
        "127.1",
        "0",  # 0.0.0.0
        "[::ffff:127.0.0.1]",  # IPv4-mapped
        "[::ffff:7f00:1]",
        "[::1]",
        "[::]",
        "[::127.0.0.1]",  # IPv4-compatible
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
    ],
)
async def test_literal_loopback_forms_refused(loopback_server: LoopbackServer, host: str) -> None:
    # Even with the canonical 127.0.0.1:port allowlisted, other spellings are not allowed.
    async with Fetcher(allow(loopback_server)) as fetcher:
        url = f"http://{host}:{loopback_server.port}/"
        await expect_error(fetcher, url, "fetch.forbidden-address")
        await expect_error(fetcher, url.replace("http:", "https:", 1), "fetch.forbidden-address")
    assert loopback_server.connections == 0


async def test_hostname_resolving_to_loopback_refused(loopback_server: LoopbackServer) -> None:
    async with Fetcher(FetchPolicy()) as fetcher:
        err = await expect_error(
            fetcher, f"https://localhost:{loopback_server.port}/", "fetch.forbidden-address"
        )
    assert err.details["host"] == "localhost"
    assert loopback_server.connections == 0


async def test_any_forbidden_resolved_address_refuses(loopback_server: LoopbackServer) -> None:
    # The resolver's answers are vetted like real DNS answers; no connection is attempted.
    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1", "8.8.8.8"]

    async with Fetcher(FetchPolicy(), resolver=resolver) as fetcher:
        await expect_error(
            fetcher, f"https://rebind.test:{loopback_server.port}/", "fetch.forbidden-address"
        )
    assert loopback_server.connections == 0


async def test_any_resolved_address_checked_not_just_first() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["8.8.8.8", "2606:4700::1111", "10.1.2.3"]

    policy = FetchPolicy()
    with pytest.raises(FetchError) as info:
        await fetch_module._vetted_addresses("mixed.test", 443, policy, resolver)
    assert info.value.code == "fetch.forbidden-address"
    assert info.value.details["address"] == "10.1.2.3"


async def test_public_resolved_addresses_pass_vetting() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["8.8.8.8", "8.8.8.8", "2606:4700::1111"]

    addresses = await fetch_module._vetted_addresses("public.test", 443, FetchPolicy(), resolver)
    assert addresses == ["8.8.8.8", "2606:4700::1111"]


async def test_unresolvable_host_is_unreachable() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async with Fetcher(FetchPolicy(), resolver=resolver) as fetcher:
        await expect_error(fetcher, "https://nowhere.test/", "fetch.unreachable")


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/", "http://example.com/"],
)
async def test_forbidden_schemes(url: str) -> None:
    async with Fetcher(FetchPolicy()) as fetcher:
        await expect_error(fetcher, url, "fetch.forbidden-scheme")


async def test_credentials_in_url_refused(loopback_server: LoopbackServer) -> None:
    async with Fetcher(allow(loopback_server)) as fetcher:
        await expect_error(
            fetcher, f"http://user:pw@{loopback_server.netloc}/", "fetch.invalid-url"
        )
    assert loopback_server.connections == 0


# -- redirects ------------------------------------------------------------------------------


async def test_redirect_chain_within_limit(loopback_server: LoopbackServer) -> None:
    routes = loopback_server.routes
    routes["/r1"] = Route(status=302, headers={"Location": "/r2"})
    routes["/r2"] = Route(status=301, headers={"Location": loopback_server.url("/r3")})
    routes["/r3"] = Route(status=307, headers={"Location": "r4"})
    routes["/r4"] = Route(status=308, headers={"Location": "/ok"})
    routes["/ok"] = Route(body=OK_BODY)
    async with Fetcher(allow(loopback_server, max_redirects=3)) as fetcher:
        result = await fetcher.get(loopback_server.url("/r2"))
        assert result.body == OK_BODY
        assert result.url == loopback_server.url("/ok")
        await expect_error(fetcher, loopback_server.url("/r1"), "fetch.too-many-redirects")


async def test_redirect_to_forbidden_host_refused(loopback_server: LoopbackServer) -> None:
    port = loopback_server.port
    loopback_server.routes["/to-localhost"] = Route(
        status=302, headers={"Location": f"https://localhost:{port}/ok"}
    )
    loopback_server.routes["/to-mapped"] = Route(
        status=302, headers={"Location": f"http://[::ffff:127.0.0.1]:{port}/ok"}
    )
    loopback_server.routes["/to-file"] = Route(
        status=302, headers={"Location": "file:///etc/passwd"}
    )
    loopback_server.routes["/ok"] = Route(body=OK_BODY)
    async with Fetcher(allow(loopback_server)) as fetcher:
        await expect_error(fetcher, loopback_server.url("/to-localhost"), "fetch.forbidden-address")
        await expect_error(fetcher, loopback_server.url("/to-mapped"), "fetch.forbidden-address")
        await expect_error(fetcher, loopback_server.url("/to-file"), "fetch.forbidden-scheme")
    assert [r.path for r in loopback_server.requests] == ["/to-localhost", "/to-mapped", "/to-file"]


async def test_redirect_without_location(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/r"] = Route(status=302)
    async with Fetcher(allow(loopback_server)) as fetcher:
        await expect_error(fetcher, loopback_server.url("/r"), "fetch.bad-redirect")


# -- size limits and decompression ----------------------------------------------------------


async def test_body_over_max_bytes_with_content_length(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/big"] = Route(body=b"a" * 2000)
    async with Fetcher(allow(loopback_server, max_bytes=1000)) as fetcher:
        err = await expect_error(fetcher, loopback_server.url("/big"), "fetch.too-large")
    assert err.details["limit"] == 1000


async def test_body_over_max_bytes_streamed(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/big"] = Route(body=b"a" * 200_000, send_length=False)
    loopback_server.routes["/fits"] = Route(body=b"a" * 1000, send_length=False)
    async with Fetcher(allow(loopback_server, max_bytes=1000)) as fetcher:
        await expect_error(fetcher, loopback_server.url("/big"), "fetch.too-large")
        assert len((await fetcher.get(loopback_server.url("/fits"))).body) == 1000


async def test_gzip_body_is_decoded(loopback_server: LoopbackServer) -> None:
    payload = b'{"hello": "world"}' * 100
    loopback_server.routes["/gz"] = Route(
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        body=gzip.compress(payload),
    )
    async with Fetcher(allow(loopback_server)) as fetcher:
        result = await fetcher.get(loopback_server.url("/gz"))
    assert result.body == payload


async def test_gzip_bomb_refused_quickly(loopback_server: LoopbackServer) -> None:
    bomb = gzip.compress(b"\0" * 10_000_000)
    assert len(bomb) < 50_000
    loopback_server.routes["/bomb"] = Route(headers={"Content-Encoding": "gzip"}, body=bomb)
    async with Fetcher(allow(loopback_server)) as fetcher:
        start = time.monotonic()
        await expect_error(fetcher, loopback_server.url("/bomb"), "fetch.decompression-bomb")
    assert time.monotonic() - start < 2


async def test_unsupported_content_encoding(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/br"] = Route(headers={"Content-Encoding": "br"}, body=b"xx")
    async with Fetcher(allow(loopback_server)) as fetcher:
        await expect_error(fetcher, loopback_server.url("/br"), "fetch.bad-encoding")


def test_bounded_gunzip_limits_memory() -> None:
    bomb = gzip.compress(b"\0" * 10_000_000)
    was_tracing = tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        with pytest.raises(FetchError) as info:
            bounded_gunzip(bomb, 64 * 1024)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if not was_tracing:
            tracemalloc.stop()
    assert info.value.code == "fetch.decompression-bomb"
    assert peak < 1024 * 1024


def test_bounded_gunzip_exact_limit_and_members() -> None:
    data = bytes(range(256)) * 40
    assert bounded_gunzip(gzip.compress(data), len(data)) == data
    with pytest.raises(FetchError):
        bounded_gunzip(gzip.compress(data), len(data) - 1)
    two_members = gzip.compress(b"abc") + gzip.compress(b"def")
    assert bounded_gunzip(two_members, 10) == b"abcdef"
    assert bounded_gunzip(gzip.compress(b"abc") + b"\0" * 8, 10) == b"abc"
    assert bounded_gunzip(b"", 10) == b""


@pytest.mark.parametrize("data", [b"not gzip at all", gzip.compress(b"x" * 1000)[:-12]])
def test_bounded_gunzip_corrupt_or_truncated(data: bytes) -> None:
    with pytest.raises(FetchError) as info:
        bounded_gunzip(data, 1 << 20)
    assert info.value.code == "fetch.bad-encoding"


# -- errors ---------------------------------------------------------------------------------


async def test_timeout(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/slow"] = Route(body=b"late", delay=5)
    async with Fetcher(allow(loopback_server, timeout=0.5)) as fetcher:
        start = time.monotonic()
        await expect_error(fetcher, loopback_server.url("/slow"), "fetch.timeout")
    assert time.monotonic() - start < 2


async def test_http_404(loopback_server: LoopbackServer) -> None:
    async with Fetcher(allow(loopback_server)) as fetcher:
        err = await expect_error(fetcher, loopback_server.url("/missing"), "fetch.http-status")
    assert err.details["status"] == 404


async def test_connection_refused_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    policy = FetchPolicy(allow_hosts=frozenset({f"127.0.0.1:{port}"}))
    async with Fetcher(policy) as fetcher:
        await expect_error(fetcher, f"http://127.0.0.1:{port}/", "fetch.unreachable")


# -- cache ----------------------------------------------------------------------------------


async def test_cache_hit_and_expiry(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/c"] = Route(body=OK_BODY)
    now = [1000.0]
    async with Fetcher(allow(loopback_server), cache_ttl=60, clock=lambda: now[0]) as fetcher:
        url = loopback_server.url("/c")
        first = await fetcher.get(url)
        now[0] += 30
        second = await fetcher.get(url)
        assert first.from_cache is False
        assert second.from_cache is True
        assert second.fetched_at == first.fetched_at
        assert second.body == first.body
        assert len(loopback_server.requests) == 1

        fresh = await fetcher.get(url, use_cache=False)
        assert fresh.from_cache is False
        assert len(loopback_server.requests) == 2

        now[0] += 61
        expired = await fetcher.get(url)
        assert expired.from_cache is False
        assert expired.fetched_at > first.fetched_at
        assert len(loopback_server.requests) == 3


async def test_cache_is_keyed_by_accept_and_bounded(loopback_server: LoopbackServer) -> None:
    for path in ("/a", "/b", "/c"):
        loopback_server.routes[path] = Route(body=path.encode())
    async with Fetcher(allow(loopback_server), cache_max_entries=2) as fetcher:
        await fetcher.get(loopback_server.url("/a"))
        await fetcher.get(loopback_server.url("/a"), accept="text/plain")
        assert len(loopback_server.requests) == 2
        await fetcher.get(loopback_server.url("/b"))
        await fetcher.get(loopback_server.url("/c"))  # evicts the least recently used
        assert (await fetcher.get(loopback_server.url("/c"))).from_cache is True
        assert (await fetcher.get(loopback_server.url("/a"))).from_cache is False


async def test_cache_follows_cache_control(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/fresh"] = Route(headers={"Cache-Control": "no-cache"}, body=OK_BODY)
    loopback_server.routes["/short"] = Route(headers={"Cache-Control": "max-age=10"}, body=OK_BODY)
    now = [1000.0]
    async with Fetcher(allow(loopback_server), cache_ttl=300, clock=lambda: now[0]) as fetcher:
        for _ in range(2):
            assert (await fetcher.get(loopback_server.url("/fresh"))).from_cache is False
        assert len(loopback_server.requests) == 2
        await fetcher.get(loopback_server.url("/short"))
        now[0] += 5
        assert (await fetcher.get(loopback_server.url("/short"))).from_cache is True
        now[0] += 6  # 11 s: past max-age although the fetcher's own TTL is 300 s
        assert (await fetcher.get(loopback_server.url("/short"))).from_cache is False
    assert cache_lifetime("public, max-age=60", 300) == 60
    assert cache_lifetime("max-age=600", 300) == 300
    assert cache_lifetime("no-store", 300) == 0
    assert cache_lifetime("max-age=soon", 300) == 0
    assert cache_lifetime(None, 300) == 300


async def test_errors_are_not_cached(loopback_server: LoopbackServer) -> None:
    async with Fetcher(allow(loopback_server)) as fetcher:
        for _ in range(2):
            with pytest.raises(FetchError):
                await fetcher.get(loopback_server.url("/missing"))
    assert len(loopback_server.requests) == 2


# -- TLS: connect to the vetted address, SNI and Host stay the hostname ----------------------


def _self_signed(hostname: str) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem


@pytest.fixture
def tls_server(
    make_loopback_server: Callable[..., LoopbackServer], tmp_path: object
) -> tuple[LoopbackServer, ssl.SSLContext, list[str]]:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    cert_pem, key_pem = _self_signed("satchel.test")
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    sni: list[str] = []
    server_ctx.sni_callback = lambda sock, name, ctx: sni.append(name) or None  # type: ignore[func-returns-value]
    client_ctx = ssl.create_default_context(cadata=cert_pem.decode())
    server = make_loopback_server(ssl_context=server_ctx)
    return server, client_ctx, sni


async def _resolve_test_names(host: str, port: int) -> list[str]:
    if host.endswith(".test"):
        return ["127.0.0.1"]
    raise socket.gaierror(socket.EAI_NONAME, "unknown test name")


async def test_tls_connects_to_vetted_address_with_hostname_sni(
    tls_server: tuple[LoopbackServer, ssl.SSLContext, list[str]],
) -> None:
    server, client_ctx, sni = tls_server
    server.routes["/doc"] = Route(body=OK_BODY)
    policy = FetchPolicy(allow_hosts=frozenset({"satchel.test"}))
    async with Fetcher(policy, resolver=_resolve_test_names, ssl_context=client_ctx) as fetcher:
        result = await fetcher.get(server.url("/doc", host="satchel.test"))
    assert result.body == OK_BODY
    assert sni == ["satchel.test"]
    assert server.requests[0].headers["host"] == f"satchel.test:{server.port}"
    assert server.connections == 1


async def test_tls_name_resolving_to_loopback_refused_unless_allowlisted(
    tls_server: tuple[LoopbackServer, ssl.SSLContext, list[str]],
) -> None:
    server, client_ctx, _ = tls_server
    async with Fetcher(
        FetchPolicy(), resolver=_resolve_test_names, ssl_context=client_ctx
    ) as fetcher:
        await expect_error(
            fetcher, server.url("/doc", host="satchel.test"), "fetch.forbidden-address"
        )
    assert server.connections == 0


async def test_https_to_http_downgrade_refused(
    tls_server: tuple[LoopbackServer, ssl.SSLContext, list[str]],
) -> None:
    server, client_ctx, _ = tls_server
    server.routes["/down"] = Route(
        status=302, headers={"Location": f"http://other.test:{server.port}/doc"}
    )
    policy = FetchPolicy(allow_hosts=frozenset({f"satchel.test:{server.port}"}))
    async with Fetcher(policy, resolver=_resolve_test_names, ssl_context=client_ctx) as fetcher:
        await expect_error(
            fetcher, server.url("/down", host="satchel.test"), "fetch.forbidden-scheme"
        )
    assert server.connections == 1


# -- pure helpers, policy and the default fetcher -------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.0.8",
        "198.18.0.1",
        "::",
        "::1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "fe80::1",
        "fd12:3456::1",
        "fec0::1",
        "ff02::1",
        "2001:db8::1",
        "2002:a00:1::",  # 6to4 of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::1",
        "100::1",
    ],
)
def test_forbidden_addresses(address: str) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses(address: str) -> None:
    assert not is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0", "0.0.0.0"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("example.com", None),
        ("08.1", None),
        ("256.1.1.1", None),
        ("1.2.3.4.5", None),
        ("", None),
    ],
)
def test_parse_ip_literal(host: str, expected: str | None) -> None:
    parsed = parse_ip_literal(host)
    assert (str(parsed) if parsed is not None else None) == expected


def test_policy_from_env_and_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SATCHEL_FETCH_ALLOW_HOSTS", " localhost:8080, [::1]:9000 ,,intranet ")
    policy = FetchPolicy.from_env()
    assert policy.allow_hosts == frozenset({"localhost:8080", "[::1]:9000", "intranet"})
    assert policy.is_allowlisted("LOCALHOST", 8080)
    assert not policy.is_allowlisted("localhost", 8081)
    assert policy.is_allowlisted("::1", 9000)
    assert policy.is_allowlisted("intranet.", 1234)
    assert (policy.max_bytes, policy.timeout, policy.max_redirects) == (1 << 20, 10.0, 3)
    assert policy.max_decompressed_bytes == 4 << 20
    with pytest.raises(FetchError) as info:
        FetchPolicy(allow_hosts=frozenset({"http://x/"}))
    assert info.value.code == "fetch.invalid-policy"


def test_default_fetcher_is_lazy_singleton(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_module, "_default", None)
    monkeypatch.setenv("SATCHEL_FETCH_ALLOW_HOSTS", "127.0.0.1:1")
    first = default_fetcher()
    assert first is default_fetcher()
    assert first.policy.allow_hosts == frozenset({"127.0.0.1:1"})


async def test_fetcher_survives_event_loop_change(loopback_server: LoopbackServer) -> None:
    loopback_server.routes["/x"] = Route(body=b"x")
    fetcher = Fetcher(allow(loopback_server), cache_ttl=0)
    assert (await fetcher.get(loopback_server.url("/x"))).body == b"x"

    async def fetch_and_close() -> bytes:
        result = await fetcher.get(loopback_server.url("/x"))
        await fetcher.aclose()
        return result.body

    def in_other_loop() -> bytes:
        return asyncio.run(fetch_and_close())

    assert await asyncio.to_thread(in_other_loop) == b"x"
    await fetcher.aclose()
