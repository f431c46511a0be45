"""`satchel bench`: how long verification takes, measured, with a baseline in the same run.

Not a test: it prints numbers. The baseline is the stock pyld path (``jsonld.normalize``
with URDNA2015 and our static loader, then Ed25519) on the same credential.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import resources
from typing import Any

from shared.did.key import did_key_for
from shared.jsonld.expand import to_quads
from shared.jsonld.loader import document_loader
from shared.jsonld.rdfc import canonicalize
from shared.keys import generate_key
from shared.proofs import sign_document
from shared.verification.parse import parse_json
from shared.verification.pipeline import VerifyOptions, verify


def _example() -> dict[str, Any]:
    raw = resources.files("shared").joinpath("examples/ob3-example.json").read_bytes()
    doc: dict[str, Any] = parse_json(raw)
    return doc


def _measure(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _line(label: str, times: list[float], baseline: float | None = None) -> str:
    med = statistics.median(times)
    q = statistics.quantiles(times, n=10) if len(times) >= 10 else [min(times), max(times)]
    ratio = f"   {baseline / med:5.2f}x vs stock pyld" if baseline else ""
    return f"  {label:<46} median {med:8.2f} ms   p10 {q[0]:7.2f}   p90 {q[-1]:7.2f}{ratio}"


def _stock_pyld(document: dict[str, Any]) -> Callable[[], object]:
    from pyld import jsonld

    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "base": None,
        "documentLoader": document_loader,
    }
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof = document["proof"]
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = document["@context"]

    def run() -> object:
        jsonld.normalize(config, options)
        return jsonld.normalize(unsecured, options)

    return run


def _presentation(count: int) -> dict[str, Any]:
    issuer = generate_key()
    idid = did_key_for(issuer.public_key)
    holder = generate_key()
    hdid = did_key_for(holder.public_key)
    base = _example()
    credentials = []
    for i in range(count):
        doc = {k: v for k, v in base.items() if k != "proof"}
        doc = {**doc, "issuer": {**doc["issuer"], "id": idid}, "id": f"urn:uuid:bench-{i}"}
        credentials.append(sign_document(doc, issuer, f"{idid}#{idid.split(':')[2]}"))
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": hdid,
        "verifiableCredential": credentials,
    }
    return sign_document(
        vp, holder, f"{hdid}#{hdid.split(':')[2]}", purpose="authentication", challenge="bench"
    )


def run_bench(runs: int = 50) -> None:
    """Print the benchmark table."""
    doc = _example()
    options = VerifyOptions()
    print(f"Satchel verification benchmark ({runs} runs each, warm process)")

    def verify_one() -> object:
        report = asyncio.run(verify(doc, options=options))
        assert report.verified
        return report

    baseline = statistics.median(_measure(_stock_pyld(doc), runs))
    print(_line("stock pyld: normalize doc + proof config", _measure(_stock_pyld(doc), runs)))
    full = _measure(verify_one, runs)
    print(_line("OB 3.0 credential, eddsa-rdfc-2022, full pipeline", full, baseline))
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    expand = _measure(lambda: to_quads(unsecured), runs)
    quads = to_quads(unsecured)
    canon = _measure(lambda: canonicalize(quads), runs)
    print(_line("  of which: JSON-LD expansion + toRdf (doc)", expand))
    print(_line("  of which: RDFC-1.0 canonicalization (doc)", canon))
    share = 2 * (statistics.median(expand) + statistics.median(canon)) / statistics.median(full)
    print(f"  share of canonicalization (doc + proof config, expansion included): {share:.0%}")
    vp = _presentation(20)
    vp_options = VerifyOptions(challenge="bench")
    vp_times = _measure(lambda: asyncio.run(verify(vp, options=vp_options)), max(5, runs // 10))
    print(_line("presentation with 20 credentials", vp_times))
    cold = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pwa.cli", "verify", "-"],
            input=_raw_example(),
            capture_output=True,
            check=True,
        )
        cold.append((time.perf_counter() - start) * 1000)
    print(_line("`satchel verify` one credential, fresh process", cold))


def _raw_example() -> bytes:
    return resources.files("shared").joinpath("examples/ob3-example.json").read_bytes()
