"""Lesson 03 checks: every error is an RFC 9457 problem (application/problem+json).

A problem has the members type, title, status, detail and instance; the checks read those, the
`type` URIs and `errors[].loc` the README names, never the wording of a message.
"""

import logging

import pytest

from workbook import expect

where = pytest.mark.where

PROBLEM_JSON = "application/problem+json"
MEMBERS = ("type", "title", "status", "detail", "instance")
PROBLEM_TYPES = "https://tasks.example/problems/"
TASK_NOT_FOUND = PROBLEM_TYPES + "task-not-found"
TITLE_TAKEN = PROBLEM_TYPES + "title-taken"
VALIDATION_ERROR = PROBLEM_TYPES + "validation-error"
SECRETS = ("hunter2-tok-91f3", "s3cret-pa55-77aa", "priv-note-5c0de")


def create(client, title="Write the lesson", **fields):
    response = client.post("/tasks", json={"title": title, **fields})
    expect.status(response, 201, "POST /tasks must create the task.")
    return expect.json_body(response)


def expect_problem(response, status, why="", fix="answer errors with a response whose media_type is application/problem+json"):
    """The response is an RFC 9457 problem with this status; its body is returned."""
    expect.status(response, status, why)
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    assert media_type == PROBLEM_JSON, f"Expected the media type {PROBLEM_JSON}, got {media_type or 'none'}: {fix}."
    body = expect.json_body(response)
    expect.has_keys(body, set(MEMBERS), "the problem")
    assert body["status"] == status, f"The problem's `status` member must be {status}, the HTTP status; it is {body['status']!r}."
    for member in ("type", "title", "detail", "instance"):
        assert isinstance(body[member], str) and body[member], f"The problem's `{member}` must be a non-empty string, got {body[member]!r}."
    return body


# --------------------------------------------------------------------------- 404 and 405


@where("app/problems.py, TODO(problem) and TODO(domain)")
def test_missing_task_is_a_problem(client):
    """GET /tasks/999 for a task that does not exist answers 404 as a problem: type, title, status, detail, and the path as instance."""
    create(client)
    response = client.get("/tasks/999")
    body = expect_problem(response, 404, "A task that does not exist is 404 Not Found.")
    assert body["instance"] == "/tasks/999", f"`instance` names this occurrence: the request's path, /tasks/999; got {body['instance']!r}."


@where("app/problems.py, TODO(domain)")
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_every_missing_task_answer_has_the_task_not_found_type(client, method):
    """GET, PUT, PATCH and DELETE of a task that does not exist answer the same problem, type .../task-not-found."""
    create(client)
    body = {"PUT": {"title": "Ghost"}, "PATCH": {"status": "done"}}.get(method)
    response = client.request(method, "/tasks/999", json=body)
    problem = expect_problem(response, 404, "There is no task 999.")
    assert problem["type"] == TASK_NOT_FOUND, (
        f"Expected `type` {TASK_NOT_FOUND!r}, got {problem['type']!r}: raise TaskNotFound for a missing task and let "
        "its handler answer, rather than raising HTTPException(404) in the route."
    )


@where("app/problems.py, TODO(http-errors)")
def test_unknown_path_is_a_problem(client):
    """A path no route serves (GET /no/such/thing) answers 404 as a problem too."""
    # client.request, not client.get: CheckClient takes route_expected only on request().
    response = client.request("GET", "/no/such/thing", route_expected=False)
    expect_problem(response, 404, "No route serves this path.")


@where("app/problems.py, TODO(http-errors)")
def test_wrong_method_is_a_problem_with_allow(client):
    """POST /tasks/1 (the path exists, the method does not) answers 405 as a problem and keeps the Allow header."""
    task = create(client)
    # No route takes POST here on purpose: route_expected=False, or the plugin reads "not started".
    response = client.request("POST", f"/tasks/{task['id']}", json={"title": "Nope"}, route_expected=False)
    expect_problem(response, 405, "POST is not a method of /tasks/{task_id}.")
    allow = response.headers.get("allow", "")
    assert "GET" in allow, (
        f"A 405 must say which methods the path allows in an Allow header (got {allow!r}): pass the "
        "exception's headers on to the problem."
    )


# --------------------------------------------------------------------------- 422


@where("app/problems.py, TODO(validation)")
def test_invalid_input_is_a_validation_problem(client):
    """Invalid input answers 422 as a problem of type .../validation-error whose `errors` lists each error with its loc and a detail."""
    response = client.post("/tasks", json={"title": "   ", "priority": 9})
    problem = expect_problem(response, 422, "A blank title and a priority of 9 are invalid.")
    assert problem["type"] == VALIDATION_ERROR, f"Expected `type` {VALIDATION_ERROR!r}, got {problem['type']!r}."
    errors = problem.get("errors")
    assert isinstance(errors, list) and errors, f"Expected `errors`, a list with one entry per error; got {errors!r}."
    for error in errors:
        assert isinstance(error, dict) and isinstance(error.get("loc"), list) and isinstance(error.get("detail"), str), (
            f'Each entry of `errors` is {{"loc": [...], "detail": "..."}}; got {error!r}.'
        )
    locations = [error["loc"] for error in errors]
    for loc in (["body", "title"], ["body", "priority"]):
        assert loc in locations, f"Expected an entry of `errors` at {loc}; the entries are at {locations}."


@where("app/problems.py, TODO(validation)")
def test_validation_problem_never_echoes_the_input(client):
    """A 422 never repeats what the client sent: secrets in an invalid field, an unknown field or any other field do not come back."""
    attempts = [
        {"title": "Fine", "assignee_email": SECRETS[0], "password": SECRETS[1]},
        {"title": "Fine", "description": SECRETS[2], "start_date": "2026-03-10", "due_date": "2026-03-01"},
    ]
    for payload in attempts:
        response = client.post("/tasks", json=payload)
        expect_problem(response, 422, "The payload is invalid.")
        leaked = [secret for secret in SECRETS if secret in response.text]
        assert not leaked, (
            f"The 422 repeats {leaked[0]!r}, a value the client sent. FastAPI's own errors carry each value as "
            "`input` (and the whole body for a rule between fields): copy only `loc` and `msg` into `errors`."
        )


# --------------------------------------------------------------------------- 409


@where("app/store.py, TODO(unique)")
def test_duplicate_open_title_is_409(client):
    """A second open task titled "Ship it" is 409 Conflict; once the first is done, the title is free again."""
    first = create(client, "Ship it")
    response = client.post("/tasks", json={"title": "Ship it"})
    expect.status(response, 409, "An open task already has this title.")
    expect.status(client.patch(f"/tasks/{first['id']}", json={"status": "done"}), 200, "Marking the first task done must work.")
    again = client.post("/tasks", json={"title": "Ship it"})
    expect.status(again, 201, "Only open tasks (status not done) count: the done one no longer holds the title.")


@where("app/store.py, TODO(unique) and app/problems.py, TODO(domain)")
def test_title_conflict_is_a_title_taken_problem(client):
    """The 409 for a taken title is a problem of type .../title-taken."""
    create(client, "Ship it")
    response = client.post("/tasks", json={"title": "Ship it"})
    problem = expect_problem(response, 409, "An open task already has this title.")
    assert problem["type"] == TITLE_TAKEN, f"Expected `type` {TITLE_TAKEN!r}, got {problem['type']!r}."


@where("app/store.py, TODO(unique)")
def test_changing_a_title_follows_the_rule(client):
    """PATCH to another open task's title is 409 and changes nothing; PUT of a task with its own title is fine."""
    ship = create(client, "Ship it")
    docs = create(client, "Write docs")
    response = client.patch(f"/tasks/{docs['id']}", json={"title": "Ship it"})
    expect.status(response, 409, "Task 'Ship it' is open, so no other open task may take its title.")
    now = expect.json_body(client.get(f"/tasks/{docs['id']}"))
    assert now == docs, f"A refused change changes nothing: expected {docs}, got {now}."
    same = client.put(f"/tasks/{ship['id']}", json={"title": "Ship it", "priority": 5})
    expect.status(same, 200, "A task does not conflict with itself: leave the task being changed out of the comparison.")


# --------------------------------------------------------------------------- 500

BOOM = "connection to db-internal:5432 failed for user admin"


def app_with_a_failing_route(lesson):
    """The learner's app plus GET /boom, a route that fails the way a bug or an outage would."""
    app = lesson.app("app.main:app")

    def boom():
        raise RuntimeError(BOOM)

    app.add_api_route("/boom", boom)
    # Starlette sends the 500 and then re-raises the exception (so servers can log it);
    # raise_server_exceptions=False lets the check read the answer instead.
    return lesson.client(app, raise_server_exceptions=False)


@where("app/problems.py, TODO(crash)")
def test_unexpected_error_is_a_generic_500_problem(lesson):
    """An unhandled exception answers 500 as a problem that says nothing about what failed: no exception text, no traceback."""
    client = app_with_a_failing_route(lesson)
    response = client.get("/boom")
    expect_problem(
        response,
        500,
        "An unexpected exception is 500 Internal Server Error.",
        fix="no handler of yours answered it. Register one for Exception: app.add_exception_handler(Exception, handler)",
    )
    for clue in (BOOM, "db-internal", "RuntimeError", "Traceback"):
        assert clue not in response.text, (
            f"The 500 shows {clue!r}: a client must learn nothing about your internals. Answer a fixed detail "
            "and keep the exception for the log."
        )


@where("app/problems.py, TODO(crash)")
def test_unexpected_error_is_logged_with_its_traceback(lesson, caplog):
    """An unhandled exception is logged at ERROR level with its traceback, so you can find out what failed."""
    client = app_with_a_failing_route(lesson)
    caplog.set_level(logging.ERROR)
    response = client.get("/boom")
    expect.status(response, 500)
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info and r.exc_info[1] is not None]
    assert any(BOOM in str(r.exc_info[1]) for r in logged), (
        "Expected a log record at ERROR level carrying the exception (and so its traceback): "
        "logger.error(..., exc_info=exc) or logger.exception(...) inside an async handler. "
        f"Logged at ERROR: {[r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] or 'nothing'}."
    )


# --------------------------------------------------------------------------- OpenAPI


def documented_schema(document, path, method, status):
    """The schema OpenAPI gives for one response as application/problem+json, with $ref resolved."""
    response = document.get("paths", {}).get(path, {}).get(method, {}).get("responses", {}).get(str(status), {})
    schema = response.get("content", {}).get(PROBLEM_JSON, {}).get("schema", {})
    if "$ref" in schema:
        schema = document.get("components", {}).get("schemas", {}).get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema.get("properties", {})


@where("app/problems.py, TODO(docs)")
def test_openapi_documents_problem_responses(client):
    """/openapi.json documents GET /tasks/{task_id}'s 404 and POST /tasks's 422 as application/problem+json problems."""
    document = expect.json_body(client.get("/openapi.json"))
    item_path = next((p for p in document.get("paths", {}) if p.startswith("/tasks/{")), "/tasks/{task_id}")
    not_found = documented_schema(document, item_path, "get", 404)
    assert set(MEMBERS[:4]) <= set(not_found), (
        f"Expected GET {item_path} to document its 404 as {PROBLEM_JSON} with the problem's members "
        f"(type, title, status, detail); it documents {sorted(not_found) or 'no such schema'}."
    )
    invalid = documented_schema(document, "/tasks", "post", 422)
    assert {*MEMBERS[:4], "errors"} <= set(invalid), (
        f"Expected POST /tasks to document its 422 as {PROBLEM_JSON} with the problem's members and `errors`; "
        f"it documents {sorted(invalid) or 'no such schema'} (FastAPI's default 422 is application/json)."
    )
