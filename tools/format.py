#!/usr/bin/env python3
"""The C sources follow .clang-format: `format.py --check TOP` (meson test
`format`) lists each file that differs; `format.py TOP` rewrites them in place
(./dev format). Covers src/, include/, the C unit tests and the fuzzers."""

import shutil
import subprocess
import sys
from pathlib import Path


def sources(top):
    for d in ("src", "include", "tests/unit", "tests/desktop", "tests/helpers", "fuzz"):
        yield from sorted(str(p) for p in (top / d).rglob("*") if p.suffix in (".c", ".h"))


def main(argv):
    check = "--check" in argv
    top = Path(([a for a in argv if not a.startswith("--")] or ["."])[0])
    cf = shutil.which("clang-format")
    if not cf:
        print("clang-format not found (Debian package clang-format)")
        return 1
    files = list(sources(top))
    if not check:
        return subprocess.run([cf, "-i", *files]).returncode
    cp = subprocess.run([cf, "--dry-run", "--Werror", *files], capture_output=True, text=True)
    bad = sorted({l.split(":", 1)[0] for l in cp.stderr.splitlines() if ": error:" in l})
    for f in bad:
        print(f"{f}: not formatted as .clang-format says (./dev format)")
    print(f"{len(files)} files, {len(bad)} not formatted")
    return 1 if cp.returncode else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
