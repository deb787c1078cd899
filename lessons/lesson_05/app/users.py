"""The /users resource: the people tasks are assigned to."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.errors import UserNotFound
from app.models import User
from app.problems import problem_responses
from app.schemas import UserCreate, UserPublic
from app.store import UserStoreDep

router = APIRouter(prefix="/users", tags=["users"], responses=problem_responses(422))

MAX_LIMIT = 100


@router.get("", response_model=list[UserPublic])
def list_users(
    store: UserStoreDep, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20
) -> list[User]:
    return store.list(limit=limit)


@router.get("/{user_id}", response_model=UserPublic, responses=problem_responses(404))
def get_user(user_id: int, store: UserStoreDep) -> User:
    user = store.get(user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=UserPublic, responses=problem_responses(409)
)
def create_user(data: UserCreate, request: Request, response: Response, store: UserStoreDep) -> User:
    user = store.add(data)
    response.headers["Location"] = str(request.url_for("get_user", user_id=user.id))
    return user
