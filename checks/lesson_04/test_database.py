"""Lesson 04 checks: tasks and projects live in a database.

Each check has a database of its own. A check proves that something is *stored* by starting a
second instance of the app on the same DATABASE_URL: that instance shares no Python object with
the first, so whatever it answers came from the database.
"""

import gc
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import Pool

from workbook import expect

where = pytest.mark.where

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = "https://tasks.example/problems/"
TASK_NOT_FOUND = PROBLEM_TYPES + "task-not-found"
TITLE_TAKEN = PROBLEM_TYPES + "title-taken"
PROJECT_NAME_TAKEN = PROBLEM_TYPES + "project-name-taken"
CONFLICT = PROBLEM_TYPES + "conflict"
NOT_STORED = (
    "A second app on the same database does not find it, so it was never stored: commit the "
    "session once the change is complete (session.commit()) - what is only added or flushed is "
    "thrown away when the session closes."
)


def create_task(client, title="Write the lesson", **fields):
    """Set-up step: create a task through the API."""
    response = client.post("/tasks", json={"title": title, **fields})
    expect.prerequisite(
        response.status_code == 201,
        f"POST /tasks creates a task and answers 201 (got {expect.phrase(response.status_code)}).",
        where="app/store.py, TODO(write)",
    )
    return expect.json_body(response)


def create_project(client, name="Launch", **fields):
    """Set-up step: create a project through the API."""
    response = client.post("/projects", json={"name": name, **fields})
    expect.prerequisite(
        response.status_code == 201,
        f"POST /projects creates a project and answers 201 (got {expect.phrase(response.status_code)}).",
        where="app/store.py, TODO(projects)",
    )
    return expect.json_body(response)


def expect_problem(response, status, problem_type, why=""):
    """The response is an RFC 9457 problem with this status and type (lesson 03's envelope)."""
    expect.status(response, status, why)
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    assert media_type == PROBLEM_JSON, f"Expected the media type {PROBLEM_JSON} (lesson 03's envelope), got {media_type or 'none'}."
    body = expect.json_body(response)
    expect.has_keys(body, {"type", "title", "status", "detail", "instance"}, "the problem")
    assert body["type"] == problem_type, f"Expected the problem's `type` to be {problem_type!r}, got {body['type']!r}."
    return body


def listed(client, **params):
    response = client.get("/tasks", params=params)
    expect.status(response, 200, "GET /tasks lists the tasks.")
    return expect.json_body(response)


# --------------------------------------------------------------------------- stored, and read back


@where("app/store.py, TODO(write)")
def test_a_created_task_is_stored_in_the_database(client, restart):
    """A task created through the API is in the database: a second app started on the same DATABASE_URL answers it, every field intact."""
    task = create_task(client, "Ship it", description="v1", status="in_progress", priority=5, tags=["release"], due_date="2026-03-01")
    response = restart().get(f"/tasks/{task['id']}")
    expect.status(response, 200, NOT_STORED)
    assert expect.json_body(response) == task, f"The stored task must read back as it was created: expected {task}."


@where("app/store.py, TODO(read)")
def test_list_reads_the_database_filtered_oldest_first(client, restart):
    """GET /tasks?status=todo&limit=2 answers, from the database, the two oldest tasks whose status is todo."""
    ids = {title: create_task(client, title, status=status)["id"] for title, status in
           [("a", "todo"), ("b", "done"), ("c", "todo"), ("d", "todo")]}
    body = listed(restart(), status="todo", limit=2)
    got = [task.get("id") for task in body] if isinstance(body, list) else body
    assert got == [ids["a"], ids["c"]], (
        f"Expected tasks {[ids['a'], ids['c']]} (todo, oldest first, at most 2), got {got}: filter with "
        ".where(...), order by id and .limit(...) in the SELECT."
    )


@where("app/store.py, TODO(read)")
def test_a_missing_task_is_still_a_404_problem(client):
    """GET /tasks/999 for a task that is not in the database answers 404, a problem of type .../task-not-found."""
    create_task(client)
    response = client.get("/tasks/999")
    expect_problem(response, 404, TASK_NOT_FOUND, "There is no task 999: get(...) answers None and the route raises TaskNotFound.")


@where("app/store.py, TODO(write)")
def test_put_and_patch_are_stored(client, restart):
    """PUT replaces a stored task and PATCH changes it: a second app on the same database sees both changes."""
    task = create_task(client, "Draft", description="old", priority=1)
    expect.status(client.put(f"/tasks/{task['id']}", json={"title": "Final", "tags": ["a", "b"]}), 200, "PUT must replace the task.")
    expect.status(client.patch(f"/tasks/{task['id']}", json={"status": "done"}), 200, "PATCH must change the task.")
    response = restart().get(f"/tasks/{task['id']}")
    expect.status(response, 200, NOT_STORED)
    body = expect.json_body(response)
    expected = {**task, "title": "Final", "description": "", "priority": 3, "tags": ["a", "b"], "status": "done"}
    assert body == expected, f"Expected the stored task to be {expected}; the database holds {body}. {NOT_STORED}"


@where("app/store.py, TODO(write)")
def test_delete_removes_the_task_from_the_database(client, restart):
    """DELETE /tasks/{id} removes the task from the database: a second app answers 404 for it, and a second DELETE is 404 too."""
    task = create_task(client)
    expect.status(client.delete(f"/tasks/{task['id']}"), 204, "DELETE answers 204 No Content.")
    again = restart()
    expect_problem(again.get(f"/tasks/{task['id']}"), 404, TASK_NOT_FOUND, "The task was deleted: delete it with session.delete(task) and commit.")
    expect_problem(again.delete(f"/tasks/{task['id']}"), 404, TASK_NOT_FOUND, "There is nothing left to delete.")


# --------------------------------------------------------------------------- a session per request


@contextmanager
def connections_in_use():
    """Count the connections taken from any engine's pool and not given back yet.

    The garbage collector is paused meanwhile: it would otherwise close a forgotten session at a
    random moment and hide the mistake."""
    count = {"out": 0}

    def checkout(*args):
        count["out"] += 1

    def checkin(*args):
        count["out"] -= 1

    event.listen(Pool, "checkout", checkout)
    event.listen(Pool, "checkin", checkin)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield lambda: count["out"]
    finally:
        if was_enabled:
            gc.enable()
        event.remove(Pool, "checkout", checkout)
        event.remove(Pool, "checkin", checkin)


@where("app/db.py, TODO(session)")
def test_every_request_closes_its_session(database, lesson):
    """Each request has a session of its own, closed once the request is answered: the connection it used is back in the pool, whatever the answer was."""
    with connections_in_use() as in_use:
        client = lesson.client("app.main:app")
        task = create_task(client)
        for method, path in (("POST", "/tasks"), ("GET", f"/tasks/{task['id']}"), ("GET", "/tasks"), ("GET", "/tasks/999")):
            if method == "GET":
                client.get(path)
            assert in_use() == 0, (
                f"After {method} {path} was answered, {in_use()} database connection(s) were still in use: the "
                "request's session was not closed (or it is shared with other requests). In get_session, open a new "
                "Session for each request and close it after the yield - `with Session(engine) as session: yield session`."
            )


@where("app/store.py, TODO(conflicts) and app/db.py, TODO(session)")
def test_a_refused_request_does_not_break_the_next(client):
    """After a request the database refused (409), the next requests work as usual: nothing of the failed one is left in a session."""
    create_task(client, "Ship it")
    expect.status(client.post("/tasks", json={"title": "Ship it"}), 409, "A second open task titled 'Ship it' is refused.")
    response = client.post("/tasks", json={"title": "Write docs"})
    expect.status(
        response, 201,
        "A valid task must be created after a refused one. A failed flush or commit leaves the session unusable "
        "until it is rolled back: roll back in refused_as, and use a new session for every request.",
    )
    titles = [task.get("title") for task in listed(client)]
    assert titles == ["Ship it", "Write docs"], f"Expected exactly the two accepted tasks, got {titles}."


# --------------------------------------------------------------------------- constraints -> 409


@where("app/models.py, TODO(title-rule) and app/store.py, TODO(conflicts)")
def test_duplicate_open_title_is_a_title_taken_problem(client):
    """A second open task titled "Ship it" is refused by the database and answered 409, a problem of type .../title-taken; nothing is stored."""
    create_task(client, "Ship it")
    response = client.post("/tasks", json={"title": "Ship it", "status": "in_progress"})
    expect.status(response, 409, "An open task already has this title: the unique index refuses the INSERT.")
    body = expect_problem(response, 409, TITLE_TAKEN)
    assert "INSERT" not in body["detail"].upper() and "UNIQUE" not in body["detail"].upper(), (
        "The detail repeats the database's error; answer the domain's own words (TitleTaken)."
    )
    assert len(listed(client)) == 1, "The refused task must not be stored."


@where("app/models.py, TODO(title-rule)")
def test_a_done_task_frees_its_title(client):
    """Only open tasks must have different titles: once "Ship it" is done, a new "Ship it" is fine - and the done one cannot be reopened while the new one is open."""
    first = create_task(client, "Ship it")
    expect.status(client.patch(f"/tasks/{first['id']}", json={"status": "done"}), 200, "Marking the task done must work.")
    response = client.post("/tasks", json={"title": "Ship it"})
    expect.status(
        response, 201,
        "A done task does not hold its title. A plain unique constraint on `title` refuses every duplicate; "
        "the rule needs a unique index over the open tasks only (a partial index: ... WHERE status != 'done').",
    )
    reopen = client.patch(f"/tasks/{first['id']}", json={"status": "todo"})
    expect_problem(reopen, 409, TITLE_TAKEN, "Reopening the first task would make two open tasks titled 'Ship it'.")


@where("app/store.py, TODO(write) and TODO(conflicts)")
def test_a_refused_change_leaves_the_task_as_it_was(client, restart):
    """PATCH to another open task's title answers 409 title-taken, and the database still holds the task unchanged."""
    create_task(client, "Ship it")
    docs = create_task(client, "Write docs", priority=2)
    response = client.patch(f"/tasks/{docs['id']}", json={"title": "Ship it", "priority": 5})
    expect_problem(response, 409, TITLE_TAKEN, "Task 'Ship it' is open, so no other open task may take its title.")
    stored = expect.json_body(restart().get(f"/tasks/{docs['id']}"))
    assert stored == docs, f"A refused change changes nothing: the database should hold {docs}, it holds {stored}."


@where("app/models.py, TODO(models) and app/store.py, TODO(conflicts)")
def test_duplicate_project_name_is_a_project_name_taken_problem(client):
    """A second project named "Launch" answers 409, a problem of type .../project-name-taken, and is not stored."""
    create_project(client, "Launch")
    response = client.post("/projects", json={"name": "Launch", "description": "again"})
    expect_problem(response, 409, PROJECT_NAME_TAKEN, "A project named 'Launch' exists already.")
    projects = expect.json_body(client.get("/projects"))
    assert len(projects) == 1, f"The refused project must not be stored; GET /projects lists {len(projects)}."


def unique_column_sets(url, table):
    """The column lists of the table's unique constraints and unique indexes, read from the database."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        if table not in inspector.get_table_names():
            return None
        found = [tuple(c["column_names"]) for c in inspector.get_unique_constraints(table)]
        found += [tuple(i["column_names"]) for i in inspector.get_indexes(table) if i.get("unique")]
        return found
    finally:
        engine.dispose()


@where("app/models.py, TODO(models)")
def test_the_database_itself_keeps_project_names_unique(client, database):
    """The `projects` table has a unique constraint (or unique index) on `name`: the database refuses a duplicate even when two requests race."""
    found = unique_column_sets(database, "projects")
    assert found is not None, "Expected the app to create a table named `projects` at start-up (Base.metadata.create_all)."
    assert ("name",) in found, (
        "Expected a unique constraint on projects.name - mapped_column(..., unique=True) - so the database refuses "
        "a duplicate name. Checking with a SELECT first is not enough: two requests can both find the name free "
        f"and both insert it. Unique column sets found: {found or 'none'}."
    )


@where("app/problems.py, TODO(integrity)")
def test_an_unexpected_constraint_violation_is_a_409_problem(database, lesson):
    """An IntegrityError no code turned into a domain error answers 409 as a problem of type .../conflict - not a 500, and without the SQL or the values."""
    app = lesson.app("app.main:app")

    def clash():
        raise IntegrityError(
            "INSERT INTO users (email, password) VALUES (?, ?)",
            ("ann@example.com", "hunter2-tok-91f3"),
            Exception("UNIQUE constraint failed: users.email"),
        )

    app.add_api_route("/clash", clash, methods=["POST"])
    client = lesson.client(app, raise_server_exceptions=False)
    response = client.post("/clash")
    expect.status(
        response, 409,
        "A constraint the database enforced is a conflict with stored data, not a server error: register a "
        "handler for sqlalchemy.exc.IntegrityError.",
    )
    expect_problem(response, 409, CONFLICT)
    for clue in ("INSERT", "hunter2-tok-91f3", "ann@example.com", "UNIQUE constraint"):
        assert clue not in response.text, f"The 409 shows {clue!r}: the IntegrityError's text holds SQL and values. Answer a fixed detail."


# --------------------------------------------------------------------------- projects, in one transaction


@where("app/store.py, TODO(projects)")
def test_create_project_answers_201_with_location(client, restart):
    """POST /projects answers 201 with the stored project (id, name, description) and a Location header holding its URL."""
    response = client.post("/projects", json={"name": "  Launch ", "description": "Go live"})
    expect.status(response, 201, "Creating a project answers 201 Created.")
    body = expect.json_body(response)
    expect.has_keys(body, {"id", "name", "description"})
    assert body["name"] == "Launch", f"Expected the stripped name 'Launch', got {body['name']!r}."
    location = response.headers.get("location", "")
    assert location.endswith(f"/projects/{body['id']}"), f"Expected Location to end with /projects/{body['id']}, got {location!r}."
    stored = restart().get(f"/projects/{body['id']}")
    expect.status(stored, 200, NOT_STORED)
    assert expect.json_body(stored) == body, f"Expected the stored project {body}."


@where("app/store.py, TODO(projects)")
def test_a_project_is_stored_with_its_initial_tasks(client, restart):
    """POST /projects with a list of `tasks` stores the project and each task, whose `project_id` is the new project's id."""
    project = create_project(client, "Launch", tasks=[{"title": "Plan"}, {"title": "Build", "priority": 4}])
    tasks = listed(restart())
    got = [(t.get("title"), t.get("project_id")) for t in tasks]
    assert got == [("Plan", project["id"]), ("Build", project["id"])], (
        f"Expected tasks Plan and Build, in that order, each with project_id {project['id']}; the database holds {got}."
    )


@where("app/store.py, TODO(projects)")
def test_a_refused_project_leaves_nothing_behind(client, restart):
    """When one initial task is refused (its title is taken), POST /projects answers 409 and stores nothing: no project, no task."""
    create_task(client, "Ship it")
    response = client.post("/projects", json={"name": "Launch", "tasks": [{"title": "Plan"}, {"title": "Build"}, {"title": "Ship it"}]})
    expect_problem(response, 409, TITLE_TAKEN, "The third task's title is taken by an open task.")
    other = restart()
    projects = expect.json_body(other.get("/projects"))
    titles = [task.get("title") for task in listed(other)]
    assert projects == [] and titles == ["Ship it"], (
        f"A request that fails half-way must leave nothing behind, but the database holds the projects {projects} "
        f"and the tasks {titles}. Commit once, after the last task: everything before the commit is rolled back "
        "when a later step fails."
    )
    expect.status(
        client.post("/projects", json={"name": "Launch"}), 201,
        "The refused project's name must still be free: it was never stored.",
    )
