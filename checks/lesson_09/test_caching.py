"""Lesson 09 checks: the cached dashboard - hits, invalidation, keys, expiry, two instances,
ETags, a Redis that is down, and concurrent misses.

Caching is proven by counting the SQL statements that read tasks or projects, never by timing.
Most checks run twice: with CACHE_URL=memory:// and with a Redis database of their own.
"""

import importlib
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from workbook import expect, services
from workbook.db import count_queries

where = pytest.mark.where

TTL_SECONDS = 30  # CACHE_TTL_SECONDS, set by conftest.py
PASSWORD = "correct horse battery staple"
STATUSES = ("todo", "in_progress", "done")
# The statements that compute a dashboard: those reading tasks or projects. Loading the logged-in
# user (SELECT ... FROM users) is not one of them.
DASHBOARD_WORK = re.compile(r"\b(tasks|projects)\b", re.IGNORECASE)


# --------------------------------------------------------------------------- people and their world


class Person:
    """A registered, logged-in user: `.id`, `.headers`; `.request(...)` sends their token."""

    def __init__(self, client, name):
        self.client = client
        self.name = name
        email = f"{name.lower()}@example.com"
        response = client.post("/users", json={"name": name, "email": email, "password": PASSWORD})
        expect.prerequisite(
            response.status_code == 201,
            f"POST /users registers {name} (got {expect.phrase(response.status_code)}).",
            where="app/users.py",
        )
        self.id = response.json()["id"]
        response = client.post("/token", data={"username": email, "password": PASSWORD})
        expect.prerequisite(
            response.status_code == 200,
            f"POST /token logs {name} in (got {expect.phrase(response.status_code)}).",
            where="app/auth.py",
        )
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def request(self, method, path, headers=None, **kwargs):
        return self.client.request(method, path, headers={**self.headers, **(headers or {})}, **kwargs)

    def dashboard(self, headers=None):
        return self.request("GET", "/dashboard", headers=headers)


@dataclass
class World:
    """What the checks created, and so what each dashboard must show."""

    client: object
    people: dict[str, Person] = field(default_factory=dict)
    projects: list[dict] = field(default_factory=list)  # {"id", "name", "owner", "tasks": {id: status}}
    admins: set[str] = field(default_factory=set)

    def project(self, owner, name, statuses):
        response = self.people[owner].request(
            "POST",
            "/projects",
            json={"name": name, "tasks": [{"title": f"{name} {n}", "status": s} for n, s in enumerate(statuses)]},
        )
        expect.prerequisite(
            response.status_code == 201,
            f"POST /projects by {owner} creates {name!r} with {len(statuses)} tasks "
            f"(got {expect.phrase(response.status_code)}).",
            where="app/projects.py",
        )
        project_id = response.json()["id"]
        self.projects.append({"id": project_id, "name": name, "owner": owner, "tasks": {}})
        listed = self.people[owner].request("GET", "/tasks", params={"project_id": project_id, "limit": 100})
        expect.prerequisite(
            listed.status_code == 200,
            f"GET /tasks?project_id={project_id} lists {name!r}'s tasks (got {expect.phrase(listed.status_code)}).",
            where="app/tasks.py",
        )
        for task in listed.json()["items"]:
            self.projects[-1]["tasks"][task["id"]] = task["status"]
        return self.projects[-1]

    def record(self, task_id, status):
        """Note that task `task_id` now has `status` (None: deleted)."""
        for project in self.projects:
            if task_id in project["tasks"]:
                if status is None:
                    del project["tasks"][task_id]
                else:
                    project["tasks"][task_id] = status

    def task_of(self, owner):
        """The id of one of `owner`'s tasks."""
        return next(task_id for p in self.projects if p["owner"] == owner for task_id in p["tasks"])

    def expected(self, name):
        """The dashboard `name` must see: everything for an admin, their own projects otherwise."""
        visible = [p for p in self.projects if name in self.admins or p["owner"] == name]
        by_status = dict.fromkeys(STATUSES, 0)
        for project in visible:
            for status in project["tasks"].values():
                by_status[status] += 1
        return {
            "tasks": sum(by_status.values()),
            "by_status": by_status,
            "projects": [
                {
                    "id": p["id"],
                    "name": p["name"],
                    "tasks": len(p["tasks"]),
                    "done": sum(status == "done" for status in p["tasks"].values()),
                }
                for p in sorted(visible, key=lambda p: p["id"])
            ],
        }


@pytest.fixture
def world(client, sql):
    """Ann: Apollo (todo, in_progress, done, done) and Gemini (no task); Bob: Mercury (todo);
    Cy: an admin."""
    world = World(client)
    for name in ("Ann", "Bob", "Cy"):
        world.people[name] = Person(client, name)
    sql("UPDATE users SET role = 'admin' WHERE id = :id", id=world.people["Cy"].id)
    world.admins.add("Cy")
    world.project("Ann", "Apollo", ["todo", "in_progress", "done", "done"])
    world.project("Ann", "Gemini", [])
    world.project("Bob", "Mercury", ["todo"])
    return world


# --------------------------------------------------------------------------- reading dashboards


def dashboard_of(world, name, why="", headers=None, set_up=None):
    """`name`'s dashboard: 200, JSON, and equal to what they may see. With `set_up` (where to
    look), a wrong dashboard is a failed set-up step of the check, not its requirement."""
    response = world.people[name].dashboard(headers)
    expect.status(response, 200, f"GET /dashboard answers {name}'s dashboard.")
    body = expect.json_body(response)
    wanted = world.expected(name)
    if body != wanted:
        problem = (
            f"{name}'s dashboard is not what {name} may see now. {why}".strip()
            + f"\n  expected: {json.dumps(wanted)}\n  received: {json.dumps(body)}"
        )
        if set_up:
            raise expect.CheckFailure(f"Before testing this, the check needs: {problem}", where=set_up)
        raise AssertionError(problem)
    return response


def read_counting(world, name, headers=None):
    """GET /dashboard as `name`, and the statements it sent that read tasks or projects."""
    with count_queries() as log:
        response = world.people[name].dashboard(headers)
    expect.status(response, 200, f"GET /dashboard answers {name}'s dashboard.")
    work = [s for s in log.statements if DASHBOARD_WORK.search(s)]
    return response, work


def listed(statements, limit=4):
    shown = [" ".join(s.split())[:140] for s in statements[:limit]]
    more = f"\n  ... and {len(statements) - limit} more" if len(statements) > limit else ""
    return "\n".join(f"  {s}" for s in shown) + more


# --------------------------------------------------------------------------- another process


# A check that starts another process of the app (a Python, FastAPI, SQLAlchemy... imported from
# scratch: a second or two, more on a busy machine) gets this long, beyond --check-timeout.
OTHER_PROCESS_SECONDS = 25
slow_check = pytest.mark.slow_check(OTHER_PROCESS_SECONDS + 5)

OTHER_INSTANCE = r"""
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
from fastapi.testclient import TestClient
from app.main import app

steps = json.loads(sys.argv[2])
answers = []
with TestClient(app) as client:
    for method, path, headers, body in steps:
        response = client.request(method, path, headers=headers, json=body)
        answers.append({"status": response.status_code, "headers": dict(response.headers), "body": response.text})
print("WORKBOOK-ANSWERS " + json.dumps(answers))
"""


def in_other_process(lesson, steps, hash_seed=1, timeout=OTHER_PROCESS_SECONDS):
    """Run the app in a new process - another worker - with the check's settings (the same
    database, the same cache), send it `steps` ([method, path, headers, json body]) and answer
    what it answered: [{"status", "headers", "body"}, ...]."""
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-c", OTHER_INSTANCE, str(lesson.path), json.dumps(steps)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise expect.CheckFailure(
            f"A second instance of your app, in another process, did not answer within {timeout} s."
        ) from None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("WORKBOOK-ANSWERS "):
            return json.loads(line.removeprefix("WORKBOOK-ANSWERS "))
    tail = "\n".join(done.stderr.strip().splitlines()[-6:])
    raise expect.CheckFailure(f"A second instance of your app, in another process, failed:\n{tail}")


def only(*kinds):
    """Run a check with these cache back ends only."""
    return pytest.mark.parametrize("backend", kinds, indirect=True)


# --------------------------------------------------------------------------- the dashboard itself


@where("app/dashboard.py and app/cache.py: the TODOs")
def test_dashboard_counts_what_each_user_may_see(world):
    """GET /dashboard answers the caller's tasks counted by status and by project: a member's own
    projects (those without tasks too), everything for an admin."""
    dashboard_of(world, "Ann")
    dashboard_of(world, "Cy", "An admin's dashboard counts every project.")


@only("memory")
@where("app/main.py (deny by default) and app/dashboard.py, TODO(conditional)")
def test_anonymous_never_gets_a_cached_dashboard(world, client):
    """Without a token, GET /dashboard answers 401 - even right after someone's dashboard was
    cached, and even with that dashboard's ETag in If-None-Match."""
    etag = dashboard_of(world, "Ann").headers.get("etag", '"none"')
    response = client.get("/dashboard")
    expect.status(response, 401, "Only logged-in users have a dashboard; the cache must not change that.")
    response = client.get("/dashboard", headers={"If-None-Match": etag})
    expect.status(
        response, 401, "An anonymous request with a known ETag must not learn that it is current (no 304)."
    )


# --------------------------------------------------------------------------- hits and misses


@where("app/cache.py, TODO(memory-cache) / TODO(redis-cache), and app/dashboard.py, TODO(key)")
def test_a_cache_hit_reads_no_task_or_project(world, backend):
    """The second read of an unchanged dashboard comes from the cache: it sends no SQL statement
    that reads tasks or projects."""
    _, first = read_counting(world, "Ann")
    expect.prerequisite(bool(first), "the first read computes the dashboard from the database.", "app/store.py")
    response, second = read_counting(world, "Ann")
    assert not second, (
        f"The second read of the same dashboard ran {len(second)} statement(s) on tasks or projects - "
        f"it was computed again instead of coming from the {backend.kind} cache:\n{listed(second)}"
    )
    assert response.json() == world.expected("Ann"), "A hit answers the same dashboard as the miss before it."


INVALIDATE = "app/tasks.py and app/projects.py, TODO(invalidate)"
WRITES = ["POST /tasks", "PUT /tasks/{id}", "PATCH /tasks/{id}", "DELETE /tasks/{id}", "POST /projects"]


def write(world, what):
    """Ann changes her tasks with `what`; the world notes what changed."""
    ann = world.people["Ann"]
    apollo = world.projects[0]
    task_id = next(iter(apollo["tasks"]))
    if what == "POST /tasks":
        response = ann.request("POST", "/tasks", json={"title": "Written after", "project_id": apollo["id"], "status": "done"})
        expect.prerequisite(response.status_code == 201, f"POST /tasks answers 201 (got {expect.phrase(response.status_code)}).", "app/tasks.py")
        apollo["tasks"][response.json()["id"]] = "done"
    elif what == "PUT /tasks/{id}":
        body = {"title": "Replaced", "project_id": apollo["id"], "status": "in_progress"}
        response = ann.request("PUT", f"/tasks/{task_id}", json=body)
        expect.prerequisite(response.status_code == 200, f"PUT /tasks/{task_id} answers 200 (got {expect.phrase(response.status_code)}).", "app/tasks.py")
        world.record(task_id, "in_progress")
    elif what == "PATCH /tasks/{id}":
        response = ann.request("PATCH", f"/tasks/{task_id}", json={"status": "done"})
        expect.prerequisite(response.status_code == 200, f"PATCH /tasks/{task_id} answers 200 (got {expect.phrase(response.status_code)}).", "app/tasks.py")
        world.record(task_id, "done")
    elif what == "DELETE /tasks/{id}":
        response = ann.request("DELETE", f"/tasks/{task_id}")
        expect.prerequisite(response.status_code == 204, f"DELETE /tasks/{task_id} answers 204 (got {expect.phrase(response.status_code)}).", "app/tasks.py")
        world.record(task_id, None)
    else:
        world.project("Ann", "Vostok", ["todo", "todo"])


@pytest.mark.parametrize("what", WRITES)
@where("app/tasks.py and app/projects.py, TODO(invalidate); app/dashboard.py, TODO(invalidate)")
def test_a_write_makes_the_next_read_fresh(world, backend, what):
    """After a task or project is written, the writer's next dashboard read shows the change."""
    dashboard_of(world, "Ann")  # now cached
    write(world, what)
    dashboard_of(world, "Ann", f"After {what}, the cached dashboard is stale: the write must invalidate it.")


@where("app/dashboard.py, TODO(invalidate)")
def test_a_write_makes_every_users_dashboard_fresh(world, backend):
    """A write makes the dashboards of everyone who sees the task stale - an admin's too, not only
    the writer's."""
    dashboard_of(world, "Cy")  # the admin's dashboard, now cached
    dashboard_of(world, "Ann")
    write(world, "PATCH /tasks/{id}")
    dashboard_of(
        world, "Cy", "Ann changed a task; the admin's dashboard counts it too, so it must be fresh as well."
    )


# --------------------------------------------------------------------------- keys


@where("app/dashboard.py, TODO(key)")
def test_users_never_share_a_cached_dashboard(world, backend):
    """Each user gets their own dashboard, never the one cached for another user."""
    dashboard_of(world, "Ann")  # now cached
    dashboard_of(
        world, "Bob", "Bob received another user's dashboard: the cache key must hold who is asking."
    )
    dashboard_of(world, "Cy", "The admin received a member's dashboard: the key must hold who is asking.")


@where("app/dashboard.py, TODO(key)")
def test_a_role_change_changes_the_dashboard(world, backend):
    """After an admin makes Bob a viewer (viewers see every project), Bob's next dashboard counts
    every project - not the member's dashboard cached before."""
    dashboard_of(world, "Bob")  # cached as a member
    cy, bob = world.people["Cy"], world.people["Bob"]
    response = cy.request("PATCH", f"/users/{bob.id}", json={"role": "viewer"})
    expect.prerequisite(response.status_code == 200, f"PATCH /users/{bob.id} by an admin makes Bob a viewer (got {expect.phrase(response.status_code)}).", "app/users.py")
    world.admins.add("Bob")  # a viewer sees what an admin sees
    dashboard_of(
        world, "Bob", "Bob is a viewer now, yet got the dashboard cached while he was a member: "
        "the dashboard depends on the role too."
    )


# --------------------------------------------------------------------------- expiry


@only("memory")
@where("app/cache.py, TODO(memory-cache)")
def test_memory_entries_expire_after_the_ttl(world, lesson, monkeypatch):
    """With memory://, an entry is served for CACHE_TTL_SECONDS (30 here) by app.cache.clock()
    and computed afresh after that."""
    try:
        cache_module = importlib.import_module("app.cache")  # the module the app imported
    except ImportError:
        raise AssertionError("There is no app/cache.py: the cache lives there.") from None
    if not callable(getattr(cache_module, "clock", None)):
        raise AssertionError("app/cache.py has no clock() function: the in-memory cache must read the time through it.")
    now = [cache_module.clock()]  # the real time, from now on moved only by this check
    monkeypatch.setattr(cache_module, "clock", lambda: now[0])
    read_counting(world, "Ann")  # a miss, cached at "now"
    now[0] += TTL_SECONDS - 1
    _, work = read_counting(world, "Ann")
    assert not work, (
        f"{TTL_SECONDS - 1} seconds after it was cached (CACHE_TTL_SECONDS={TTL_SECONDS}), the dashboard "
        f"was computed again:\n{listed(work)}\nIt should still be served from the cache."
    )
    now[0] += 2
    _, work = read_counting(world, "Ann")
    assert work, (
        f"{TTL_SECONDS + 1} seconds after it was cached, the dashboard still came from the cache. "
        f"Entries must expire after CACHE_TTL_SECONDS, on the time app.cache.clock() answers."
    )


@only("redis")
@where("app/cache.py, TODO(redis-cache)")
def test_redis_keys_expire_within_the_ttl(world, backend):
    """With Redis, every key the app writes expires within CACHE_TTL_SECONDS (30 here)."""
    dashboard_of(world, "Ann")
    write(world, "PATCH /tasks/{id}")
    dashboard_of(world, "Ann")
    redis = backend.redis
    keys = [key for key in redis.scan_iter(count=1000) if not services.is_workbook_key(key)]
    assert keys, (
        "After reading the dashboard with CACHE_URL set to a Redis URL, that Redis database holds no "
        "key: the app does not cache in Redis. Build the back end CACHE_URL names."
    )
    wrong = {key.decode(errors="replace"): redis.pttl(key) for key in keys}
    wrong = {key: ttl for key, ttl in wrong.items() if not 0 < ttl <= TTL_SECONDS * 1000}
    assert not wrong, (
        f"These Redis keys do not expire within CACHE_TTL_SECONDS={TTL_SECONDS} (TTL in ms; -1: never):\n"
        + "\n".join(f"  {key}: {ttl}" for key, ttl in sorted(wrong.items())[:6])
        + "\nGive every key an expiry when you write it (SET ... EX ttl)."
    )


# --------------------------------------------------------------------------- two instances


@only("redis")
@slow_check
@where("app/cache.py, TODO(redis-cache), and app/dashboard.py, TODO(invalidate)")
def test_a_write_in_one_instance_reaches_the_others(world, lesson, backend):
    """With Redis, a task changed through another instance of the app (another process, as with
    several workers) makes this instance's next dashboard read fresh."""
    dashboard_of(world, "Ann")  # cached by this instance
    ann = world.people["Ann"]
    task_id = world.task_of("Ann")
    [answer] = in_other_process(lesson, [["PATCH", f"/tasks/{task_id}", ann.headers, {"status": "done"}]])
    expect.prerequisite(
        answer["status"] == 200,
        f"the other instance changes task {task_id} with PATCH (got {expect.phrase(answer['status'])}).",
        "app/tasks.py",
    )
    world.record(task_id, "done")
    dashboard_of(
        world, "Ann", "Another instance changed a task, and this instance still served the dashboard "
        "from before: its invalidation must live in Redis, where every instance sees it."
    )


# --------------------------------------------------------------------------- HTTP caching


def etag_of(response, who="the dashboard"):
    etag = response.headers.get("etag")
    assert etag, f"GET /dashboard answers {who} without an ETag header."
    assert len(etag) >= 2 and etag.removeprefix("W/").startswith('"') and etag.endswith('"'), (
        f"An ETag is a quoted string, like \"5d41402abc\"; got {etag!r}."
    )
    return etag


@only("memory")
@slow_check
@where("app/dashboard.py, TODO(etag)")
def test_etag_is_the_same_in_every_process(world, lesson):
    """The same dashboard has the same ETag in every process of the app (each process has its own
    PYTHONHASHSEED): an ETag is a digest of the body, never Python's hash()."""
    here = etag_of(dashboard_of(world, "Ann"))
    # Another process with a hash seed surely not this one's: hash() would give another value.
    seed = 2 if os.environ.get("PYTHONHASHSEED") == "1" else 1
    [answer] = in_other_process(lesson, [["GET", "/dashboard", world.people["Ann"].headers, None]], seed)
    expect.prerequisite(
        answer["status"] == 200,
        f"another process answers GET /dashboard (got {expect.phrase(answer['status'])}).",
        "app/dashboard.py",
    )
    there = answer["headers"].get("etag")
    assert there == here, (
        f"Two processes answered the same dashboard with different ETags: {here} here, {there} in the "
        "other. A browser revalidating with one worker's ETag would miss on every other worker. Use a "
        "digest of the body (hashlib.sha256), not hash(), which Python salts per process."
    )


@only("memory")
@where("app/dashboard.py, TODO(etag)")
def test_etag_changes_with_the_dashboard(world):
    """When the dashboard changes, its ETag changes."""
    before = etag_of(dashboard_of(world, "Ann"))
    write(world, "PATCH /tasks/{id}")
    after = etag_of(dashboard_of(world, "Ann", "A write must make it fresh.", set_up=INVALIDATE))
    assert after != before, f"The dashboard changed but its ETag did not ({before}): clients would keep the old one."


@where("app/dashboard.py, TODO(conditional)")
def test_if_none_match_with_the_current_etag_is_304(world, backend):
    """If-None-Match with the current ETag answers 304 Not Modified with an empty body, and the same
    ETag and Cache-Control headers as the 200."""
    full = dashboard_of(world, "Ann")
    etag = etag_of(full)
    response = world.people["Ann"].dashboard({"If-None-Match": etag})
    expect.status(response, 304, "The client already has this dashboard: answer 304 Not Modified.")
    assert response.content == b"", f"A 304 has no body; got {response.text[:80]!r}."
    for header in ("etag", "cache-control"):
        assert response.headers.get(header) == full.headers.get(header), (
            f"A 304 carries the {header} header the 200 would have ({full.headers.get(header)!r}); "
            f"got {response.headers.get(header)!r}. Caches update what they keep from it."
        )


@only("memory")
@pytest.mark.parametrize("form", ["in a list", "weak", "*"])
@where("app/dashboard.py, TODO(conditional)")
def test_if_none_match_forms(world, form):
    """If-None-Match may list several ETags, mark one weak (W/"..."), or be * : each naming the
    current ETag answers 304."""
    etag = etag_of(dashboard_of(world, "Ann"))
    header = {"in a list": f'"old-one", {etag}', "weak": f"W/{etag}", "*": "*"}[form]
    response = world.people["Ann"].dashboard({"If-None-Match": header})
    expect.status(response, 304, f"If-None-Match: {header} names the current ETag.")


@only("memory")
@where("app/dashboard.py, TODO(conditional)")
def test_an_old_etag_gets_the_new_dashboard(world):
    """If-None-Match with an ETag from before a change answers 200 with the new dashboard."""
    old = etag_of(dashboard_of(world, "Ann"))
    write(world, "PATCH /tasks/{id}")
    dashboard_of(world, "Ann", "A write must make it fresh.", set_up=INVALIDATE)
    response = dashboard_of(world, "Ann", "With an old ETag, answer the new dashboard in full.", {"If-None-Match": old})
    assert etag_of(response) != old, "The new dashboard has a new ETag."


@only("memory")
@where("app/dashboard.py, TODO(conditional)")
def test_authenticated_dashboards_are_private(world):
    """A dashboard's Cache-Control says `private` (or `no-store`), never `public`: no shared cache
    (proxy, CDN) may store one user's answer for others."""
    response = dashboard_of(world, "Ann")
    value = response.headers.get("cache-control", "")
    directives = {part.strip().split("=")[0].lower() for part in value.split(",") if part.strip()}
    assert directives & {"private", "no-store"} and not directives & {"public", "s-maxage"}, (
        f"Cache-Control is {value!r}: an authenticated answer must say private (or no-store), never "
        f"public or s-maxage, or a shared cache may hand Ann's dashboard to someone else."
    )


# --------------------------------------------------------------------------- Redis down


@only("redis down")
@where("app/cache.py, TODO(redis-cache)")
def test_redis_down_answers_from_the_database(world, caplog):
    """With CACHE_URL pointing at a Redis nobody runs, the API answers from the database - reads
    and writes, never a 500 - and logs the failure at WARNING or above."""
    caplog.set_level("WARNING")
    dashboard_of(world, "Ann", "Redis is down: answer from the database.")
    write(world, "PATCH /tasks/{id}")
    dashboard_of(world, "Ann", "Redis is down: a write must still work, and the next read be right.")
    # Setting up the check (creating projects) may have met the failure first: count that too.
    records = caplog.get_records("setup") + caplog.records
    logged = [record for record in records if record.levelno >= logging.WARNING]
    assert logged, (
        "Redis was unreachable, and nothing was logged at WARNING or above: log the failure "
        "(logger.warning), so that someone notices the cache is gone."
    )


# --------------------------------------------------------------------------- concurrent misses


@where("app/cache.py, TODO(single-flight)")
def test_concurrent_misses_compute_the_dashboard_once(world, backend):
    """When eight requests for one user's dashboard miss at the same time, the dashboard is computed
    once: the others wait for it and answer what it stored."""
    readers = 8
    computing = set()  # the threads that ran a statement on tasks or projects
    arrived = {}  # connection -> when it first ran a statement (each request holds its own)
    lock = threading.Lock()
    second_one = threading.Event()

    def all_arrived_a_while_ago():
        with lock:
            return len(arrived) >= readers and time.monotonic() - max(arrived.values()) > 0.2

    def hold_the_first(conn, cursor, statement, parameters, context, executemany):
        with lock:
            arrived.setdefault(id(conn), time.monotonic())
            if not DASHBOARD_WORK.search(statement):
                return
            computing.add(threading.get_ident())
            first = len(computing) == 1
        if not first:
            second_one.set()
            return
        # Hold the first computation until another request computes too (a stampede), or until
        # every request has been under way for a moment - long enough to miss and compute, had
        # they not waited for this one - or at most 2 seconds.
        deadline = time.monotonic() + 2
        while not second_one.wait(0.02) and not all_arrived_a_while_ago() and time.monotonic() < deadline:
            pass

    answers = [None] * readers
    raised = []

    def read(number):
        try:
            answers[number] = world.people["Ann"].dashboard()
        except BaseException as exc:  # reported below, from the check itself
            raised.append(exc)

    event.listen(Engine, "before_cursor_execute", hold_the_first)
    try:
        threads = [threading.Thread(target=read, args=(n,)) for n in range(len(answers))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
    finally:
        event.remove(Engine, "before_cursor_execute", hold_the_first)
    if raised:
        raise raised[0]
    wanted = world.expected("Ann")
    assert all(a is not None and a.status_code == 200 and a.json() == wanted for a in answers), (
        "Eight concurrent reads must each answer Ann's dashboard; got: "
        + ", ".join(str(a.status_code) if a is not None else "no answer" for a in answers)
    )
    assert len(computing) == 1, (
        f"Eight reads of a dashboard nobody had read yet, all at once: {len(computing)} of them computed "
        "it from the database. On a miss, take a lock for the key, look in the cache again, and "
        "compute only if it is still missing - the others wait and read what the first stored."
    )
