"""Figures of the last security run, printed at the end of pytest and kept for SECURITY.md."""

from __future__ import annotations

import json
import os
from pathlib import Path

FIGURES: dict[str, float] = {}
# Where the figures of the last run are written (ignored by git: test-artifacts/).
FIGURES_PATH = Path(
    os.environ.get(
        "STORES_API_SECURITY_FIGURES",
        Path(__file__).resolve().parents[2] / "test-artifacts" / "security-figures.json",
    )
)


def record(name: str, value: float, add: bool = True) -> None:
    """Add value to a named figure (or set it, with add=False)."""
    FIGURES[name] = FIGURES.get(name, 0) + value if add else value


def write() -> None:
    if not FIGURES:
        return
    FIGURES_PATH.parent.mkdir(parents=True, exist_ok=True)
    FIGURES_PATH.write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")
