"""``satchel serve``: settings from the command line, HTTPS when asked, uvicorn."""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import os
import sys
from pathlib import Path

from shared.service.settings import (
    Settings,
    SettingsError,
    is_loopback_host,
    load_issuer_token,
    load_secret,
)


def self_signed_certificate(data_dir: Path, host: str) -> tuple[Path, Path]:
    """Make (once) and reuse a self-signed certificate for ``host`` in ``data_dir/tls``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    tls = data_dir / "tls"
    cert_path, key_path = tls / "cert.pem", tls / "key.pem"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    tls.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    for candidate in {host, "127.0.0.1"}:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(candidate)))
        except ValueError:
            names.append(x509.DNSName(candidate))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Satchel (self-signed)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``satchel serve``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--data", default="satchel-data", help="data directory (SQLite, secrets)")
    parser.add_argument("--certfile", help="TLS certificate (PEM)")
    parser.add_argument("--keyfile", help="TLS private key (PEM)")
    parser.add_argument(
        "--self-signed", action="store_true", help="serve HTTPS with a generated certificate"
    )
    parser.add_argument("--public-url", help="the origin other devices reach this server at")
    parser.add_argument(
        "--no-issuer-token",
        action="store_true",
        help="let the issuer's write API work without its token (loopback --host only)",
    )


def settings_from_args(args: argparse.Namespace) -> tuple[Settings, Path | None, Path | None]:
    """Settings plus the TLS files (if any) for the parsed ``serve`` arguments."""
    data_dir = Path(args.data).resolve()
    certfile = Path(args.certfile) if args.certfile else None
    keyfile = Path(args.keyfile) if args.keyfile else None
    if bool(certfile) != bool(keyfile):
        raise SettingsError("--certfile and --keyfile go together.", code="settings.tls")
    no_token = bool(getattr(args, "no_issuer_token", False))
    if no_token and not is_loopback_host(args.host):
        raise SettingsError(
            "--no-issuer-token is only allowed when binding to a loopback address.",
            code="settings.issuer-token-required",
        )
    if args.self_signed and certfile is None:
        certfile, keyfile = self_signed_certificate(data_dir, args.host)
    settings = Settings(
        data_dir=data_dir,
        host=args.host,
        port=args.port,
        scheme="https" if certfile else "http",
        public_url=args.public_url,
        secret=load_secret(data_dir),
        issuer_token=load_issuer_token(data_dir),
        issuer_token_disabled=no_token,
    )
    return settings, certfile, keyfile


def serve(args: argparse.Namespace) -> int:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    from pwa.app import create_app

    try:
        settings, certfile, keyfile = settings_from_args(args)
    except SettingsError as exc:
        print(f"satchel serve: {exc} ({exc.code})", file=sys.stderr)
        return 2
    app = create_app(settings)
    print(f"Satchel is running at {settings.base_url}/  (API docs: {settings.base_url}/schema)")
    print(f"Data directory: {settings.data_dir}")
    if settings.issuer_token_disabled:
        print("Issuer API: no token required (loopback only).")
    else:
        where = (
            "from SATCHEL_ISSUER_TOKEN"
            if os.environ.get("SATCHEL_ISSUER_TOKEN")
            else f"kept in {settings.data_dir / 'issuer-token'}"
        )
        print(f"Issuer API token: {settings.issuer_token}  ({where}; the career-services")
        print("  screens and the issuer's write endpoints ask for it)")
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        log_level="info",
        access_log=False,  # Satchel logs requests itself (JSON, bearer segments hidden)
    )
    return 0
