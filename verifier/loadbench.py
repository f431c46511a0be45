"""Load benchmark: many concurrent ``POST /credentials/verify`` on loopback.

    python -m verifier.loadbench [--seconds 30] [--concurrency 32] [--format ldp|jwt]

Starts a real Satchel server (uvicorn, its own process, a throw-away data directory,
rate limits off) on 127.0.0.1, signs one OB 3.0 credential, then keeps
``--concurrency`` clients posting it for ``--seconds``. Prints throughput, p50/p99
latency and the count of 5xx answers (which must be zero). Not a test: a script.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(data_dir: str, port: int) -> None:
    """The server process: create_app with the verifier, rate limits disabled."""
    import logging

    import uvicorn

    from pwa.app import create_app
    from shared.service.settings import Settings

    os.environ["SATCHEL_VERIFIER_VERIFY_RATE"] = "0"
    logging.getLogger("satchel.access").setLevel(logging.WARNING)
    settings = Settings(data_dir=Path(data_dir), port=port, secret=os.urandom(32))
    app = create_app(settings, ["verifier.service"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _credential(fmt: str) -> dict[str, Any] | str:
    from shared.did.key import did_key_for
    from shared.jose import sign_jwt_credential
    from shared.keys import generate_key
    from shared.proofs import sign_document

    key = generate_key("Ed25519")
    did = did_key_for(key.public_key)
    vm = f"{did}#{did.split(':')[2]}"
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:0e6f7c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Bench College"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Load badge",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://bench.example/achievements/load",
                "type": ["Achievement"],
                "name": "Load",
                "description": "Survived a load test.",
                "criteria": {"narrative": "Verified many times."},
            },
        },
    }
    if fmt == "jwt":
        return sign_jwt_credential(document, key, vm)
    return sign_document(document, key, vm, suite="eddsa-rdfc-2022")


async def _wait_ready(base: str, deadline: float) -> None:
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(base + "/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not start")


async def _run(base: str, body: dict[str, Any], seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30.0, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < stop_at:
                start = time.perf_counter()
                try:
                    response = await client.post("/credentials/verify", json=body)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - start)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - began
    return {"latencies": latencies, "statuses": statuses, "errors": errors, "elapsed": elapsed}


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 if any 5xx or transport error was seen."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--format", choices=("ldp", "jwt"), default="ldp")
    args = parser.parse_args(argv)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="satchel-loadbench-") as data_dir:
        server = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(data_dir, port), daemon=True
        )
        server.start()
        try:
            asyncio.run(_wait_ready(base, time.monotonic() + 30))
            body = {"verifiableCredential": _credential(args.format)}
            warm = httpx.post(base + "/credentials/verify", json=body, timeout=30.0)
            if warm.status_code != 200:
                print(f"warm-up verification failed: {warm.status_code} {warm.text[:300]}")
                return 1
            result = asyncio.run(_run(base, body, args.seconds, args.concurrency))
        finally:
            server.terminate()
            server.join(timeout=10)
    latencies = result["latencies"]
    statuses: dict[int, int] = result["statuses"]
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    total = len(latencies)
    print(
        f"satchel loadbench: POST /credentials/verify ({args.format}), "
        f"{args.concurrency} concurrent clients, {result['elapsed']:.1f} s, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    print(f"  requests:   {total}  ({total / result['elapsed']:.1f} req/s)")
    if latencies:
        print(
            f"  latency:    p50 {_percentile(latencies, 50) * 1000:.1f} ms, "
            f"p99 {_percentile(latencies, 99) * 1000:.1f} ms, "
            f"mean {statistics.fmean(latencies) * 1000:.1f} ms"
        )
    print(f"  statuses:   {dict(sorted(statuses.items()))}")
    print(f"  5xx:        {server_errors}")
    print(f"  transport errors: {result['errors']}")
    return 1 if server_errors or result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
