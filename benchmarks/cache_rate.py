"""Request rate of the cached versus the uncached dashboard, same machine, one run.

Lesson 09's reference solution (solutions/lesson_09) is served by uvicorn (one worker, a process
of its own) on a temporary SQLite database - migrated with Alembic, seeded with one member who owns
20 projects and --tasks tasks of mixed statuses - once per variant:

- uncached:        CACHE_URL=memory://, but a cache that never stores (every GET /dashboard runs the
                   GROUP BY). The solution is not changed: a wrapper module in the temporary folder
                   replaces `build_cache` in app.main before the lifespan runs.
- cached (memory): CACHE_URL=memory://
- cached (redis):  CACHE_URL names one of the workbook's scratch Redis databases (lent empty, emptied
                   afterwards: workbook.services.scratch_redis_database); skipped, with a note,
                   when Redis cannot be reached.

From this process, --clients threads (one keep-alive httpx.Client each) read GET /dashboard with a
Bearer token for --seconds after a 0.5 s warm-up; the 200 answers completed in that window make
the rate. Variants alternate over --rounds rounds so load on the machine hits all alike; medians
are compared. Before the load, a write made straight to the database (behind the app's back, so
nothing is invalidated) proves the cached variants answer from their cache and the uncached one
does not. "server CPU" is the uvicorn process's CPU time over the window: near 100% means the
server, not the load generator, is the limit.

    python benchmarks/cache_rate.py [--rounds 3] [--seconds 3] [--clients 8] [--tasks 2000]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from workbook import services

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "solutions" / "lesson_09"
PROJECTS = 20
WARMUP_SECONDS = 0.5
EMAIL = "ann@example.com"
PASSWORD = "correct horse battery staple"

# Run in a subprocess (the app reads its settings at import): migrate, then seed through the
# app's own models and password hashing.
SEED = '''
import random, sys
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session

config = Config(sys.argv[1])
config.attributes["configure_logger"] = False
command.upgrade(config, "head")

from app.db import engine
from app.models import Project, Task, User
from app.schemas import Role, TaskKind, TaskStatus
from app.security import hash_password

projects, tasks = int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(9)
statuses = list(TaskStatus)
kinds = list(TaskKind)
with Session(engine) as session:
    ann = User(name="Ann", email=sys.argv[4], hashed_password=hash_password(sys.argv[5]), role=Role.member)
    session.add(ann)
    session.flush()
    made = []
    for number in range(projects):
        made.append(Project(name=f"Project {number + 1}", description="Seeded.", owner_id=ann.id))
    session.add_all(made)
    session.flush()
    session.add_all(
        Task(
            title=f"Task {number + 1}",
            description="Seeded for the benchmark.",
            status=rng.choices(statuses, weights=(5, 2, 3))[0],
            priority=rng.randint(1, 5),
            tags=rng.sample(["api", "db", "ui", "ops"], rng.randint(0, 2)),
            kind=rng.choice(kinds),
            project_id=made[number % projects].id,
            assignee_id=ann.id if rng.random() < 0.5 else None,
        )
        for number in range(tasks)
    )
    session.commit()
engine.dispose()
'''

# The uncached variant: the real app, with a cache that never stores anything.
NO_CACHE_APP = '''
import app.main


class NoCache:
    def get(self, key):
        return None

    def set(self, key, value):
        pass

    def close(self):
        pass


app.main.build_cache = lambda url, ttl: NoCache()
app = app.main.app
'''


@dataclass
class Variant:
    name: str
    app: str  # uvicorn's APP argument
    cache_url: str
    cached: bool
    process: subprocess.Popen[bytes] | None = None
    url: str = ""
    rates: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def base_env(scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=str(LESSON),
        DATABASE_URL=f"sqlite:///{scratch / 'bench.db'}",
        ENVIRONMENT="development",
        # The same key in every process: a token issued by one server is good on the others.
        SECRET_KEY=secrets.token_urlsafe(36),
        ARGON2_MEMORY_COST="8",
        ARGON2_TIME_COST="1",
        ARGON2_PARALLELISM="1",
        CACHE_TTL_SECONDS="60",
    )
    return env


def start(variant: Variant, env: dict[str, str], scratch: Path) -> None:
    port = free_port()
    log = open(scratch / f"{variant.name.replace(' ', '_')}.log", "wb")
    variant.process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", variant.app, "--app-dir", str(scratch), "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning"],
        cwd=scratch, env={**env, "CACHE_URL": variant.cache_url}, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    variant.url = f"http://127.0.0.1:{port}"


def wait_ready(variant: Variant, scratch: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert variant.process is not None
        if variant.process.poll() is not None:
            break
        try:
            if httpx.get(f"{variant.url}/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    log = (scratch / f"{variant.name.replace(' ', '_')}.log").read_text(errors="replace")
    sys.exit(f"the {variant.name} server did not start:\n{log[-3000:]}")


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process, from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(url: str, token: str, clients: int, begin: float, end: float) -> tuple[int, list[str]]:
    """`clients` threads read the dashboard from now until `end` (time.perf_counter()); the 200s
    completed from `begin` on count - what comes before is the warm-up. Answers (count, failures)."""
    counts = [0] * clients
    failures: list[str] = []

    def client(number: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
            while True:
                try:
                    response = http.get("/dashboard")
                except httpx.HTTPError as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    response = None
                done = time.perf_counter()
                if response is not None and response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                elif response is not None and begin <= done < end:
                    counts[number] += 1
                if done >= end:
                    return

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), failures


def measure(variant: Variant, token: str, clients: int, seconds: float) -> None:
    """One round of load on one variant: its rate, and its server's CPU use over the window."""
    assert variant.process is not None
    pid = variant.process.pid
    begin = time.perf_counter() + WARMUP_SECONDS
    end = begin + seconds
    cpu: dict[str, float | None] = {}

    def sample_cpu_at(moment: float, key: str) -> None:
        time.sleep(max(0.0, moment - time.perf_counter()))
        cpu[key] = cpu_seconds(pid)

    samplers = [threading.Thread(target=sample_cpu_at, args=(moment, key), daemon=True)
                for moment, key in ((begin, "begin"), (end, "end"))]
    for sampler in samplers:
        sampler.start()
    ok, failures = load(variant.url, token, clients, begin, end)
    for sampler in samplers:
        sampler.join()
    variant.rates.append(ok / seconds)
    cpu_begin, cpu_end = cpu.get("begin"), cpu.get("end")
    if cpu_begin is not None and cpu_end is not None:
        variant.cpu.append((cpu_end - cpu_begin) / seconds)
    variant.failures.extend(failures)


def prove_cache(variants: list[Variant], token: str, database: Path) -> list[str]:
    """Read every dashboard, change a task straight in the database (no invalidation), read again:
    a cached variant must answer what it answered before, the uncached one the change."""
    headers = {"Authorization": f"Bearer {token}"}
    before = {v.name: httpx.get(f"{v.url}/dashboard", headers=headers).content for v in variants}
    with sqlite3.connect(database) as db:
        db.execute(
            "UPDATE tasks SET status = 'done' WHERE id = (SELECT min(id) FROM tasks WHERE status = 'todo')"
        )
    problems = []
    for variant in variants:
        after = httpx.get(f"{variant.url}/dashboard", headers=headers).content
        if variant.cached and after != before[variant.name]:
            problems.append(f"{variant.name}: a write behind the app's back showed up - not from the cache")
        if not variant.cached and after == before[variant.name]:
            problems.append(f"{variant.name}: a write behind the app's back did not show up - cached")
    return problems


def stop(variants: list[Variant]) -> None:
    for variant in variants:
        if variant.process is not None and variant.process.poll() is None:
            variant.process.terminate()
    for variant in variants:
        if variant.process is not None:
            try:
                variant.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                variant.process.kill()
                variant.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per variant and round")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients")
    parser.add_argument("--tasks", type=int, default=2000, help=f"tasks, spread over {PROJECTS} projects")
    args = parser.parse_args()
    # SIGTERM ends the run like Ctrl-C does: through the `finally` that stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.perf_counter()
    variants = [
        Variant("uncached", "no_cache_app:app", "memory://", cached=False),
        Variant("cached (memory)", "app.main:app", "memory://", cached=True),
    ]
    with ExitStack() as resources:
        cache_db = None
        server = services.configured_redis_url()
        if services.reachable(server):
            redis_url = resources.enter_context(services.scratch_redis_database())
            cache_db = resources.enter_context(redis.Redis.from_url(redis_url))
            variants.append(Variant("cached (redis)", "app.main:app", redis_url, cached=True))
        else:
            print(f"note: Redis at {server} cannot be reached - the Redis variant is skipped")
        run(variants, cache_db, args, started)


def run(variants: list[Variant], cache_db: redis.Redis | None, args: argparse.Namespace, started: float) -> None:
    with tempfile.TemporaryDirectory(prefix="cache-rate-") as tmp:
        scratch = Path(tmp)
        env = base_env(scratch)
        (scratch / "no_cache_app.py").write_text(NO_CACHE_APP)
        seeded = subprocess.run(
            [sys.executable, "-c", SEED, str(LESSON / "alembic.ini"),
             str(PROJECTS), str(args.tasks), EMAIL, PASSWORD],
            cwd=scratch, env=env, capture_output=True, text=True,
        )
        if seeded.returncode != 0:
            sys.exit(f"migrating and seeding failed:\n{seeded.stdout[-2000:]}{seeded.stderr[-2000:]}")
        try:
            for variant in variants:
                start(variant, env, scratch)
            for variant in variants:
                wait_ready(variant, scratch)
            login = httpx.post(f"{variants[0].url}/token", data={"username": EMAIL, "password": PASSWORD})
            if login.status_code != 200:
                sys.exit(f"logging in failed: {login.status_code} {login.text}")
            token = login.json()["access_token"]
            problems = prove_cache(variants, token, scratch / "bench.db")
            if cache_db is not None:
                if not cache_db.keys("dashboard:*"):
                    problems.append("cached (redis): no dashboard key in Redis")

            print(f"{args.tasks} tasks in {PROJECTS} projects, {args.clients} clients, "
                  f"{args.seconds:g} s x {args.rounds} rounds per variant, {os.cpu_count()} cores")
            for _ in range(args.rounds):
                for variant in variants:
                    measure(variant, token, args.clients, args.seconds)
        finally:
            stop(variants)

    baseline = statistics.median(variants[0].rates)
    print(f"{'variant':<16} {'req/s':>8} {'min':>8} {'max':>8} {'server CPU':>11} {'ratio':>7}")
    for variant in variants:
        rate = statistics.median(variant.rates)
        cpu = f"{statistics.median(variant.cpu):.0%}" if variant.cpu else "n/a"
        print(f"{variant.name:<16} {rate:8.0f} {min(variant.rates):8.0f} {max(variant.rates):8.0f} "
              f"{cpu:>11} {rate / baseline:6.1f}x")
    for variant in variants[1:]:
        print(f"{variant.name} / uncached = {statistics.median(variant.rates) / baseline:.1f}x")
    for variant in variants:
        if variant.failures:
            problems.append(
                f"{variant.name}: {len(variant.failures)} failed requests, e.g. {variant.failures[0]}"
            )
    for problem in problems:
        print(f"CHECK FAILED - {problem}")
    print(f"wall time {time.perf_counter() - started:.1f} s")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the servers are already stopped (main's `finally`)
        sys.exit("interrupted")
