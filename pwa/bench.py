"""`satchel bench`: how long verification takes, measured, with a baseline in the same run.

Not a test: it prints numbers. Every row gives the median and the spread (p10/p90)
of ``shared.verification.pipeline.verify`` (no network), and the same documents
through the stock pyld path -- ``jsonld.normalize`` (URDNA2015, our static loader)
of the proof configuration and the document, SHA-256, Ed25519 -- measured in the
same run; "x" is stock median / Satchel median. "warm": caches filled, one event
loop for the process (as in a server). "cold": the JSON-LD caches (ours and pyld's),
the bundled-context cache and the DID cache emptied before every run. Fresh-process
rows start a new interpreter each time. The memory row runs in its own process.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from shared.did.key import did_key_for
from shared.jsonld import engine
from shared.jsonld.expand import ENV, safe_expand, to_quads
from shared.jsonld.loader import document_loader
from shared.jsonld.rdfc import canonicalize
from shared.keys import PrivateKey, PublicKey, generate_key, multibase_decode
from shared.keys import public_key_from_multikey as key_from_multikey
from shared.proofs import sign_document
from shared.verification.parse import parse_json
from shared.verification.pipeline import VerifyOptions, verify

VC2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
ISSUED = "2024-06-01T00:00:00Z"

Doc = dict[str, Any]

# -- documents ---------------------------------------------------------------------------


def _raw_example() -> bytes:
    return resources.files("shared").joinpath("examples/ob3-example.json").read_bytes()


def _example() -> Doc:
    doc: Doc = parse_json(_raw_example())
    return doc


@dataclass
class Signer:
    """An issuer: a key and its did:key verification method."""

    key: PrivateKey
    did: str

    @classmethod
    def new(cls) -> Signer:
        key = generate_key()
        return cls(key, did_key_for(key.public_key))

    def sign(self, doc: Doc, **options: Any) -> Doc:
        method = f"{self.did}#{self.did.split(':')[2]}"
        return sign_document(doc, self.key, method, created=ISSUED, **options)


def _badge(issuer: Signer, i: int, learner: str = "did:example:learner") -> Doc:
    """A signed OB 3.0 AchievementCredential for course ``i``."""
    doc = {
        "@context": [VC2, OB],
        "id": f"urn:uuid:6f1c2a3e-0000-4000-8000-{i:012d}",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": {"id": issuer.did, "type": ["Profile"], "name": "Example University"},
        "validFrom": ISSUED,
        "name": f"Course {i}",
        "credentialSubject": {
            "id": learner,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"https://example.edu/achievements/course-{i}",
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": f"Course {i}",
                "description": f"Completion of course {i}.",
                "criteria": {"narrative": "Pass the final examination."},
                "creditsAvailable": 3.0,
            },
            "result": [{"type": ["Result"], "value": "A", "status": "Completed"}],
        },
    }
    return issuer.sign(doc)


def _presentation(count: int) -> tuple[Doc, list[Doc]]:
    issuer, holder = Signer.new(), Signer.new()
    credentials = [_badge(issuer, i, holder.did) for i in range(count)]
    vp = {
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": credentials,
    }
    return holder.sign(vp, purpose="authentication", challenge="bench"), credentials


def _clr(count: int) -> tuple[Doc, list[Doc]]:
    """A CLR 2.0 ClrCredential holding ``count`` signed badges, signed by the registrar."""
    registrar = Signer.new()
    badges = [_badge(registrar, i) for i in range(count)]
    clr = {
        "@context": [VC2, CLR, OB],
        "id": "urn:uuid:0c1e1b1a-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": registrar.did, "type": ["Profile"], "name": "Example University"},
        "validFrom": ISSUED,
        "name": "Transcript",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["ClrSubject"],
            "verifiableCredential": badges,
        },
    }
    return registrar.sign(clr), badges


# -- measuring ---------------------------------------------------------------------------


def clear_caches() -> None:
    """Empty every cache a verification fills (a cold start inside the process)."""
    from pyld import jsonld

    from shared.jsonld import loader, reuse

    ENV.clear()
    reuse.forget()
    jsonld._resolved_context_cache.clear()
    loader.load_context.cache_clear()


def _measure(
    fn: Callable[[], object], runs: int, before: Callable[[], None] | None = None
) -> list[float]:
    fn()  # warm up (and check it works)
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _spread(times: list[float]) -> tuple[float, float, float]:
    if len(times) < 2:
        return times[0], times[0], times[0]
    q = statistics.quantiles(times, n=10, method="inclusive")
    return statistics.median(times), q[0], q[-1]


def _line(label: str, times: list[float], stock: list[float] | None = None) -> str:
    med, p10, p90 = _spread(times)
    out = f"  {label:<50} {med:9.2f} {p10:9.2f} {p90:9.2f}"
    if stock:
        base = statistics.median(stock)
        out += f" {base:10.2f} {base / med:7.1f}x"
    return out


def _header(title: str) -> None:
    print(f"\n{title}")
    print(f"  {'(ms)':<50} {'median':>9} {'p10':>9} {'p90':>9} {'stock pyld':>10} {'speed-up':>8}")


# -- the stock pyld path -------------------------------------------------------------------


def _stock_verifier(document: Doc) -> Callable[[], object]:
    """normalize(proof config) + normalize(document), SHA-256 both, Ed25519 verify."""
    from pyld import jsonld

    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "base": None,
        "documentLoader": document_loader,
        "rdfDirection": "i18n-datatype",
    }
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof = document["proof"]
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = document["@context"]
    signature = multibase_decode(proof["proofValue"])
    key: PublicKey = key_from_multikey(proof["verificationMethod"].split("#")[1])

    def run() -> object:
        data = hashlib.sha256(jsonld.normalize(config, options).encode()).digest()
        data += hashlib.sha256(jsonld.normalize(unsecured, options).encode()).digest()
        key.verify(signature, data)
        return data

    return run


def _stock_all(documents: list[Doc]) -> Callable[[], object]:
    runs = [_stock_verifier(d) for d in documents]

    def run() -> object:
        for r in runs:
            r()
        return None

    return run


def _stock_cold() -> None:
    from pyld import jsonld

    from shared.jsonld import loader

    jsonld._resolved_context_cache.clear()
    loader.load_context.cache_clear()


# -- the rows ------------------------------------------------------------------------------


@dataclass
class Case:
    label: str
    documents: list[Doc]  # verified one after another
    options: dict[str, Any]
    stock: list[Doc]  # what the stock path verifies for the same work


def _verifies_nested(clr: Doc) -> bool:
    """Whether ``verify()`` on a CLR also verifies the credentials it bundles."""
    report = asyncio.run(verify(clr))
    return len(report.nested) >= len(clr["credentialSubject"]["verifiableCredential"])


def _cases() -> list[Case]:
    one = _example()
    vp, vp_creds = _presentation(20)
    cases = [
        Case("one OB 3.0 credential (eddsa-rdfc-2022)", [one], {}, [one]),
        Case("presentation with 20 credentials", [vp], {"challenge": "bench"}, [vp, *vp_creds]),
    ]
    for n in (10, 30, 50):
        clr, badges = _clr(n)
        # The stock path does the same work: the CLR, plus each badge when verify() does so.
        stock = [clr, *badges] if _verifies_nested(clr) else [clr]
        cases.append(Case(f"CLR {n}: verify() on the CLR", [clr], {}, stock))
        cases.append(
            Case(f"CLR {n}: outer + each nested verified", [clr, *badges], {}, [clr, *badges])
        )
    return cases


def _verifier(case: Case, runner: asyncio.Runner, fresh_options: bool) -> Callable[[], object]:
    shared = VerifyOptions(**case.options)

    def run() -> object:
        options = VerifyOptions(**case.options) if fresh_options else shared
        for doc in case.documents:
            report = runner.run(verify(doc, options=options))
            if not report.verified:
                raise RuntimeError(f"{case.label}: not verified: {report.checks}")
        return None

    return run


def _runs_for(case: Case, runs: int) -> int:
    size = len(json.dumps(case.documents[0]))
    return runs if size < 20_000 else max(5, runs // 5)


def _share_of_time(runner: asyncio.Runner, runs: int) -> Callable[[], None]:
    """Where the time of one badge goes, by step (measured now, printed by the result)."""
    from shared.proofs.transforms import rdfc

    doc = _example()
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    config = {k: v for k, v in doc["proof"].items() if k != "proofValue"}
    config["@context"] = doc["@context"]
    key = key_from_multikey(doc["proof"]["verificationMethod"].split("#")[1])
    signature = multibase_decode(doc["proof"]["proofValue"])
    q_doc, q_cfg = to_quads(unsecured), to_quads(config)
    data = hashlib.sha256(rdfc(config).encode()).digest()
    data += hashlib.sha256(rdfc(unsecured).encode()).digest()
    options = VerifyOptions()
    full = statistics.median(_measure(lambda: runner.run(verify(doc, options=options)), runs))
    steps = {
        "JSON-LD expansion + toRdf (context check, document, proof config)": lambda: (
            safe_expand(doc),
            to_quads(unsecured),
            to_quads(config),
        ),
        "RDFC-1.0 canonicalization (document, proof config)": lambda: (
            canonicalize(q_doc),
            canonicalize(q_cfg),
        ),
        "SHA-256 + Ed25519 verify": lambda: (
            hashlib.sha256(b"x" * 1500).digest(),
            key.verify(signature, data),
        ),
    }
    medians = {label: statistics.median(_measure(fn, runs)) for label, fn in steps.items()}
    rest = max(full - sum(medians.values()), 0.0)
    medians["everything else (DID, syntax, dates, status, schema, report)"] = rest

    def show() -> None:
        print(f"\nWhere the time goes, one OB 3.0 credential (full pipeline median {full:.3f} ms)")
        for label, med in medians.items():
            print(f"  {label:<68} {med:7.3f} ms  {med / full:4.0%}")

    return show


def _fresh_process(path: Path, runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall time of `satchel verify FILE`, and of a stock-pyld script, each a new process."""
    script = Path(sys.executable).with_name("satchel")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pwa.cli"]
    stock_code = (
        "import json,sys;from pwa.bench import _stock_verifier;"
        "_stock_verifier(json.load(open(sys.argv[1])))()"
    )
    ours_cmd = [*command, "verify", str(path)]
    stock_cmd = [sys.executable, "-c", stock_code, str(path)]
    for cmd in (ours_cmd, stock_cmd):  # first runs write the bytecode caches, if allowed
        subprocess.run(cmd, capture_output=True, check=True, env=env)
    ours, stock = [], []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(ours_cmd, capture_output=True, check=True, env=env)
        ours.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        subprocess.run(stock_cmd, capture_output=True, check=True, env=env)
        stock.append((time.perf_counter() - start) * 1000)
    return ours, stock


def _fresh_process_rows(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # Bytecode cached (as for an installed package), kept out of the source tree.
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(Path(tmp, "pycache"))
        variants = [("", cached), (", this environment as is", dict(os.environ))]
        one = Path(tmp, "ob3.json")
        one.write_bytes(_raw_example())
        clr = Path(tmp, "clr10.json")
        clr.write_text(json.dumps(_clr(10)[0]))
        _header("fresh process (wall time, a new interpreter each run)")
        for suffix, env in variants:
            for label, path in (("one credential", one), ("CLR 10", clr)):
                ours, stock = _fresh_process(path, runs, env)
                print(_line(f"`satchel verify` {label}{suffix}", ours, stock))
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print(
            "  (this environment sets PYTHONDONTWRITEBYTECODE: Python then never writes "
            "bytecode itself, so Satchel's modules are compiled by every process unless they "
            "were compiled ahead, as the README's run command does with compileall)"
        )


def memory_probe(issuers: int) -> None:
    """Verify one credential from each of ``issuers`` did:key issuers; print the RSS."""
    documents = [_badge(Signer.new(), i) for i in range(issuers)]
    options = VerifyOptions()  # one DID cache for the whole process
    with asyncio.Runner() as runner:
        for doc in documents:
            if not runner.run(verify(doc, options=options)).verified:
                raise RuntimeError("not verified")
    rss = peak = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1])
    print(f"{rss / 1024:.1f} {peak / 1024:.1f} {len(options.resolve.cache)}")


def _memory_row(issuers: int) -> None:
    out = subprocess.run(
        [sys.executable, "-c", f"from pwa.bench import memory_probe; memory_probe({issuers})"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split()
    print(
        f"\nMemory: one process verified {issuers:,} credentials from {issuers:,} distinct "
        f"did:key issuers ({out[2]} DIDs cached): RSS {out[0]} MB (peak {out[1]} MB)"
    )


def run_bench(runs: int = 50) -> None:
    """Print the benchmark table."""
    print(
        f"Satchel verification benchmark: {runs} runs per row (a fifth for large documents), "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print(
        "Targets: one OB credential <= 1.5 ms, CLR 10 <= 15 ms, CLR 30 <= 45 ms (warm); "
        "fresh `satchel verify` <= 200 ms; 1,000 issuers < 200 MB"
    )
    cases = _cases()
    if _verifies_nested(_clr(1)[0]):
        print(
            "verify() on a CLR verifies every bundled credential: the 'verify() on the CLR' rows "
            "are the full CLR verification; 'outer + each nested' verifies the badges twice."
        )
    engine.stats.clear()
    with asyncio.Runner() as runner:
        share = _share_of_time(runner, runs)  # first, while the heap is small
        for title, cold in (("warm", False), ("cold (fresh caches before every run)", True)):
            _header(title)
            for case in cases:
                n = _runs_for(case, runs)
                before = clear_caches if cold else None
                ours = _measure(_verifier(case, runner, cold), n, before)
                stock = _measure(_stock_all(case.stock), n, _stock_cold if cold else None)
                print(_line(case.label, ours, stock))
    share()
    stats = engine.stats
    print(
        f"  fast path: {stats['expand.fast']} of "
        f"{stats['expand.fast'] + stats['expand.pyld']} expansions, {stats['rdf.fast']} of "
        f"{stats['rdf.fast'] + stats['rdf.pyld']} RDF conversions (the rest ran stock pyld)"
    )
    _fresh_process_rows(max(5, runs // 5))
    _memory_row(1000)
