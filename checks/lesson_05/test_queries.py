"""Lesson 05 checks: related data, pages, filters, sorting, indexes - and no N+1 queries.

The checks create users, projects and tasks through the API (POST /users, /projects, /tasks),
then read GET /tasks. They count the SQL statements your app runs with a listener on every
SQLAlchemy engine, so they do not need to know how yours is built.
"""

import pytest
from sqlalchemy import create_engine, inspect

from workbook import expect
from workbook.db import count_queries

where = pytest.mark.where

PROBLEM_JSON = "application/problem+json"
VALIDATION_ERROR = "https://tasks.example/problems/validation-error"
MAX_QUERIES = 3
PAGE_KEYS = {"items", "total", "limit", "offset"}


# --------------------------------------------------------------------------- set-up through the API


def post(client, path, payload, what):
    response = client.post(path, json=payload)
    expect.prerequisite(
        response.status_code == 201,
        f"POST {path} creates {what} and answers 201 (got {expect.phrase(response.status_code)}).",
        where=f"app/{path.strip('/')}.py",
    )
    return expect.json_body(response)


def add_user(client, name):
    return post(client, "/users", {"name": name, "email": f"{name.lower()}@example.com"}, "a user")


def add_project(client, name, tasks=()):
    return post(client, "/projects", {"name": name, "tasks": list(tasks)}, "a project")


def add_task(client, title, project, assignee=None, **fields):
    payload = {"title": title, "project_id": project["id"], **fields}
    if assignee is not None:
        payload["assignee_id"] = assignee["id"]
    return post(client, "/tasks", payload, "a task")


def page(client, why="GET /tasks answers 200 with a page of tasks.", **params):
    """GET /tasks with `params`; the answer, checked to be a page envelope."""
    response = client.get("/tasks", params=params)
    expect.status(response, 200, why)
    body = expect.json_body(response)
    expect.has_keys(body, PAGE_KEYS, "the page GET /tasks answers")
    assert isinstance(body["items"], list), f"`items` must be the list of tasks, got {type(body['items']).__name__}."
    return body


def ids(body):
    return [item.get("id") for item in body["items"]]


def expect_validation_problem(response, why):
    expect.status(response, 422, why)
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    assert media_type == PROBLEM_JSON, f"Expected lesson 03's {PROBLEM_JSON} envelope for the 422, got {media_type or 'none'}."
    body = expect.json_body(response)
    assert body.get("type") == VALIDATION_ERROR, f"Expected a problem of type {VALIDATION_ERROR!r}, got {body.get('type')!r}."


@pytest.fixture
def tracker(client):
    """Two users, and two projects created with three tasks each: a mix of statuses, priorities and due dates."""
    ann, bob = add_user(client, "Ann"), add_user(client, "Bob")
    people = {"ann": ann, "bob": bob, None: None}
    plan = {
        "Launch": [
            # title,         assignee, status,        priority, due date
            ("Alpha plan",   "ann",    "todo",        2,        "2026-03-10"),
            ("Bravo build",  "bob",    "in_progress", 5,        "2026-03-01"),
            ("Echo review",  "ann",    "todo",        1,        None),
        ],
        "Docs": [
            ("Charlie ship", "ann",    "done",        3,        None),
            ("Delta docs",   None,     "todo",        5,        "2026-02-20"),
            ("Foxtrot fix",  "bob",    "done",        2,        "2026-03-05"),
        ],
    }
    projects = {}
    for name, rows in plan.items():
        tasks = [
            {"title": title, "assignee_id": people[who]["id"] if who else None, "status": status, "priority": priority, "due_date": due}
            for title, who, status, priority, due in rows
        ]
        projects[name.lower()] = add_project(client, name, tasks)
    response = client.get("/tasks", params={"limit": 100})
    body = expect.json_body(response)
    items = body.get("items") if isinstance(body, dict) else None
    expect.prerequisite(
        response.status_code == 200 and isinstance(items, list) and len(items) == 6,
        f"GET /tasks?limit=100 answers a page whose `items` are the 6 tasks created (got {expect.phrase(response.status_code)}).",
        where="app/tasks.py, TODO(page) and app/store.py, TODO(list)",
    )
    return {"users": {"ann": ann, "bob": bob}, "projects": projects, "tasks": items}


# --------------------------------------------------------------------------- relationships


@where("app/models.py, TODO(relationships)")
def test_a_task_shows_its_project_and_assignee(client):
    """A task answers with its project ({"id", "name"}) and its assignee ({"id", "name", "email"}, or null when nobody is assigned)."""
    ann = add_user(client, "Ann")
    launch = add_project(client, "Launch")
    assigned = add_task(client, "Ship it", launch, ann)
    unassigned = add_task(client, "Write docs", launch)
    for task, assignee in ((assigned, {"id": ann["id"], "name": "Ann", "email": "ann@example.com"}), (unassigned, None)):
        response = client.get(f"/tasks/{task['id']}")
        expect.status(response, 200, "GET /tasks/{task_id} answers the task.")
        body = expect.json_body(response)
        expect.has_keys(body, {"project", "assignee"}, "the task")
        assert body["project"] == {"id": launch["id"], "name": "Launch"}, (
            f"Expected `project` to be {{'id': {launch['id']}, 'name': 'Launch'}}, got {body['project']!r}: "
            "task.project must be a relationship() to the task's Project."
        )
        assert body["assignee"] == assignee, (
            f"Expected `assignee` to be {assignee!r}, got {body['assignee']!r}: task.assignee must be a "
            "relationship() to the task's User (None when assignee_id is null)."
        )


# --------------------------------------------------------------------------- pages


@where("app/tasks.py, TODO(page)")
def test_list_answers_a_page_envelope(client):
    """GET /tasks answers {"items": [...], "total": N, "limit": 20, "offset": 0}: the tasks oldest first, each with its project."""
    launch = add_project(client, "Launch")
    created = [add_task(client, title, launch)["id"] for title in ("Plan", "Build", "Ship")]
    body = page(client)
    assert ids(body) == created, f"Expected the tasks {created}, oldest first, in `items`; got {ids(body)}."
    assert (body["total"], body["limit"], body["offset"]) == (3, 20, 0), (
        f"Expected total 3, limit 20 and offset 0 (the defaults); got total {body['total']!r}, "
        f"limit {body['limit']!r}, offset {body['offset']!r}."
    )
    assert all(isinstance(item.get("project"), dict) for item in body["items"]), "Each task in `items` shows its project, as GET /tasks/{task_id} does."


@where("app/store.py, TODO(list)")
def test_limit_and_offset_pick_the_page(client):
    """GET /tasks?limit=3&offset=3 answers the 4th to 6th tasks; `total` still counts all 7."""
    launch = add_project(client, "Launch", tasks=[{"title": f"Task {n}"} for n in range(7)])
    everything = page(client)
    all_ids = ids(everything)
    assert len(all_ids) == 7, f"Project {launch['name']!r} was created with 7 tasks; GET /tasks lists {len(all_ids)}."
    body = page(client, limit=3, offset=3)
    assert ids(body) == all_ids[3:6], f"Expected the tasks {all_ids[3:6]} (skip 3, take 3), got {ids(body)}."
    assert (body["total"], body["limit"], body["offset"]) == (7, 3, 3), (
        f"Expected total 7, limit 3, offset 3; got {body['total']!r}, {body['limit']!r}, {body['offset']!r}."
    )
    beyond = page(client, limit=3, offset=10)
    assert beyond["items"] == [] and beyond["total"] == 7, "Past the last task the page is empty, and `total` is still 7."


@where("app/schemas.py, TODO(parameters)")
@pytest.mark.parametrize(
    "params",
    [{"limit": 101}, {"limit": 0}, {"offset": -1}, {"q": "x" * 101}],
    ids=["limit=101", "limit=0", "offset=-1", "q of 101 characters"],
)
def test_page_size_is_capped(client, params):
    """GET /tasks refuses a limit above 100 (or below 1), a negative offset and a q longer than 100
    characters with 422: no client can ask for every row at once, or make the database match an
    endless pattern."""
    add_project(client, "Launch", tasks=[{"title": "Plan"}])
    expect.status(client.get("/tasks", params={"limit": 100, "q": "x" * 100}), 200, "limit=100 and a q of 100 characters, the maximums, are allowed.")
    response = client.get("/tasks", params=params)
    shown = {k: (f"{v[:5]}... ({len(v)} characters)" if isinstance(v, str) else v) for k, v in params.items()}
    expect_validation_problem(
        response,
        f"{shown} is outside the allowed range: limit is 1..100, offset at least 0 and q at most 100 "
        "characters - give the fields of TaskQuery bounds with Field(ge=..., le=..., max_length=...).",
    )


@where("app/store.py, TODO(list)")
def test_total_counts_every_match_not_just_the_page(client, tracker):
    """`total` is the number of tasks matching the filters in all, not the length of the page: status=todo&limit=2 has 2 items and a total of 3."""
    body = page(client, status="todo", limit=2)
    assert len(body["items"]) == 2, f"limit=2 answers at most 2 tasks, got {len(body['items'])}."
    assert body["total"] == 3, (
        f"Three tasks have the status todo; `total` is {body['total']!r}. Count the matching rows with their own "
        "SELECT count(*) ... WHERE (the same filters), without the LIMIT."
    )


# --------------------------------------------------------------------------- N+1


def seed(client, people, projects, tasks_per_project):
    """`projects` more users, and a project for each, whose tasks are spread over everyone so far."""
    first = len(people)
    people.extend(add_user(client, f"Person{n}") for n in range(first, first + projects))
    for n in range(first, first + projects):
        tasks = [{"title": f"Task {n}-{k}", "assignee_id": people[(n + k) % len(people)]["id"]} for k in range(tasks_per_project)]
        add_project(client, f"Project {n}", tasks)


def queries_for_the_list(client, expected_count):
    with count_queries() as log:
        body = page(client, limit=100)
    assert len(body["items"]) == expected_count, f"Expected {expected_count} tasks in the page, got {len(body['items'])}."
    assert all(isinstance(item.get("project"), dict) for item in body["items"]), "Each task shows its project."
    return log


@where("app/store.py, TODO(list)")
def test_listing_runs_the_same_few_queries_for_5_and_50_tasks(client):
    """GET /tasks runs at most 3 SQL statements, as many for 50 tasks as for 5: each task's project and assignee come with the page, not one query per task (N+1)."""
    people = []
    seed(client, people, projects=5, tasks_per_project=1)
    five = queries_for_the_list(client, 5)
    seed(client, people, projects=5, tasks_per_project=9)
    fifty = queries_for_the_list(client, 50)
    assert len(fifty) == len(five), (
        f"GET /tasks ran {len(five)} SQL statements for 5 tasks and {len(fifty)} for 50: it queries once more for "
        "each task (or each project and assignee) - the N+1 problem. Load the related rows with the page: "
        "select(Task).options(joinedload(Task.project), joinedload(Task.assignee)).\n"
        f"The statements for 50 tasks:\n{fifty.summary()}"
    )
    assert len(fifty) <= MAX_QUERIES, (
        f"GET /tasks ran {len(fifty)} SQL statements; at most {MAX_QUERIES} are allowed (the page, the total, "
        "perhaps one more). joinedload brings a many-to-one relation in the page's own SELECT; selectinload "
        f"costs one more statement per relation.\nThe statements:\n{fifty.summary()}"
    )


# --------------------------------------------------------------------------- filters


FILTERS = {
    "status=todo": (lambda t: {"status": "todo"}, lambda row, t: row["status"] == "todo"),
    "assignee_id": (lambda t: {"assignee_id": t["users"]["ann"]["id"]}, lambda row, t: row["assignee_id"] == t["users"]["ann"]["id"]),
    "project_id": (lambda t: {"project_id": t["projects"]["docs"]["id"]}, lambda row, t: row["project_id"] == t["projects"]["docs"]["id"]),
    "due_before": (lambda t: {"due_before": "2026-03-05"}, lambda row, t: row["due_date"] is not None and row["due_date"] < "2026-03-05"),
    "q, ignoring case": (lambda t: {"q": "SHIP"}, lambda row, t: "ship" in row["title"].lower()),
    "status and assignee_id": (
        lambda t: {"status": "todo", "assignee_id": t["users"]["ann"]["id"]},
        lambda row, t: row["status"] == "todo" and row["assignee_id"] == t["users"]["ann"]["id"],
    ),
}


@where("app/store.py, TODO(list) and app/schemas.py, TODO(parameters)")
@pytest.mark.parametrize("name", list(FILTERS))
def test_list_filters(client, tracker, name):
    """GET /tasks keeps only the tasks matching every filter given: status, assignee_id, project_id, due_before (strictly before), q (title contains, ignoring case)."""
    params_of, matches = FILTERS[name]
    params = params_of(tracker)
    expected = [row["id"] for row in tracker["tasks"] if matches(row, tracker)]
    body = page(client, f"GET /tasks?{'&'.join(f'{k}={v}' for k, v in params.items())} is a valid request.", **params)
    assert ids(body) == expected, f"With {params}, expected the tasks {expected} (oldest first), got {ids(body)}."
    assert body["total"] == len(expected), f"`total` counts the tasks matching {params}: expected {len(expected)}, got {body['total']!r}."


@where("app/store.py, TODO(list)")
def test_filter_values_are_data_not_sql(client, tracker):
    """A filter value is data, never SQL: q=' OR 1=1 -- matches nothing, and % or _ in q match only themselves."""
    launch = tracker["projects"]["launch"]
    percent = add_task(client, "Cut costs by 10%", launch)
    underscore = add_task(client, "Rename snake_case", launch)
    for q, expected in (("' OR 1=1 --", []), ("%", [percent["id"]]), ("_", [underscore["id"]])):
        body = page(client, f"GET /tasks?q={q} is a valid request.", q=q)
        assert ids(body) == expected, (
            f"q={q!r} must match the titles that contain exactly that text: expected {expected}, got {ids(body)}. "
            "Pass the value as a bound parameter (never format it into SQL), and let % and _ be ordinary "
            "characters: Task.title.icontains(q, autoescape=True)."
        )


# --------------------------------------------------------------------------- sorting


def expected_order(tasks, sort):
    field = sort.removeprefix("-")
    by_id = sorted(tasks, key=lambda row: row["id"])
    present = [row for row in by_id if row[field] is not None]
    missing = [row for row in by_id if row[field] is None]
    present.sort(key=lambda row: row[field], reverse=sort.startswith("-"))  # stable: ties stay by id
    return [row["id"] for row in present + missing]


@where("app/store.py, TODO(list)")
@pytest.mark.parametrize("sort", ["title", "-priority", "due_date", "-due_date"])
def test_list_sorts(client, tracker, sort):
    """GET /tasks?sort=<field> sorts by title, priority, due_date or id; "-" in front sorts descending; ties go by id, and tasks without a due date come last."""
    expected = expected_order(tracker["tasks"], sort)
    body = page(client, f"sort={sort} is one of the allowed values.", sort=sort)
    assert ids(body) == expected, (
        f"With sort={sort}, expected the tasks in the order {expected}, got {ids(body)}. Sort by the column "
        f"({'descending' if sort.startswith('-') else 'ascending'}, NULLs last: .nulls_last()), then by id."
    )


@where("app/schemas.py, TODO(parameters) and app/store.py, TODO(list)")
@pytest.mark.parametrize("sort", ["created_by_ip", "title; DROP TABLE tasks"])
def test_sort_accepts_only_the_listed_fields(client, sort):
    """`sort` takes only the listed fields (sort=-priority works); anything else - a real column or not - is refused with 422, never a 500."""
    add_project(client, "Launch", tasks=[{"title": "Plan"}, {"title": "Ship", "priority": 5}])
    allowed = page(client, "sort=-priority is one of the allowed values.", sort="-priority")
    assert [item.get("title") for item in allowed["items"]] == ["Ship", "Plan"], "sort=-priority puts the priority 5 task first."
    response = client.get("/tasks", params={"sort": sort})
    expect_validation_problem(
        response,
        f"sort={sort!r} is not one of the fields GET /tasks sorts by. Type `sort` as TaskSort (a Literal of the "
        "allowed values) so FastAPI refuses anything else, and map each allowed name to its column yourself.",
    )


# --------------------------------------------------------------------------- indexes


@where("app/models.py, TODO(indexes)")
def test_filtered_and_sorted_columns_are_indexed(client, database):
    """The `tasks` table has an index starting with each of status, due_date, project_id and assignee_id, the columns GET /tasks filters and sorts on."""
    engine = create_engine(database)
    try:
        inspector = inspect(engine)
        tables = inspector.get_table_names()
        assert "tasks" in tables, f"Expected the app to create a table named `tasks` at start-up; the database has {tables}."
        indexes = inspector.get_indexes("tasks")
    finally:
        engine.dispose()
    leading = {index["column_names"][0] for index in indexes if index.get("column_names")}
    missing = [column for column in ("status", "due_date", "project_id", "assignee_id") if column not in leading]
    assert not missing, (
        f"No index on tasks starts with {', '.join(missing)}: filtering or sorting on it reads the whole table. "
        "Add index=True to those mapped_column(...)s. Indexes found: "
        f"{[(i.get('name'), i.get('column_names')) for i in indexes] or 'none'}."
    )
