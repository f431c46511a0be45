"""``satchel issue``, ``satchel revoke`` and ``satchel demo``: the sandbox issuer from the
command line, on the same data directory (SQLite, server secret) as ``satchel serve``.

Credentials carry status-list URLs on the server's origin, so these commands take the
same ``--host``/``--port``/``--public-url`` as ``serve`` (defaults: 127.0.0.1:8000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from issuer.core import Action, Issuer, Recipient
from issuer.schema import MIGRATIONS, NAME
from shared.did.key import did_key_for
from shared.errors import SatchelError
from shared.issue import SIGNING_OPTIONS
from shared.keys import generate_key
from shared.service.runtime import Runtime
from shared.service.settings import Settings, SettingsError, load_issuer_token, load_secret
from shared.verification.dates import iso

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default="satchel-data", help="data directory of satchel serve")
    parser.add_argument("--host", default="127.0.0.1", help="host satchel serve listens on")
    parser.add_argument("--port", type=int, default=8000, help="port satchel serve listens on")
    parser.add_argument("--public-url", help="the origin satchel serve is reached at, if not that")


def add_issuer_commands(sub: Any) -> None:
    """Add ``issue``, ``revoke`` and ``demo`` to the ``satchel`` sub-command parser."""
    issue = sub.add_parser("issue", help="issue a credential from a template (sandbox issuer)")
    issue.add_argument("template", nargs="?", help="template id (see --list)")
    who = issue.add_mutually_exclusive_group()
    who.add_argument("--did", help="the learner's DID")
    who.add_argument("--email", help="the learner's e-mail address (stored hashed)")
    issue.add_argument("--name", help="the learner's name")
    issue.add_argument("--suite", choices=sorted(SIGNING_OPTIONS), help="how to sign it")
    issue.add_argument("--format", choices=["ldp", "jwt"], help="JSON-LD (default) or JWT")
    issue.add_argument("--vcdm", choices=["2.0", "1.1"], default="2.0", help="data model")
    issue.add_argument("--valid-until", help="expiry date-time (e.g. 2027-06-30T00:00:00Z)")
    issue.add_argument("--profile", help="issuer profile slug (default: the default profile)")
    issue.add_argument(
        "--status-list", choices=["bitstring", "statuslist2021"], help="status list format"
    )
    issue.add_argument(
        "--no-suspension", action="store_true", help="a revocation entry only (names its schema)"
    )
    issue.add_argument("--out", help="save the credential here instead of printing it")
    issue.add_argument("--list", action="store_true", help="list the templates and exit")
    _add_server_options(issue)
    issue.set_defaults(issuer_command=_issue)

    revoke = sub.add_parser("revoke", help="revoke (or suspend/unsuspend) an issued credential")
    revoke.add_argument("id", nargs="?", help="the issued credential's id (see --list)")
    action = revoke.add_mutually_exclusive_group()
    action.add_argument("--suspend", action="store_true", help="suspend instead of revoking")
    action.add_argument("--unsuspend", action="store_true", help="lift a suspension")
    revoke.add_argument("--list", action="store_true", help="list issued credentials and exit")
    _add_server_options(revoke)
    revoke.set_defaults(issuer_command=_revoke)

    demo = sub.add_parser("demo", help="seed a demo issuer and learners' credentials")
    _add_server_options(demo)
    demo.set_defaults(issuer_command=_demo)


def run_issuer_command(args: argparse.Namespace) -> int:
    """Run the issuer sub-command chosen in ``args``."""
    command: Callable[[argparse.Namespace, Issuer], Any] = args.issuer_command
    try:
        return int(asyncio.run(_with_issuer(args, command)))
    except (SatchelError, OSError) as exc:
        code = getattr(exc, "code", "error")
        print(f"satchel {args.command}: {exc} ({code})", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, SettingsError) else EXIT_FAILED


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings ``satchel serve`` would use with the same options."""
    data_dir = Path(args.data).resolve()
    return Settings(
        data_dir=data_dir,
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        secret=load_secret(data_dir),
        issuer_token=load_issuer_token(data_dir),
    )


@asynccontextmanager
async def open_issuer(settings: Settings) -> AsyncIterator[Issuer]:
    """The issuer over the data directory's database (migrated), closed afterwards."""
    from shared.service.storage import Database

    db = Database(settings.database_path)
    await db.open()
    try:
        await db.migrate(NAME, MIGRATIONS)
        yield Issuer(Runtime(settings=settings, db=db))
    finally:
        await db.close()


async def _with_issuer(
    args: argparse.Namespace, command: Callable[[argparse.Namespace, Issuer], Any]
) -> int:
    async with open_issuer(settings_for(args)) as issuer:
        result: int = await command(args, issuer)
        return result


def _write(path: Path, credential: dict[str, Any] | str) -> None:
    text = credential if isinstance(credential, str) else json.dumps(credential, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


async def _issue(args: argparse.Namespace, issuer: Issuer) -> int:
    if args.list or not args.template:
        for template in await issuer.templates():
            print(f"{template['id']:<26} {template['kind']:<12} {template['name']}")
        if not args.list:
            print("satchel issue: name a template (and --did or --email).", file=sys.stderr)
            return EXIT_USAGE
        return EXIT_OK
    if not (args.did or args.email):
        print("satchel issue: give the learner's --did or --email.", file=sys.stderr)
        return EXIT_USAGE
    issued = await issuer.issue_template(
        args.template,
        Recipient(did=args.did, email=args.email, name=args.name),
        option=Issuer.choose(args.suite, args.format),
        vcdm=args.vcdm,
        valid_until=args.valid_until,
        profile=args.profile,
        status_list=args.status_list,
        suspendable=not args.no_suspension,
    )
    if args.out:
        _write(Path(args.out), issued.credential)
        print(f"Issued {issued.id}; saved to {args.out}", file=sys.stderr)
    else:
        text = issued.credential
        print(text if isinstance(text, str) else json.dumps(text, indent=2))
        print(f"Issued {issued.id}", file=sys.stderr)
    return EXIT_OK


async def _revoke(args: argparse.Namespace, issuer: Issuer) -> int:
    if args.list or not args.id:
        for record in await issuer.records():
            who = record["recipient"].get("name") or record["recipient"].get("did") or "-"
            print(
                f"{record['id']:<14} {record['status']:<10} {record['template']:<24} "
                f"{record['issued_at']}  {who}"
            )
        if not args.list:
            print("satchel revoke: name the credential id to revoke.", file=sys.stderr)
            return EXIT_USAGE
        return EXIT_OK
    action: Action = "suspend" if args.suspend else "unsuspend" if args.unsuspend else "revoke"
    result = await issuer.change_status(args.id, action)
    print(f"{result['id']}: {result['status']}")
    return EXIT_OK


# --- demo -----------------------------------------------------------------------------

DEMO_PROFILE = "riverbend"


@dataclass(frozen=True)
class _DemoItem:
    file: str
    label: str
    expect: str
    record: str


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


async def _demo_profile(issuer: Issuer) -> Any:
    from shared.errors import ServiceError

    try:
        return await issuer.profiles.get(DEMO_PROFILE)
    except ServiceError:
        return await issuer.profiles.create(
            "Riverbend Community College Career Services",
            slug=DEMO_PROFILE,
            url="https://careers.riverbend.example",
            email="careers@riverbend.example",
            default=True,
        )


async def _demo(args: argparse.Namespace, issuer: Issuer) -> int:
    settings = issuer.rt.settings
    out = settings.data_dir / "demo"
    profile = await _demo_profile(issuer)
    learners = {
        name: did_key_for(generate_key().public_key) for name in ("ada", "ben", "chen", "dana")
    }
    now = issuer.now()
    default = Issuer.choose(None, None)
    items: list[_DemoItem] = []

    async def award(
        file: str, template: str, learner: str, name: str, label: str, expect: str, **kw: Any
    ) -> str:
        issued = await issuer.issue_template(
            template, Recipient(did=learners[learner], name=name), profile=profile.slug, **kw
        )
        _write(out / file, issued.credential)
        items.append(_DemoItem(file, label, expect, issued.id))
        return issued.id

    await award(
        "ada-teamwork.json", "teamwork", "ada", "Ada Okafor", "valid", "VERIFIED", option=default
    )
    await award(
        "ada-internship.jwt",
        "internship",
        "ada",
        "Ada Okafor",
        "valid (JWT)",
        "VERIFIED",
        option=Issuer.choose(None, "jwt"),
    )
    await award(
        "ben-data-analysis-expired.json",
        "data-analysis",
        "ben",
        "Ben Alvarez",
        "expired",
        "NOT VERIFIED (EXPIRED)",
        option=default,
        valid_from=iso(now - timedelta(days=400)),
        valid_until=iso(now - timedelta(days=30)),
    )
    revoked = await award(
        "chen-communication-revoked.json",
        "communication",
        "chen",
        "Chen Wei",
        "revoked",
        "NOT VERIFIED (REVOKED)",
        option=default,
    )
    await issuer.change_status(revoked, "revoke")
    await award(
        "dana-career-readiness-clr.json",
        "career-readiness-record",
        "dana",
        "Dana Reyes",
        "CLR (3 achievements)",
        "VERIFIED",
        option=default,
    )
    (out / "learners.json").write_text(json.dumps(learners, indent=2) + "\n", encoding="utf-8")

    host = urllib_host(settings.base_url)
    data = shlex.quote(args.data)
    print(f'Satchel demo: credentials issued by "{profile.name}"')
    print(f"into {_shown(out)}{os.sep}\n")
    for item in items:
        print(f"  {item.label:<22} {item.file:<36} id {item.record}")
    print(
        f"\nThe status lists are served by `satchel serve` at {settings.base_url}/status/... "
        "and must be reachable\nfor revocation to be checked. Start it (in another terminal, "
        "same data directory):\n"
    )
    serve = f"  satchel serve --data {data}"
    if (args.host, args.port) != ("127.0.0.1", 8000):
        serve += f" --host {shlex.quote(args.host)} --port {args.port}"
    if args.public_url:
        serve += f" --public-url {shlex.quote(args.public_url)}"
    print(serve)
    print("\nThen verify (the status list is on this machine, so allow its address):\n")
    for item in items:
        path = shlex.quote(_shown(out / item.file))
        print(f"  satchel verify --allow-host {host} {path}    # {item.expect}")
    first = items[0]
    print("\nRevoke the first one and verify it again: it is now reported as revoked.\n")
    print(f"  satchel revoke {first.record} --data {data}")
    print(f"  satchel verify --allow-host {host} {shlex.quote(_shown(out / first.file))}")
    print(
        f"\nIssuer API token (for the career-services screens): {_shown(settings.data_dir)}"
        f"{os.sep}issuer-token"
    )
    return EXIT_OK


def urllib_host(base_url: str) -> str:
    """``host:port`` of ``base_url`` (what ``--allow-host`` takes)."""
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


__all__ = ["add_issuer_commands", "open_issuer", "run_issuer_command"]
