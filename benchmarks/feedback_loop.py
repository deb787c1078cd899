"""How long a learner waits for `pytest checks/lesson_NN`, against the floor.

The floor is a one-test pytest run of a one-route FastAPI app, in the same environment and with
the same pytest options as the checks. Runs alternate (floor, lesson, floor, lesson, ...) so load
on the machine hits both alike; the medians are compared. Goal: ratio <= 1.5.

    python benchmarks/feedback_loop.py [--rounds 5] [--against solutions] [lesson ...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

from pathlib import Path

from workbook.layout import tomllib

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.5

FLOOR_TEST = '''
from fastapi import FastAPI
from fastapi.testclient import TestClient

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"ok": "yes"}


def test_root():
    assert TestClient(app).get("/").json() == {"ok": "yes"}
'''


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lesson folders, e.g. lesson_01 (default: all)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", default="solutions")
    args = parser.parse_args()
    lessons = args.lessons or sorted(p.name for p in (ROOT / "checks").glob("lesson_*"))
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    with tempfile.TemporaryDirectory(prefix="floor-") as scratch:
        floor_dir = Path(scratch)
        (floor_dir / "pytest.ini").write_text(f"[pytest]\naddopts = {addopts}\n")
        (floor_dir / "test_floor.py").write_text(FLOOR_TEST)
        floor_cmd = [sys.executable, "-m", "pytest", "-q", "test_floor.py"]
        timed(floor_cmd, floor_dir)  # warm the file cache
        print(f"{'lesson':<10} {'floor s':>8} {'checks s':>9} {'ratio':>6}  goal <= {GOAL}")
        worst = 0.0
        for lesson in lessons:
            check_cmd = [sys.executable, "-m", "pytest", "-q", f"checks/{lesson}", "--against", args.against]
            timed(check_cmd, ROOT)
            floors, checks = [], []
            for _ in range(args.rounds):
                floors.append(timed(floor_cmd, floor_dir))
                checks.append(timed(check_cmd, ROOT))
            floor, check = statistics.median(floors), statistics.median(checks)
            ratio = check / floor
            worst = max(worst, ratio)
            print(f"{lesson:<10} {floor:8.2f} {check:9.2f} {ratio:6.2f}  {'ok' if ratio <= GOAL else 'over the goal'}")
        print(f"worst ratio {worst:.2f} (goal {GOAL})")


if __name__ == "__main__":
    main()
