"""The ``satchel`` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from shared.did import ResolveContext
from shared.errors import SatchelError
from shared.verification.parse import InputLimits, parse_input
from shared.verification.pipeline import VerifyOptions, verify
from shared.verification.render import render_text
from shared.verification.trust import load_trust_list

if TYPE_CHECKING:  # httpx (the fetcher) is imported only when the network is needed
    from shared.fetch import Fetcher

EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_UNUSABLE = 0, 1, 2


def _fetcher(allow_hosts: list[str] | None) -> Fetcher | None:
    """The guarded fetcher, also allowing ``--allow-host`` entries (e.g. a local server).

    None without such entries: then the process default (the same policy from the
    environment) is built on first use, so a purely local verification never loads httpx.
    """
    if not allow_hosts:
        return None
    from shared.fetch import Fetcher, FetchPolicy

    policy = FetchPolicy.from_env()
    if allow_hosts:
        policy = msgspec.structs.replace(
            policy, allow_hosts=frozenset({*policy.allow_hosts, *allow_hosts})
        )
    return Fetcher(policy)


async def _read_source(source: str, limits: InputLimits, fetcher: Fetcher | None) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read(limits.max_bytes + 1)
    if source.startswith(("https://", "http://")):
        from shared.fetch import default_fetcher

        result = await (fetcher or default_fetcher()).get(
            source, accept="application/json, application/jwt"
        )
        return result.body
    return Path(source).read_bytes()


async def _verify_command(args: argparse.Namespace) -> int:
    limits = InputLimits()
    try:
        fetcher = _fetcher(args.allow_host)
        raw = await _read_source(args.source, limits, fetcher)
        document: Any = parse_input(raw, limits)
    except (OSError, SatchelError, UnicodeDecodeError) as exc:
        code = getattr(exc, "code", "input.unreadable")
        print(f"satchel verify: cannot use {args.source}: {exc} ({code})", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        trust_lists = [load_trust_list(path) for path in args.trust_list or []]
    except (OSError, SatchelError) as exc:
        print(f"satchel verify: cannot use the trust list: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    options = VerifyOptions(
        challenge=args.challenge,
        domain=args.domain,
        recipient_email=args.recipient_email,
        trust_lists=trust_lists,
        accept_unknown_status=args.accept_unknown_status,
        resolve=ResolveContext(fetcher=fetcher),
    )
    report = await verify(document, options=options)
    if args.json:
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(report)).decode() + "\n")
    else:
        print(render_text(report))
    if report.kind == "unknown" and not report.verified and report.check("syntax") is not None:
        syntax = report.check("syntax")
        if syntax is not None and syntax.code and syntax.code.startswith("input."):
            return EXIT_UNUSABLE
    return EXIT_VERIFIED if report.verified else EXIT_NOT_VERIFIED


def build_parser(*, verify_only: bool = False) -> argparse.ArgumentParser:
    """The argument parser of ``satchel``.

    ``verify_only`` leaves out the other commands, whose option definitions import the
    server and issuer modules: ``satchel verify`` starts without loading them.
    """
    parser = argparse.ArgumentParser(
        prog="satchel", description="Satchel credential wallet and verifier"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="verify a credential or presentation (JSON-LD or JWT)")
    v.add_argument("source", help="a file, an https URL, or - for standard input")
    v.add_argument("--json", action="store_true", help="print the full typed report as JSON")
    v.add_argument("--challenge", help="the challenge the presentation must answer")
    v.add_argument("--domain", help="the domain the presentation must be bound to")
    v.add_argument(
        "--recipient-email", help="check that an Open Badge was issued to this email address"
    )
    v.add_argument(
        "--trust-list",
        action="append",
        metavar="FILE",
        help="issuers you recognise (DCC registry JSON or one DID per line); repeatable",
    )
    v.add_argument(
        "--accept-unknown-status",
        action="store_true",
        help="a status that cannot be checked is a warning, not a failure",
    )
    v.add_argument(
        "--allow-host",
        action="append",
        metavar="HOST:PORT",
        help="also fetch from this (e.g. local) host over http: status lists, did:web",
    )
    if verify_only:
        return parser
    s = sub.add_parser("serve", help="run the wallet, verifier, issuer and PWA")
    from pwa.serve import add_serve_arguments

    add_serve_arguments(s)
    b = sub.add_parser("bench", help="measure verification speed (prints numbers)")
    b.add_argument("--runs", type=int, default=50, help="timed runs per measurement")
    from pwa.cli_issuer import add_issuer_commands

    add_issuer_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``satchel`` console script."""
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(verify_only=words[:1] == ["verify"]).parse_args(words)
    if args.command == "verify":
        return asyncio.run(_verify_command(args))
    if args.command == "serve":
        from pwa.serve import serve

        return serve(args)
    if getattr(args, "issuer_command", None) is not None:
        from pwa.cli_issuer import run_issuer_command

        return run_issuer_command(args)
    if args.command == "bench":
        from pwa.bench import run_bench

        run_bench(args.runs)
        return 0
    return EXIT_UNUSABLE  # pragma: no cover - argparse enforces the choices


if __name__ == "__main__":
    sys.exit(main())
