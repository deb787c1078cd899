"""Lesson 08 checks: roles, object-level access, deny by default, no mass assignment.

The checks register users through the API and log them in (POST /token); they make a user an
admin or a viewer with SQL (`UPDATE users SET role = ...`), since only an admin can do it through
the API. Ann and Bob are members; each owns the projects they create.
"""

import re

import pytest

from workbook import expect
from workbook.client import Recorder

where = pytest.mark.where

PASSWORD = "correct horse battery staple"
PUBLIC = {("POST", "/token"), ("POST", "/token/refresh"), ("POST", "/users")}
FASTAPI_DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
HASH_MARKERS = ("$argon2", "$2b$", "$2a$", "$2y$", "$pbkdf2", "hashed_password")


# --------------------------------------------------------------------------- set-up through the API


class Person:
    """A registered, logged-in user: `.id`, `.email` and `.headers` (Authorization: Bearer ...)."""

    def __init__(self, client, name):
        self.client = client
        self.name = name
        self.email = f"{name.lower()}@example.com"
        response = client.post("/users", json={"name": name, "email": self.email, "password": PASSWORD})
        expect.prerequisite(
            response.status_code == 201,
            f"POST /users registers {name} (got {expect.phrase(response.status_code)}).",
            where="app/users.py",
        )
        self.id = response.json()["id"]
        self.log_in()

    def log_in(self):
        response = self.client.post("/token", data={"username": self.email, "password": PASSWORD})
        expect.prerequisite(
            response.status_code == 200,
            f"POST /token logs {self.name} in (got {expect.phrase(response.status_code)}).",
            where="app/auth.py",
        )
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def request(self, method, path, **kwargs):
        return self.client.request(method, path, headers=self.headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)


def made(response, what, where):
    expect.prerequisite(
        response.status_code == 201,
        f"{what} answers 201 (got {expect.phrase(response.status_code)}).",
        where=where,
    )
    return response.json()


def project_of(person, name=None):
    name = name or f"{person.name}'s project"
    return made(person.request("POST", "/projects", json={"name": name}), f"POST /projects by {person.name}", "app/projects.py")


def task_in(person, project, title=None):
    title = title or f"Task {len(Recorder.exchanges)}"
    return made(
        person.request("POST", "/tasks", json={"title": title, "project_id": project["id"]}),
        f"POST /tasks by {person.name} in their own project",
        "app/tasks.py",
    )


@pytest.fixture
def make_role(sql):
    def make(person, role):
        sql("UPDATE users SET role = :role WHERE id = :id", role=role, id=person.id)
        return person

    return make


@pytest.fixture
def ann(client):
    return Person(client, "Ann")


@pytest.fixture
def bob(client):
    return Person(client, "Bob")


def comparable(response, object_id):
    """A 404's body with the id it names replaced, to compare two 404s for different ids."""
    body = expect.json_body(response)
    return re.sub(rf"\b{object_id}\b", "<id>", repr(body)) if isinstance(body, dict) else body


# --------------------------------------------------------------------------- function level: who may call what

# endpoint -> (method, path, body, expected status for anonymous, viewer, member, admin). Paths
# name the member's own objects: {task} a task of their project, {project} their project, {user}
# the member themself.
MATRIX = {
    "GET /projects": ("GET", "/projects", None, (401, 200, 200, 200)),
    "POST /projects": ("POST", "/projects", {"name": "New {n}"}, (401, 403, 201, 201)),
    "GET /projects/{id}": ("GET", "/projects/{project}", None, (401, 200, 200, 200)),
    "GET /tasks": ("GET", "/tasks", None, (401, 200, 200, 200)),
    "GET /tasks/{id}": ("GET", "/tasks/{task}", None, (401, 200, 200, 200)),
    "POST /tasks": ("POST", "/tasks", {"title": "New {n}", "project_id": "{project}"}, (401, 403, 201, 201)),
    "PATCH /tasks/{id}": ("PATCH", "/tasks/{task}", {"priority": 4}, (401, 403, 200, 200)),
    "DELETE /tasks/{id}": ("DELETE", "/tasks/{task}", None, (401, 403, 204, 204)),
    "GET /users/me": ("GET", "/users/me", None, (401, 200, 200, 200)),
    "GET /users": ("GET", "/users", None, (401, 403, 403, 200)),
    "GET /users/{id}": ("GET", "/users/{user}", None, (401, 403, 403, 200)),
    "PATCH /users/{id}": ("PATCH", "/users/{user}", {"role": "member"}, (401, 403, 403, 200)),
}
ROLES = ("anonymous", "viewer", "member", "admin")


def fill(value, names):
    if isinstance(value, str):
        filled = value.format(**names)
        return int(filled) if filled.isdigit() and value.startswith("{") else filled
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    return value


@where("app/auth.py, TODO(require-role); app/users.py, TODO(admin-users); app/access.py")
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_role_matrix(client, make_role, endpoint):
    """Each endpoint answers each role as the table in the README says: 401 without a token, 403 for a role that may not, 2xx otherwise."""
    method, path, body, expected = MATRIX[endpoint]
    member = Person(client, "Ann")
    viewer = make_role(Person(client, "Vic"), "viewer")
    admin = make_role(Person(client, "Ada"), "admin")
    project = project_of(member)
    callers = {"anonymous": None, "viewer": viewer, "member": member, "admin": admin}
    wrong = []
    for n, (role, status) in enumerate(zip(ROLES, expected)):
        task = task_in(member, project, f"Task for {role}")  # a fresh one: a DELETE removes it
        names = {"task": task["id"], "project": project["id"], "user": member.id, "n": n}
        kwargs = {"json": fill(body, names)} if body is not None else {}
        url = fill(path, names)
        caller = callers[role]
        response = client.request(method, url, **kwargs) if caller is None else caller.request(method, url, **kwargs)
        if response.status_code != status:
            wrong.append((role, status, response.status_code))
    assert not wrong, (
        f"{endpoint} answers the roles wrongly - "
        + "; ".join(f"{role}: expected {expect.phrase(want)}, got {expect.phrase(got)}" for role, want, got in wrong)
        + ". "
        + " ".join(dict.fromkeys(advice(want, got) for _, want, got in wrong))
    )


def advice(expected, got):
    """What a role-matrix mismatch most likely means, in a sentence."""
    if expected == 401:
        return "401 means nobody is logged in: the route must require a token (CurrentUser, or the router's dependencies)."
    if expected == 403:
        return "403 means logged in, but the role may not: declare the route's requirement (Writer, Admin - require_role)."
    if got == 403:
        return "This role may call it: require_role must let it through (check the roles Writer and Admin list)."
    if got == 404:
        return (
            "A 404 for a role that may read it means the object-level condition hides it from that role: "
            "see visible_projects / writable_projects in app/access.py."
        )
    return "401: nobody is logged in; 403: logged in, but the role may not."


def every_route(client):
    """(method, path) of every route: those the OpenAPI document lists, and the app's own routes."""
    found = set()
    paths = expect.json_body(client.get("/openapi.json")).get("paths", {})
    for path, operations in paths.items():
        found |= {(method.upper(), path) for method in operations if method.upper() in HTTP_METHODS}
    for route in client.target_app.routes:  # routes left out of the schema (include_in_schema=False)
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if path and methods and path not in FASTAPI_DOCS:
            found |= {(method, path) for method in methods if method in HTTP_METHODS}
    return found


@where("app/main.py, TODO(deny-by-default)")
def test_every_route_but_the_public_ones_requires_a_token(client, ann):
    """Every route of the app, except logging in, refreshing a token, registering and FastAPI's docs, answers 401 to a request without a token."""
    expect.status(ann.get("/users/me"), 200, "A logged-in user reads GET /users/me.")
    open_routes = []
    for method, path in sorted(every_route(client) - PUBLIC):
        response = client.request(method, re.sub(r"\{[^}]+\}", "1", path))
        if response.status_code != 401:
            open_routes.append(f"{method} {path} answered {expect.phrase(response.status_code)}")
    assert not open_routes, (
        "Without a token these routes did not answer 401: " + "; ".join(open_routes) + ". Deny by default: require a "
        "logged-in user for whole routers (include_router(..., dependencies=[...])) so a new route is protected too."
    )


@where("app/auth.py, TODO(require-role)")
def test_the_role_is_read_at_each_request(client, ann, make_role):
    """A member an admin turns into a viewer (PATCH /users/{id}) cannot write any more - with the token they already have."""
    admin = make_role(Person(client, "Ada"), "admin")
    made(ann.request("POST", "/projects", json={"name": "Before"}), "POST /projects by a member", "app/projects.py")
    response = admin.request("PATCH", f"/users/{ann.id}", json={"role": "viewer"})
    expect.status(response, 200, "An admin changes a user's role with PATCH /users/{user_id}.")
    assert expect.json_body(response).get("role") == "viewer", "PATCH /users/{user_id} answers the user with the new role."
    expect.status(
        ann.request("POST", "/projects", json={"name": "After"}), 403,
        "Ann is a viewer now: her old token must not keep her old rights (read the role from the database, not the token).",
    )


# --------------------------------------------------------------------------- object level: whose objects


@where("app/access.py, TODO(visible)")
def test_another_members_task_is_404_like_a_missing_one(client, ann, bob):
    """GET /tasks/{task_id} for another member's task answers 404 - the same answer as for a task that does not exist."""
    task = task_in(ann, project_of(ann))
    hidden = bob.get(f"/tasks/{task['id']}")
    missing = bob.get("/tasks/999999")
    expect.status(missing, 404, "A task that does not exist is 404.")
    expect.status(hidden, 404, "Bob may not see Ann's task: answer 404, exactly as if it did not exist (403 would confirm it exists).")
    assert comparable(hidden, task["id"]) == comparable(missing, 999999), (
        f"The 404 for Ann's task differs from the 404 for a missing one, so Bob can tell it exists.\n"
        f"Ann's task: {hidden.text}\nMissing:    {missing.text}"
    )


@where("app/access.py, TODO(writable)")
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_another_members_task_cannot_be_changed(client, ann, bob, method):
    """PUT, PATCH and DELETE on another member's task answer 404, and the task stays as it was."""
    project = project_of(ann)
    task = task_in(ann, project, "Ann's task")
    body = {"PUT": {"title": "Taken over", "project_id": project["id"]}, "PATCH": {"title": "Taken over"}, "DELETE": None}[method]
    response = bob.request(method, f"/tasks/{task['id']}", **({"json": body} if body else {}))
    expect.status(response, 404, f"Bob's {method} on Ann's task is 404: for Bob it does not exist.")
    after = ann.get(f"/tasks/{task['id']}")
    expect.status(after, 200, "Ann's task must still be there.")
    assert expect.json_body(after).get("title") == "Ann's task", "Bob's request changed Ann's task."


@where("app/access.py, TODO(visible)")
def test_lists_hold_only_what_the_member_may_see(client, ann, bob):
    """GET /tasks and GET /projects list only the member's own projects and their tasks; `total` counts only those."""
    task_in(ann, project_of(ann), "Ann's task")
    bobs = task_in(bob, project_of(bob), "Bob's task")
    page = expect.json_body(bob.get("/tasks"))
    titles = [t.get("title") for t in page.get("items", [])]
    assert titles == ["Bob's task"], f"Bob's GET /tasks should hold only his task; it holds {titles}."
    assert page.get("total") == 1, f"`total` counts only the tasks Bob may see: expected 1, got {page.get('total')}."
    projects = [p.get("name") for p in expect.json_body(bob.get("/projects"))]
    assert projects == ["Bob's project"], f"Bob's GET /projects should hold only his project; it holds {projects}."
    assert bobs["id"]


@where("app/access.py, TODO(visible)")
def test_another_members_project_is_404(client, ann, bob):
    """GET /projects/{project_id} for another member's project answers 404."""
    project = project_of(ann)
    expect.status(bob.get(f"/projects/{project['id']}"), 404, "Bob may not see Ann's project.")
    expect.status(ann.get(f"/projects/{project['id']}"), 200, "Ann sees her own project.")


@where("app/access.py, TODO(writable)")
def test_no_task_in_another_members_project(client, ann, bob):
    """POST /tasks naming another member's project is refused like a project that does not exist, and creates nothing."""
    project = project_of(ann)
    project_of(bob)
    theirs = bob.request("POST", "/tasks", json={"title": "Sneaked in", "project_id": project["id"]})
    nowhere = bob.request("POST", "/tasks", json={"title": "Sneaked in", "project_id": 999999})
    expect.status(theirs, nowhere.status_code, "Ann's project must look, to Bob, like a project that does not exist.")
    titles = [t.get("title") for t in expect.json_body(ann.get("/tasks")).get("items", [])]
    assert "Sneaked in" not in titles, "Bob added a task to Ann's project."


@where("app/access.py, TODO(visible)")
@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_admins_and_viewers_see_everything(client, ann, bob, make_role, role):
    """Admins and viewers read every member's tasks and projects, in lists too."""
    reader = make_role(Person(client, "Ada"), role)
    task = task_in(ann, project_of(ann))
    task_in(bob, project_of(bob))
    expect.status(reader.get(f"/tasks/{task['id']}"), 200, f"A {role} reads Ann's task.")
    total = expect.json_body(reader.get("/tasks")).get("total")
    assert total == 2, f"A {role}'s GET /tasks counts every task (2), got {total}."
    projects = [p.get("name") for p in expect.json_body(reader.get("/projects"))]
    assert projects == ["Ann's project", "Bob's project"], f"A {role}'s GET /projects lists every project; got {projects}."


# --------------------------------------------------------------------------- property level: what a client may set


def is_admin(person):
    return person.get("/users").status_code == 200


@where("app/schemas.py, UserCreate")
def test_registering_cannot_choose_a_role(client, ann):
    """POST /users with "role": "admin" does not make an admin: it is refused (422), or the user is a member."""
    expect.prerequisite(
        ann.get("/users").status_code == 403,
        "GET /users is for admins only: a member gets 403 (so the check can tell an admin from a member).",
        where="app/users.py, TODO(admin-users)",
    )
    response = client.post("/users", json={"name": "Eve", "email": "eve@example.com", "password": PASSWORD, "role": "admin"})
    if response.status_code == 201:
        eve = Person.__new__(Person)
        eve.client, eve.name, eve.email, eve.id = client, "Eve", "eve@example.com", response.json()["id"]
        eve.log_in()
        me = expect.json_body(eve.get("/users/me"))
        assert me.get("role") == "member", f"Eve registered asking to be an admin, and her role is {me.get('role')!r}."
        assert not is_admin(eve), "Eve registered asking to be an admin, and GET /users (admins only) lets her in."
    else:
        expect.status(response, 422, "A body with a field registration does not accept (role) is invalid input.")


@where("app/users.py, TODO(me)")
def test_nobody_changes_their_own_role(client, ann):
    """PATCH /users/me changes the caller's name, never their role: "role" is refused (422) or has no effect."""
    renamed = ann.request("PATCH", "/users/me", json={"name": "Ann B."})
    expect.status(renamed, 200, "PATCH /users/me with a new name answers 200 with the account.")
    response = ann.request("PATCH", "/users/me", json={"name": "Ann", "role": "admin"})
    assert response.status_code in (200, 422), f"Expected 422 (or 200 ignoring role), got {expect.phrase(response.status_code)}."
    role = expect.json_body(ann.get("/users/me")).get("role")
    assert role == "member", f"Ann asked to become an admin through PATCH /users/me and her role is now {role!r}."
    assert not is_admin(ann), "Ann reached an admin-only route after PATCH /users/me with role admin."


@where("app/projects.py and app/store.py, ProjectStore.create")
def test_the_owner_of_a_project_is_its_creator(client, ann, bob):
    """POST /projects with "owner_id" cannot give the project to someone else: refused (422), or the creator owns it."""
    response = ann.request("POST", "/projects", json={"name": "Gift", "owner_id": bob.id})
    if response.status_code == 201:
        project = response.json()
        expect.status(ann.get(f"/projects/{project['id']}"), 200, "The creator owns the project they created.")
        expect.status(bob.get(f"/projects/{project['id']}"), 404, "owner_id from the body must be ignored: Bob does not own Ann's project.")
    else:
        expect.status(response, 422, "A body with owner_id is refused (extra fields forbidden) or owner_id is ignored.")
        made(ann.request("POST", "/projects", json={"name": "Gift"}), "POST /projects without owner_id", "app/projects.py")


@where("app/schemas.py and every response_model")
def test_no_answer_ever_holds_a_password_hash(client, ann, make_role):
    """No response - registering, logging in, /users/me, the admin's user routes, tasks with an assignee - contains a password hash."""
    admin = make_role(Person(client, "Ada"), "admin")
    project = project_of(ann)
    ann.request("POST", "/tasks", json={"title": "Assigned", "project_id": project["id"], "assignee_id": ann.id})
    ann.get("/tasks")
    ann.get("/users/me")
    ann.request("PATCH", "/users/me", json={"name": "Ann"})
    expect.status(admin.get("/users"), 200, "An admin lists the users.")
    admin.get(f"/users/{ann.id}")
    admin.request("PATCH", f"/users/{ann.id}", json={"role": "member"})
    leaks = [
        f"{e.method} {e.path.split('?')[0]}"
        for e in Recorder.exchanges
        if any(marker in e.response_body for marker in HASH_MARKERS)
    ]
    assert not leaks, f"These answers contain a password hash (or a hashed_password field): {sorted(set(leaks))}. Answer UserPublic / UserAccount, never the User row."
