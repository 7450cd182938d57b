#!/usr/bin/env python3
"""Fetches the JUnit XML schema that Jenkins reads (xunit-plugin's junit-10.xsd, the one pytest
keeps as testing/example_scripts/junit-10.xsd to check its own reports) from the pytest source
distribution on PyPI, pinned by its sha256, and writes it to DEST (default
.venv/share/junit-10.xsd). The test command runs it; tests/python/test_verify_examples.py
validates `arcemu verify --junit` output against it (and against tests/python/schemas/junit.xsd).
Nothing of it is committed: it is fetched, like the pinned packages.
"""

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

SDIST = (
    "https://files.pythonhosted.org/packages/79/42/bb4641652e58dedeac2ec51abc1f8cae4fee4ec63899a0999016229a0f2a/"
    "pytest-9.2.0.tar.gz"
)
SHA256 = "97c4f3b1f3c7414aa36465e09b8220f1d03627993bd51b1282e193753c80557b"
MEMBER = "pytest-9.2.0/testing/example_scripts/junit-10.xsd"


def main() -> int:
    dest = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv/share/junit-10.xsd")
    if dest.is_file() and dest.stat().st_size > 0:
        return 0
    data = urllib.request.urlopen(SDIST, timeout=120).read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        print(f"fetch-junit-xsd: {SDIST} has sha256 {digest}, not {SHA256}", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            print(f"fetch-junit-xsd: {MEMBER} is not in the archive", file=sys.stderr)
            return 1
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(member.read())
    print(f"fetch-junit-xsd: wrote {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
