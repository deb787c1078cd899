"""Every walkthrough notebook runs top to bottom on a fresh kernel and reproduces its saved
outputs exactly (nbval, strict comparison)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbook import services

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# A notebook that needs a server says so in its metadata: {"workbook": {"services": ["redis"]}}.
SERVICES = {"postgresql": services.postgres_url, "redis": services.redis_url}


def test_every_lesson_has_a_notebook() -> None:
    lessons = sorted(p.name for p in (ROOT / "checks").glob("lesson_*"))
    have = {p.name.split("_", 2)[0] + "_" + p.name.split("_", 2)[1] for p in NOTEBOOKS}
    missing = [name for name in lessons if name not in have]
    assert not missing, f"lessons without a walkthrough notebook in notebooks/: {missing}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_passes_nbval(notebook: Path) -> None:
    metadata = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]
    for service in metadata.get("workbook", {}).get("services", []):
        SERVICES[service]()  # skips with the reason, or fails under WORKBOOK_REQUIRE_SERVICES=1
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "nbval", "--nbval", "-q", "-p", "no:xdist", str(notebook.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
