"""Lesson 02 checks: the task API rejects bad input and never shows internal fields.

The checks read status codes and where FastAPI's 422 says each error is (its `loc`, such as
["body", "title"]), never Pydantic's wording, so any correct model passes.
"""

import json
from datetime import date, timedelta

import pytest

from workbook import expect

where = pytest.mark.where

FULL_TASK = {
    "title": "Write the lesson",
    "description": "Validation, end to end.",
    "status": "in_progress",
    "priority": 4,
    "tags": ["docs", "pydantic"],
    "assignee_email": "ada@example.com",
    "start_date": "2026-03-01",
    "due_date": "2026-03-15",
}
DEFAULTS = {
    "description": "",
    "status": "todo",
    "priority": 3,
    "tags": [],
    "assignee_email": None,
    "start_date": None,
    "due_date": None,
}
INTERNAL_FIELD = "created_by_ip"


def create(client, title="Write the lesson", **fields):
    response = client.post("/tasks", json={"title": title, **fields})
    expect.status(response, 201, "POST /tasks must create the task.")
    return expect.json_body(response)


def error_locations(response, why=""):
    """The `loc` of every error in FastAPI's 422 body: {"detail": [{"loc": [...], ...}, ...]}."""
    body = expect.json_body(response)
    errors = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        raise AssertionError(
            f"Expected FastAPI's 422 body {{\"detail\": [...]}} listing each error, got {str(body)[:120]}. "
            "Let Pydantic reject the input (raise ValueError in a validator) instead of building the answer yourself. "
            f"{why}".strip()
        )
    return [list(error.get("loc", [])) for error in errors if isinstance(error, dict)]


def expect_rejected_at(response, loc, why):
    """A 422 whose errors include one at `loc` (or inside it: ["body", "tags", 0] is inside ["body", "tags"])."""
    expect.status(response, 422, why)
    locations = error_locations(response, why)
    if not any(found[: len(loc)] == loc for found in locations):
        raise AssertionError(f"Expected an error at {loc}, but the errors are at {locations}. {why}")


def expect_unchanged(client, task, why):
    now = expect.json_body(client.get(f"/tasks/{task['id']}"))
    assert now == task, f"{why} Expected the task to stay {task}, it is now {now}."


# --------------------------------------------------------------------------- what a task holds


@where("app/schemas.py, TODO(fields)")
def test_create_keeps_every_field(client):
    """POST /tasks with every field set answers 201 with each field as it was sent."""
    response = client.post("/tasks", json=FULL_TASK)
    expect.status(response, 201, "Every value here follows the rules, so the task must be created.")
    body = expect.json_body(response)
    for field, sent in FULL_TASK.items():
        assert field in body, f"`{field}` was sent as {sent!r}, but the response has no `{field}`: declare it on the task model."
        assert body[field] == sent, f"`{field}` was sent as {sent!r}, the response has {body[field]!r}."


@where("app/schemas.py, TODO(fields)")
def test_create_fills_in_defaults(client):
    """A task created with only a title gets the defaults: description "", status todo, priority 3, no tags, no assignee, no dates."""
    body = create(client, "Only a title")
    for field, default in DEFAULTS.items():
        assert field in body, f"A task created without `{field}` should have {default!r}, but the response has no `{field}`."
        assert body[field] == default, f"A task created without `{field}` should have {default!r}, the response has {body[field]!r}."


@where("app/schemas.py, TODO(public)")
def test_no_response_shows_created_by_ip(client):
    """No task response includes `created_by_ip`: the store keeps it, clients never see it."""

    def expect_public(response):
        body = expect.json_body(response)
        for task in body if isinstance(body, list) else [body]:
            assert INTERNAL_FIELD not in task, (
                f"The answer to {response.request.method} {response.request.url.path} includes `{INTERNAL_FIELD}`: "
                "internal fields must never leave the API. Answer with a TaskPublic that declares only the fields "
                "clients may see."
            )

    task = client.post("/tasks", json={"title": "Write the lesson"})
    expect.status(task, 201, "POST /tasks must create the task.")
    expect_public(task)
    task_id = task.json()["id"]
    expect_public(client.get(f"/tasks/{task_id}"))
    expect_public(client.get("/tasks"))
    expect_public(client.put(f"/tasks/{task_id}", json={"title": "Replaced"}))


# --------------------------------------------------------------------------- the title


@where("app/schemas.py, TODO(title)")
def test_title_is_stripped(client):
    """The title is stored without surrounding whitespace: " Ship it " is stored as "Ship it"."""
    body = create(client, "  Ship it \n")
    assert body.get("title") == "Ship it", f"Expected the title 'Ship it' (whitespace removed), got {body.get('title')!r}."


@where("app/schemas.py, TODO(title)")
@pytest.mark.parametrize("title", ["", "   "], ids=["empty", "spaces"])
def test_blank_title_is_rejected(client, title):
    """A title that is empty or only whitespace is rejected with 422, the error at ["body", "title"]."""
    response = client.post("/tasks", json={"title": title})
    expect_rejected_at(response, ["body", "title"], "A task needs a title: a blank one is invalid.")


@where("app/schemas.py, TODO(fields)")
def test_title_is_at_most_200_characters(client):
    """A title of 200 characters is fine; 201 characters is rejected with 422 at ["body", "title"]."""
    expect.status(client.post("/tasks", json={"title": "t" * 200}), 201, "200 characters is the longest title allowed.")
    response = client.post("/tasks", json={"title": "t" * 201})
    expect_rejected_at(response, ["body", "title"], "A title longer than 200 characters is invalid.")


# --------------------------------------------------------------------------- the other fields


@where("app/schemas.py, TODO(fields)")
def test_description_is_at_most_2000_characters(client):
    """A description of 2001 characters is rejected with 422 at ["body", "description"]."""
    response = client.post("/tasks", json={"title": "Long read", "description": "d" * 2001})
    expect_rejected_at(response, ["body", "description"], "Cap the description at 2000 characters.")


@where("app/schemas.py, TODO(fields)")
@pytest.mark.parametrize("priority", [0, 6])
def test_priority_is_1_to_5(client, priority):
    """A priority outside 1..5 is rejected with 422 at ["body", "priority"]."""
    response = client.post("/tasks", json={"title": "Urgent?", "priority": priority})
    expect_rejected_at(response, ["body", "priority"], "Priority goes from 1 to 5.")


@where("app/schemas.py, TODO(fields)")
def test_at_most_10_tags(client):
    """Ten tags are fine; eleven are rejected with 422 at ["body", "tags"]."""
    tags = [f"tag{n}" for n in range(11)]
    expect.status(client.post("/tasks", json={"title": "Ten", "tags": tags[:10]}), 201, "Ten tags are allowed.")
    response = client.post("/tasks", json={"title": "Eleven", "tags": tags})
    expect_rejected_at(response, ["body", "tags"], "A task has at most 10 tags.")


@where("app/schemas.py, TODO(fields)")
@pytest.mark.parametrize("tag", ["", "x" * 31], ids=["empty", "31-characters"])
def test_each_tag_is_1_to_30_characters(client, tag):
    """A tag that is empty or longer than 30 characters is rejected with 422, the error inside ["body", "tags"]."""
    response = client.post("/tasks", json={"title": "Tagged", "tags": ["fine", tag]})
    expect_rejected_at(response, ["body", "tags"], "Each tag has 1 to 30 characters.")


@where("app/schemas.py, TODO(fields)")
def test_assignee_email_must_be_an_email_address(client):
    """An assignee_email that is not an email address is rejected with 422 at ["body", "assignee_email"]."""
    response = client.post("/tasks", json={"title": "Assign me", "assignee_email": "ada.example.com"})
    expect_rejected_at(response, ["body", "assignee_email"], "Type the field as an email address (pydantic's EmailStr).")


@where("app/schemas.py, TODO(dates)")
def test_due_date_cannot_be_before_start_date(client):
    """A due_date before the start_date is rejected with 422; a due_date on the start_date is fine."""
    response = client.post("/tasks", json={"title": "Backwards", "start_date": "2026-03-10", "due_date": "2026-03-09"})
    expect_rejected_at(response, ["body"], "A task cannot be due before it starts: check both dates together (a model validator).")
    same_day = client.post("/tasks", json={"title": "Same day", "start_date": "2026-03-10", "due_date": "2026-03-10"})
    expect.status(same_day, 201, "Due on the day it starts is allowed.")


@where("app/schemas.py, TODO(forbid)")
@pytest.mark.parametrize("field", ["id", INTERNAL_FIELD, "titel"])
def test_create_rejects_unknown_fields(client, field):
    """POST /tasks with a field the model does not declare (`id`, `created_by_ip`, a typo) is rejected with 422 at ["body", field]."""
    response = client.post("/tasks", json={"title": "Sneaky", field: "10.0.0.1" if field == INTERNAL_FIELD else 7})
    expect_rejected_at(
        response, ["body", field], f"A client must not set `{field}`: refuse fields the model does not declare (extra=\"forbid\")."
    )


# --------------------------------------------------------------------------- PATCH


@where("app/tasks.py, TODO(patch) and app/schemas.py, TODO(update-model)")
def test_patch_changes_only_the_fields_sent(client):
    """PATCH /tasks/{task_id} changes the fields in the body and keeps every other field as it was."""
    task = create(client, **{k: v for k, v in FULL_TASK.items() if k != "title"})
    response = client.patch(f"/tasks/{task['id']}", json={"status": "done", "tags": ["shipped"]})
    expect.status(response, 200, "PATCH of an existing task answers 200 with the task.")
    expected = {**task, "status": "done", "tags": ["shipped"]}
    body = expect.json_body(response)
    assert body == expected, (
        f"Expected only status and tags to change: {expected}. Fields the body does not set must keep their "
        "values (dump the update with exclude_unset=True)."
    )
    expect_unchanged(client, expected, "GET after PATCH must show the changed task.")


@where("app/tasks.py, TODO(patch) and app/schemas.py, TODO(update-model)")
def test_patch_can_clear_an_optional_field(client):
    """PATCH with "assignee_email": null removes the assignee; the other fields stay."""
    task = create(client, assignee_email="ada@example.com", priority=5)
    response = client.patch(f"/tasks/{task['id']}", json={"assignee_email": None})
    expect.status(response, 200, "null is a valid value for the optional assignee_email.")
    expected = {**task, "assignee_email": None}
    assert expect.json_body(response) == expected, f"Expected the assignee removed and nothing else changed: {expected}."


@where("app/tasks.py, TODO(patch) and app/schemas.py, TODO(update-model)")
def test_patch_checks_the_fields_it_sets(client):
    """PATCH with a blank title is rejected with 422 at ["body", "title"], and the task is unchanged."""
    task = create(client)
    response = client.patch(f"/tasks/{task['id']}", json={"title": "   "})
    expect_rejected_at(response, ["body", "title"], "PATCH follows the same rules as POST.")
    expect_unchanged(client, task, "A rejected PATCH changes nothing.")


@where("app/schemas.py, TODO(update-model)")
@pytest.mark.parametrize("field", ["id", INTERNAL_FIELD])
def test_patch_rejects_unknown_fields(client, field):
    """PATCH cannot set `id` or `created_by_ip`: 422 at ["body", field], and the task is unchanged."""
    task = create(client)
    response = client.patch(f"/tasks/{task['id']}", json={field: 99 if field == "id" else "10.0.0.1"})
    expect_rejected_at(response, ["body", field], f"A client must not change `{field}` (extra=\"forbid\" on TaskUpdate too).")
    expect_unchanged(client, task, "A rejected PATCH changes nothing.")


@where("app/tasks.py, TODO(patch)")
def test_patch_keeps_due_date_after_the_stored_start_date(client):
    """PATCH setting a due_date before the task's stored start_date is rejected with 422, and the task is unchanged."""
    task = create(client, start_date="2026-03-10", due_date="2026-03-20")
    response = client.patch(f"/tasks/{task['id']}", json={"due_date": "2026-03-01"})
    expect.status(
        response,
        422,
        "The PATCH body alone looks fine, but the task it would produce is due before it starts: "
        "check the rules on the task as changed, not only on the body.",
    )
    expect_unchanged(client, task, "A rejected PATCH changes nothing.")


@where("app/tasks.py, TODO(patch)")
def test_patch_missing_task_is_404(client):
    """PATCH /tasks/{task_id} for an id that does not exist answers 404 Not Found."""
    create(client)
    response = client.patch("/tasks/999", json={"status": "done"})
    expect.status(response, 404, "There is no task 999 to change.")


# --------------------------------------------------------------------------- the whole contract, generated

WHITESPACE = " \t\n"
STATUSES = ("todo", "in_progress", "done")
FIELDS = ("title", "description", "status", "priority", "tags", "assignee_email", "start_date", "due_date")
VALID_EMAILS = ("ada@example.com", "grace.hopper@example.org")
INVALID_EMAILS = ("not-an-email", "ada@", "@example.com", "ada lovelace@example.com")
INVALID_DATES = ("2026-02-30", "2026-13-01", "tomorrow", "01/03/2026")
UNKNOWN_FIELDS = ("id", INTERNAL_FIELD, "owner", "Title")
VALID_EXAMPLES = 16  # payloads that follow every rule
BROKEN_EXAMPLES = 3  # payloads for each way of breaking a rule


def expected_answer(payload):
    """The README's rules as an oracle: (201, why) when POST /tasks must accept the payload, (422, why) when not."""
    unknown = sorted(set(payload) - set(FIELDS))
    if unknown:
        return 422, f"it sets {unknown[0]!r}, which is not a field of a task"
    title = payload.get("title")
    if not isinstance(title, str):
        return 422, "it has no title" if title is None else "its title is not a string"
    if not title.strip(WHITESPACE):
        return 422, "its title is blank once stripped"
    if len(title.strip(WHITESPACE)) > 200:
        return 422, "its title is longer than 200 characters"
    if len(payload.get("description", "")) > 2000:
        return 422, "its description is longer than 2000 characters"
    if payload.get("status", "todo") not in STATUSES:
        return 422, "its status is not todo, in_progress or done"
    priority = payload.get("priority", 3)
    if not isinstance(priority, int) or not 1 <= priority <= 5:
        return 422, "its priority is not a whole number from 1 to 5"
    tags = payload.get("tags", [])
    if not isinstance(tags, list):
        return 422, "its tags are not a list"
    if len(tags) > 10:
        return 422, "it has more than 10 tags"
    if not all(1 <= len(tag) <= 30 for tag in tags):
        return 422, "one of its tags is empty or longer than 30 characters"
    if payload.get("assignee_email") in INVALID_EMAILS:
        return 422, "its assignee_email is not an email address"
    for field in ("start_date", "due_date"):
        if payload.get(field) in INVALID_DATES:
            return 422, f"its {field} is not a date"
    start, due = payload.get("start_date"), payload.get("due_date")
    if start and due and date.fromisoformat(due) < date.fromisoformat(start):
        return 422, "its due_date is before its start_date"
    return 201, "it follows every rule"


def shorten(payload):
    """The payload as JSON, long strings abbreviated: "ttt...t (201 characters)"."""
    short = {k: f"{v[:3]}...{v[-1]} ({len(v)} characters)" if isinstance(v, str) and len(v) > 40 else v for k, v in payload.items()}
    return json.dumps(short, ensure_ascii=False)


def payload_cases():
    """(strategy, how many examples): valid task payloads, then one strategy per way of breaking a rule,
    each a valid payload with that one thing changed. One run per case means every rule is exercised
    on every run; values sit at the rules' edges, which keeps the examples cheap and readable."""
    from hypothesis import strategies as st

    words = st.sampled_from(["ship", "Écrire", "a", "fix-bug", "x" * 30])
    padding = st.sampled_from(["", " ", "\t", " \n "])
    optional_date = st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 12, 31)).map(date.isoformat))
    title = st.one_of(
        st.builds(lambda a, w, b: a + w + b, padding, st.lists(words, min_size=1, max_size=3).map(" ".join), padding),
        st.just("t" * 200),
    )
    def dates_in_order(payload):
        start, due = payload.get("start_date"), payload.get("due_date")
        if start and due and due < start:  # ISO dates compare like the dates they name
            return {**payload, "start_date": due, "due_date": start}
        return payload

    task = st.fixed_dictionaries(
        {"title": title},
        optional={
            "description": st.sampled_from(["", "Some details.", "line one\nline two", "d" * 2000]),
            "status": st.sampled_from(STATUSES),
            "priority": st.integers(1, 5),
            "tags": st.lists(words, max_size=10),
            "assignee_email": st.sampled_from([None, *VALID_EMAILS]),
            "start_date": optional_date,
            "due_date": optional_date,
        },
    ).map(dates_in_order)

    def with_field(field, values):
        return st.builds(lambda payload, value: {**payload, field: value}, task, values)

    def due_before_start(payload, start, days):
        return {**payload, "start_date": start.isoformat(), "due_date": (start - timedelta(days=days)).isoformat()}

    broken = [
        with_field("title", st.sampled_from(["", " ", "\t\n "])),
        with_field("title", st.integers(201, 240).map(lambda n: "t" * n)),
        with_field("title", st.none()),
        task.map(lambda payload: {k: v for k, v in payload.items() if k != "title"}),
        with_field("description", st.integers(2001, 2100).map(lambda n: "d" * n)),
        with_field("status", st.sampled_from(["later", "DONE", "", "in progress"])),
        with_field("priority", st.one_of(st.integers(-3, 0), st.integers(6, 50))),
        with_field("priority", st.just("high")),
        with_field("tags", st.lists(words, min_size=11, max_size=14)),
        with_field("tags", st.lists(words, max_size=5).map(lambda tags: [*tags, ""])),
        with_field("tags", st.lists(words, max_size=5).map(lambda tags: ["y" * 31, *tags])),
        with_field("assignee_email", st.sampled_from(INVALID_EMAILS)),
        with_field("start_date", st.sampled_from(INVALID_DATES)),
        with_field("due_date", st.sampled_from(INVALID_DATES)),
        st.builds(lambda payload, field, value: {**payload, field: value}, task, st.sampled_from(UNKNOWN_FIELDS), st.sampled_from([7, "10.0.0.1"])),
        st.builds(due_before_start, task, st.dates(date(2025, 1, 2), date(2027, 12, 31)), st.integers(1, 30)),
    ]
    return [(task, VALID_EXAMPLES), *((strategy, BROKEN_EXAMPLES) for strategy in broken)]


@where("app/schemas.py, every TODO")
def test_post_answers_generated_payloads_as_the_rules_say(client):
    """POST /tasks answers 201 to every payload that follows the README's rules and 422 to every other (about 60 generated payloads)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Flaky

    def check(strategy, examples):
        @settings(
            derandomize=True,
            max_examples=examples,
            deadline=None,
            database=None,
            report_multiple_bugs=False,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def answers_like_the_rules(payload):
            response = client.post("/tasks", json=payload)
            expected, reason = expected_answer(payload)
            if response.status_code != expected:
                raise AssertionError(
                    f"POST /tasks with {shorten(payload)} should answer {expect.phrase(expected)} because {reason}; "
                    f"your app answered {expect.phrase(response.status_code)}. (The smallest payload found on which "
                    "your app and the rules disagree.)"
                )

        try:
            answers_like_the_rules()
        except Flaky:
            raise AssertionError(
                "POST /tasks answered the same payload with different status codes when it was sent again: "
                "whether a payload is valid must depend on the payload alone."
            ) from None

    for strategy, examples in payload_cases():
        check(strategy, examples)
