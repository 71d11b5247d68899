"""Audit the locked dependencies with pip-audit: fail on any known vulnerability.

Usage: python scripts/audit-dependencies.py [requirements.lock]

Exit 1 when pip-audit reports a vulnerability. pip-audit asks PyPI's per-release JSON API
(/pypi/<name>/<version>/json); where that is missing (some mirrors, as on our CI machine)
a package it skipped is checked against the project's JSON (/pypi/<name>/json) instead, whose
"vulnerabilities" are those of the latest release: valid when the lock pins the latest
release, which `make lock` does. A package neither way can check is listed loudly and the
audit passes, because the suite must run offline; STORES_API_AUDIT_STRICT=1 (e.g. in a
release pipeline) makes that a failure too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPI_JSON = os.environ.get("STORES_API_PYPI_JSON_URL", "https://pypi.org/pypi")


def pinned_versions(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;]+)", line)
        if match:
            pins[normalize(match[1])] = match[2]
    return pins


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def latest_release_vulns(name: str, version: str) -> list[dict] | None:
    """The advisories of name==version when it is the latest release; None if unknown."""
    try:
        with urllib.request.urlopen(f"{PYPI_JSON}/{name}/json", timeout=15) as response:  # noqa: S310
            project = json.load(response)
    except (OSError, ValueError):
        return None
    if project.get("info", {}).get("version") != version:
        return None
    return [
        {"id": vuln.get("id"), "fix_versions": vuln.get("fixed_in") or []}
        for vuln in project.get("vulnerabilities") or []
        if not vuln.get("withdrawn")
    ]


def main() -> int:
    lock = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "requirements.lock"
    pip_audit = os.environ.get("STORES_API_PIP_AUDIT") or Path(sys.executable).parent / "pip-audit"
    command = [
        str(pip_audit),
        "--requirement",
        str(lock),
        "--no-deps",  # every line of the lock is pinned
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--timeout",
        "20",
    ]
    result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        tail = (result.stderr or "").strip().splitlines()[-1:] or ["no output"]
        return unaudited(lock, [f"pip-audit could not run: {tail[0]}"])
    pins = pinned_versions(lock)
    for dep in report["dependencies"]:
        version = pins.get(normalize(dep["name"]))
        if dep.get("skip_reason") and version:
            vulns = latest_release_vulns(dep["name"], version)
            if vulns is not None:
                dep.update(version=version, vulns=vulns)
                del dep["skip_reason"]
    vulnerable = [dep for dep in report["dependencies"] if dep.get("vulns")]
    skipped = [dep for dep in report["dependencies"] if dep.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        print(f"audit FAILED: {len(vulnerable)} vulnerable package(s) in {lock.name}")
        return 1
    audited = len(report["dependencies"]) - len(skipped)
    if skipped:
        return unaudited(lock, [dep["skip_reason"] for dep in skipped], audited)
    print(f"audit passed: {audited} packages of {lock.name}, no known vulnerabilities")
    return 0


def unaudited(lock: Path, reasons: list[str], audited: int = 0) -> int:
    print(f"WARNING: the advisory service could not check {len(reasons)} package(s) of {lock.name}")
    for reason in reasons[:5]:
        print(f"  {reason}")
    if len(reasons) > 5:
        print(f"  ... and {len(reasons) - 5} more")
    print(f"  ({audited} audited; no vulnerability was reported for those)")
    if os.environ.get("STORES_API_AUDIT_STRICT") == "1":
        print("audit FAILED: STORES_API_AUDIT_STRICT=1 and not every package could be audited")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
