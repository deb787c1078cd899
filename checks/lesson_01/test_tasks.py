"""Lesson 01 checks: in-memory CRUD for /tasks."""

import re

import pytest

from workbook import expect

where = pytest.mark.where


def create(client, title="Write the lesson", **fields):
    """Set-up step: create a task through the API (any 2xx with the task's id will do here)."""
    response = client.post("/tasks", json={"title": title, **fields})
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
    expect.prerequisite(
        response.is_success and isinstance(body, dict) and "id" in body,
        f"POST /tasks creates a task and answers it with its id (got {expect.phrase(response.status_code)}).",
        where="app/tasks.py, TODO(create)",
    )
    return body


@where("app/tasks.py, TODO(list)")
def test_list_starts_empty(client):
    """GET /tasks answers 200 with an empty JSON list when no task exists yet."""
    response = client.get("/tasks")
    expect.status(response, 200)
    assert expect.json_body(response) == [], "A new app has no tasks: expected []."


@where("app/tasks.py, TODO(create)")
def test_create_answers_201_with_the_task(client):
    """POST /tasks answers 201 Created with the stored task: its id, title, description and status."""
    response = client.post("/tasks", json={"title": "Write the lesson"})
    expect.status(response, 201, "Creating a resource answers 201 Created, not 200.")
    body = expect.json_body(response)
    expect.has_keys(body, {"id", "title", "description", "status"})
    assert isinstance(body["id"], int), f"Expected the new task's id to be an integer, got {body['id']!r}."
    assert body["title"] == "Write the lesson", "Expected the title that was sent back in the response."
    assert body["status"] == "todo", "A task created without a status starts as 'todo'."


@where("app/tasks.py, TODO(create)")
def test_create_sets_location_to_the_new_task(client):
    """POST /tasks answers with a Location header holding the new task's URL, /tasks/{id}."""
    response = client.post("/tasks", json={"title": "Write the lesson"})
    expect.status(response, 201)
    body = expect.json_body(response)
    location = response.headers.get("location")
    assert location, "Expected a Location header saying where the new task lives (/tasks/{id})."
    assert location.endswith(f"/tasks/{body['id']}"), f"Expected Location to end with /tasks/{body['id']}, got {location!r}."
    expect.status(client.get(location), 200, "The Location header must point at the new task.")


@where("app/tasks.py, TODO(create)")
def test_create_without_title_is_422(client):
    """POST /tasks without a title is rejected with 422: the body must match TaskIn."""
    response = client.post("/tasks", json={"description": "no title"})
    expect.status(response, 422, "A body without the required `title` is invalid input.")


@where("app/tasks.py, TODO(create) and TODO(list)")
def test_ids_are_unique_and_tasks_listed_oldest_first(client):
    """Each created task gets its own id, and GET /tasks lists them oldest first."""
    ids = [create(client, f"task {n}")["id"] for n in range(3)]
    assert len(set(ids)) == 3, f"Expected three different ids, got {ids}."
    listed = expect.json_body(client.get("/tasks"))
    assert [t.get("id") for t in listed] == ids, f"Expected the tasks in creation order {ids}."


@where("app/tasks.py, TODO(get)")
def test_get_answers_the_task(client):
    """GET /tasks/{task_id} answers 200 with the task that has this id."""
    first = create(client, "first")
    second = create(client, "second", description="details", status="in_progress")
    response = client.get(f"/tasks/{second['id']}")
    expect.status(response, 200)
    assert expect.json_body(response) == second, f"Expected task {second['id']} as it was created, not task {first['id']}."


@where("app/tasks.py, TODO(get)")
def test_get_missing_task_is_404(client):
    """GET /tasks/{task_id} for an id that does not exist answers 404 Not Found."""
    create(client)
    response = client.get("/tasks/999")
    expect.status(response, 404, "A task that does not exist is 404 Not Found, not a 200 with null.")


@where("app/tasks.py, TODO(get)")
def test_get_non_integer_id_is_422(client):
    """GET /tasks/{task_id} declares task_id an int, so /tasks/abc is rejected with 422."""
    create(client)
    response = client.get("/tasks/abc")
    expect.status(response, 422, "Declare the path parameter's type (task_id: int) and FastAPI validates it.")


@where("app/tasks.py, TODO(list)")
def test_list_filters_by_status(client):
    """GET /tasks?status=done lists only the tasks whose status is done."""
    create(client, "a", status="todo")
    done = create(client, "b", status="done")
    create(client, "c", status="in_progress")
    listed = expect.json_body(client.get("/tasks", params={"status": "done"}))
    assert [t.get("id") for t in listed] == [done["id"]], "Expected only the one task with status 'done'."


@where("app/tasks.py, TODO(list)")
def test_list_rejects_unknown_status(client):
    """GET /tasks?status=later is rejected with 422: status must be one of todo, in_progress, done."""
    create(client)
    response = client.get("/tasks", params={"status": "later"})
    expect.status(response, 422, "Type the `status` query parameter as TaskStatus and FastAPI rejects other values.")


@where("app/tasks.py, TODO(list)")
def test_list_returns_at_most_20_by_default(client):
    """GET /tasks without a limit answers at most 20 tasks, the 20 oldest."""
    ids = [create(client, f"task {n}")["id"] for n in range(25)]
    listed = expect.json_body(client.get("/tasks"))
    assert [t.get("id") for t in listed] == ids[:20], f"Expected the first 20 of 25 tasks, got {len(listed)}."


@where("app/tasks.py, TODO(list)")
def test_list_honours_limit(client):
    """GET /tasks?limit=3 answers at most 3 tasks."""
    ids = [create(client, f"task {n}")["id"] for n in range(5)]
    listed = expect.json_body(client.get("/tasks", params={"limit": 3}))
    assert [t.get("id") for t in listed] == ids[:3], f"Expected the first 3 tasks, got {len(listed)}."


@where("app/tasks.py, TODO(list)")
@pytest.mark.parametrize("limit", [0, 101])
def test_list_rejects_limit_out_of_range(client, limit):
    """GET /tasks?limit=... outside 1..100 is rejected with 422, so no client can ask for everything at once."""
    create(client)
    response = client.get("/tasks", params={"limit": limit})
    expect.status(response, 422, "Give `limit` bounds (at least 1, at most 100) with Query(ge=..., le=...).")


@where("app/tasks.py, TODO(replace)")
def test_put_replaces_every_field(client):
    """PUT /tasks/{task_id} replaces the whole task: a field left out goes back to its default."""
    task = create(client, "old", description="old details", status="in_progress")
    response = client.put(f"/tasks/{task['id']}", json={"title": "new"})
    expect.status(response, 200)
    body = expect.json_body(response)
    expected = {"id": task["id"], "title": "new", "description": "", "status": "todo"}
    assert body == expected, f"PUT replaces, it does not merge: expected {expected}."
    assert expect.json_body(client.get(f"/tasks/{task['id']}")) == expected, "GET after PUT must show the replaced task."


@where("app/tasks.py, TODO(replace)")
def test_put_is_idempotent(client):
    """Sending the same PUT twice gives the same task and creates nothing new."""
    task = create(client)
    payload = {"title": "same", "description": "twice", "status": "done"}
    first = expect.json_body(client.put(f"/tasks/{task['id']}", json=payload))
    second = client.put(f"/tasks/{task['id']}", json=payload)
    expect.status(second, 200)
    assert expect.json_body(second) == first, "The second identical PUT must give the same task as the first."
    assert len(expect.json_body(client.get("/tasks"))) == 1, "PUT on an existing id must not create another task."


@where("app/tasks.py, TODO(replace)")
def test_put_missing_task_is_404(client):
    """PUT /tasks/{task_id} for an id that does not exist answers 404 and creates nothing."""
    response = client.put("/tasks/999", json={"title": "ghost"})
    expect.status(response, 404, "Ids are given by the server: PUT to an unknown id is 404, not a create.")
    assert expect.json_body(client.get("/tasks")) == [], "A PUT to a missing id must not create a task."


@where("app/tasks.py, TODO(delete)")
def test_delete_answers_204_with_no_body(client):
    """DELETE /tasks/{task_id} answers 204 No Content with an empty body, and the task is gone."""
    task = create(client)
    response = client.delete(f"/tasks/{task['id']}")
    expect.status(response, 204)
    assert response.content == b"", f"204 No Content has no body; got {response.text[:60]!r}."
    expect.status(client.get(f"/tasks/{task['id']}"), 404, "After DELETE the task must be gone.")


@where("app/tasks.py, TODO(delete)")
def test_delete_twice_is_404(client):
    """A second DELETE of the same task answers 404: there is nothing left to delete."""
    task = create(client)
    expect.status(client.delete(f"/tasks/{task['id']}"), 204)
    expect.status(client.delete(f"/tasks/{task['id']}"), 404, "The task is already gone.")


@where("app/tasks.py, all TODOs")
def test_paths_follow_rest_naming(client):
    """The task routes are exactly /tasks and /tasks/{id}: nouns in the path, verbs in the method."""
    paths = set(expect.json_body(client.get("/openapi.json")).get("paths", {}))
    task_paths = {p for p in paths if "task" in p.lower()}
    assert task_paths, "Expected the OpenAPI document to list the /tasks routes; it lists none yet."
    odd = sorted(p for p in task_paths if not re.fullmatch(r"/tasks(/\{\w+\})?", p))
    assert not odd, f"Expected only /tasks and /tasks/{{task_id}}; these paths name an action instead: {odd}."
    assert len(task_paths) == 2, f"Expected two task paths (/tasks and /tasks/{{task_id}}), got {sorted(task_paths)}."


@where("app/tasks.py, TODO(get) and TODO(create)")
def test_openapi_documents_the_task_responses(client):
    """The OpenAPI document (/docs) shows what the task endpoints return: a Task on GET, 201 on POST."""
    document = expect.json_body(client.get("/openapi.json"))
    paths = document.get("paths", {})
    item_path = next((p for p in paths if re.fullmatch(r"/tasks/\{\w+\}", p)), None)
    assert item_path and "get" in paths[item_path], "Expected GET /tasks/{task_id} in the OpenAPI document."
    schema = paths[item_path]["get"].get("responses", {}).get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    properties = document.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
    assert {"id", "title", "status"} <= set(properties), (
        "Expected GET /tasks/{task_id} to document its 200 response as a Task "
        "(give the function a return type `-> Task` or response_model=Task)."
    )
    post = paths.get("/tasks", {}).get("post", {})
    assert "201" in post.get("responses", {}), "Expected POST /tasks to document 201 (status_code=201 on the route)."
