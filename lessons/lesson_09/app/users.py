"""The /users resource: registering (public), who you are, and - for admins - managing users.

Registration lives on a router of its own, `registration`: it is one of the few routes anyone may
call. Everything on `router` needs a logged-in user, and managing other users needs an admin.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.auth import Admin, Reader
from app.errors import UserNotFound
from app.models import User
from app.problems import problem_responses
from app.schemas import UserAccount, UserAdminUpdate, UserCreate, UserPublic, UserSelfUpdate
from app.security import hash_password
from app.store import UserStoreDep

router = APIRouter(prefix="/users", tags=["users"], responses=problem_responses(401, 403, 422))
registration = APIRouter(prefix="/users", tags=["users"], responses=problem_responses(422))

MAX_LIMIT = 100


# POST /users registers a user: the hash of the password is stored, never the password. The body
# has no `role`: every new user is a member (UserCreate forbids any other field).
@registration.post(
    "", status_code=status.HTTP_201_CREATED, response_model=UserPublic, responses=problem_responses(409)
)
def create_user(data: UserCreate, request: Request, response: Response, store: UserStoreDep) -> User:
    user = store.add(data, hashed_password=hash_password(data.password.get_secret_value()))
    response.headers["Location"] = str(request.url_for("get_user", user_id=user.id))
    return user


@router.get("/me", response_model=UserAccount)
def read_me(user: Reader) -> User:
    return user


# PATCH /users/me changes the caller's own name (UserSelfUpdate) and answers the
# account (UserAccount). Nobody changes their own role: a body with `role` (or anything but
# `name`) answers 422.
@router.patch("/me", response_model=UserAccount)
def update_me(changes: UserSelfUpdate, user: Reader, store: UserStoreDep) -> User:
    return store.change(user, changes.model_dump(exclude_unset=True))


# Only admins list users, read any user and change a user's role or active
# flag: GET /users, GET /users/{user_id} and PATCH /users/{user_id} (UserAdminUpdate) declare
# the Admin dependency; members and viewers get 403. An unknown user_id is 404.
@router.get("", response_model=list[UserAccount])
def list_users(
    store: UserStoreDep, admin: Admin, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20
) -> list[User]:
    return store.list(limit=limit)


@router.get("/{user_id}", response_model=UserAccount, responses=problem_responses(404))
def get_user(user_id: int, store: UserStoreDep, admin: Admin) -> User:
    user = store.get(user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user


@router.patch("/{user_id}", response_model=UserAccount, responses=problem_responses(404))
def administer_user(user_id: int, changes: UserAdminUpdate, store: UserStoreDep, admin: Admin) -> User:
    user = store.get(user_id)
    if user is None:
        raise UserNotFound(user_id)
    return store.change(user, changes.model_dump(exclude_unset=True, exclude_none=True))
