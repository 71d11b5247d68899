"""The dependency audit (make audit) fails on a known vulnerability and passes on none.

pip-audit itself is replaced by a stub printing its JSON report, so these run offline.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit-dependencies.py"

VULNERABLE = {
    "dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {
            "name": "werkzeug",
            "version": "2.0.0",
            "vulns": [{"id": "PYSEC-2023-58", "fix_versions": ["2.2.3"]}],
        },
    ]
}
CLEAN = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]}
UNREACHABLE = {
    "dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI ..."}]
}


def run_audit(tmp_path: Path, report: dict, **env: str) -> subprocess.CompletedProcess:
    stub = tmp_path / "pip-audit"
    stub.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(report)}\nEOF\n")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    environment = {**os.environ, "STORES_API_PIP_AUDIT": str(stub), **env}
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(ROOT / "requirements.lock")],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def test_a_known_vulnerability_fails_the_audit(tmp_path):
    result = run_audit(tmp_path, VULNERABLE)
    assert result.returncode == 1
    assert "VULNERABLE werkzeug 2.0.0: PYSEC-2023-58" in result.stdout


def test_no_known_vulnerability_passes(tmp_path):
    assert run_audit(tmp_path, CLEAN).returncode == 0


@pytest.mark.parametrize(("strict", "code"), [("0", 0), ("1", 1)])
def test_an_unreachable_advisory_service_warns_or_fails_in_strict_mode(tmp_path, strict, code):
    result = run_audit(tmp_path, UNREACHABLE, STORES_API_AUDIT_STRICT=strict)
    assert result.returncode == code
    assert "could not check 1 package" in result.stdout
