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
    environment = {
        **os.environ,
        "STORES_API_PIP_AUDIT": str(stub),
        "STORES_API_PYPI_JSON_URL": (tmp_path / "no-pypi-here").as_uri(),
        **env,
    }
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


def pinned_flask() -> str:
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.startswith("flask=="):
            return line.split("==")[1].strip()
    raise AssertionError("flask is not pinned")


def fake_pypi(tmp_path: Path, version: str, vulns: list[dict]) -> str:
    """A directory laid out like PyPI's JSON API, for flask only."""
    project = tmp_path / "pypi" / "flask"
    project.mkdir(parents=True)
    body = {"info": {"version": version}, "vulnerabilities": vulns}
    (project / "json").write_text(json.dumps(body))
    return (tmp_path / "pypi").as_uri()


def test_a_vulnerability_of_the_pinned_latest_release_fails_when_pip_audit_skipped_it(tmp_path):
    vulns = [{"id": "GHSA-test", "fixed_in": ["9.9.9"], "withdrawn": None}]
    url = fake_pypi(tmp_path, pinned_flask(), vulns)
    result = run_audit(tmp_path, UNREACHABLE, STORES_API_PYPI_JSON_URL=url)
    assert result.returncode == 1
    assert f"VULNERABLE flask {pinned_flask()}: GHSA-test" in result.stdout


def test_the_fallback_counts_only_when_the_lock_pins_the_latest_release(tmp_path):
    vulns = [{"id": "GHSA-test", "fixed_in": ["9.9.9"], "withdrawn": None}]
    url = fake_pypi(tmp_path, "999.0", vulns)  # a newer release: its advisories are not ours
    result = run_audit(tmp_path, UNREACHABLE, STORES_API_PYPI_JSON_URL=url)
    assert result.returncode == 0
    assert "could not check 1 package" in result.stdout


@pytest.mark.parametrize(("strict", "code"), [("0", 0), ("1", 1)])
def test_an_unreachable_advisory_service_warns_or_fails_in_strict_mode(tmp_path, strict, code):
    result = run_audit(tmp_path, UNREACHABLE, STORES_API_AUDIT_STRICT=strict)
    assert result.returncode == code
    assert "could not check 1 package" in result.stdout
