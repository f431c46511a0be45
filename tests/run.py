"""Set up everything on a fresh machine and run the whole test suite.

Usage (the README's test command): ``python3 tests/run.py [pytest args...]``

1. creates ``.venv`` and installs Satchel with its dev extras;
2. installs Debian's Chromium when browser tests exist and it is missing;
3. runs ruff (lint + format check), mypy (strict on shared/) and pytest.
Exits non-zero if any step fails; pytest's "no tests collected" (5) is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / "bin"


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> int:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)


def must(*cmd: str | Path) -> None:
    code = run(*cmd)
    if code != 0:
        print(f"step failed ({code}): {' '.join(str(c) for c in cmd)}", flush=True)
        sys.exit(code)


def ensure_venv() -> None:
    if not (BIN / "python").exists():
        must(sys.executable, "-m", "venv", VENV)
    must(
        BIN / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", ".[dev]"
    )


def ensure_chromium() -> None:
    if not any((ROOT / "tests").rglob("test_browser*.py")):
        return
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if os.geteuid() != 0:
        print("Chromium is missing and this is not root: install Debian's 'chromium' package.")
        sys.exit(3)
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if run("apt-get", "update", "-q", env=apt_env) != 0:
        sys.exit("apt-get update failed")
    if run("apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium", env=apt_env):
        sys.exit("apt-get install chromium failed")


def main() -> int:
    ensure_venv()
    ensure_chromium()
    must(BIN / "ruff", "check", ".")
    must(BIN / "ruff", "format", "--check", ".")
    must(BIN / "mypy")
    code = run(BIN / "python", "-m", "pytest", *sys.argv[1:])
    if code == 5:
        print("pytest collected no tests: that is a failure, not a pass.")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
