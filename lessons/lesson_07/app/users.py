"""The /users resource: registering, the people tasks are assigned to, and who you are."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.auth import CurrentUser
from app.errors import UserNotFound
from app.models import User
from app.problems import problem_responses
from app.schemas import UserCreate, UserPublic
from app.security import hash_password
from app.store import UserStoreDep

router = APIRouter(prefix="/users", tags=["users"], responses=problem_responses(422))

MAX_LIMIT = 100


@router.get("", response_model=list[UserPublic])
def list_users(
    store: UserStoreDep, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20
) -> list[User]:
    return store.list(limit=limit)


# GET /users/me answers the user the request's access token was issued to. Declared before
# /users/{user_id}: routes match in order, and "me" is not an id.
@router.get("/me", response_model=UserPublic, responses=problem_responses(401))
def read_me(user: CurrentUser) -> User:
    return user


@router.get("/{user_id}", response_model=UserPublic, responses=problem_responses(404))
def get_user(user_id: int, store: UserStoreDep) -> User:
    user = store.get(user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user


# TODO(register): POST /users registers a user: it stores the hash of the password (see
#   app/security.py) - never the password - and answers 201 with the user as UserPublic (no
#   password, no hash) and a Location header; a taken email answers 409 as before.
@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=UserPublic, responses=problem_responses(409)
)
def create_user(data: UserCreate, request: Request, response: Response, store: UserStoreDep) -> User:
    raise NotImplementedError("TODO(register)")
