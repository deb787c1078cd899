"""Logging in and who is calling: the OAuth2 password flow.

POST /token takes a form (`username` - the account's email - and `password`), as OAuth2's password
flow says, so the "Authorize" button of /docs can log in. It answers an access token, which the
client sends with every request (`Authorization: Bearer <token>`), and a refresh token, which
POST /token/refresh exchanges for a new access token when the old one expires.

`CurrentUser` is the dependency a route declares to require a valid access token: the route gets
the User; anyone else gets 401. `require_role(...)` builds on it: a logged-in user whose role is
not among those listed gets 403. Routes declare `Reader`, `Writer` or `Admin`.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

from app.errors import Forbidden, InvalidCredentials, InvalidToken, TooManyLoginAttempts
from app.models import User
from app.problems import problem_responses
from app.schemas import AccessToken, RefreshRequest, Role, TokenPair
from app.security import (
    TokenType,
    create_token,
    login_throttle,
    read_token,
    token_lifetime,
    verify_dummy,
    verify_password,
)
from app.store import UserStore, UserStoreDep

router = APIRouter(prefix="/token", tags=["auth"], responses=problem_responses(401, 422))

# Reads the token from `Authorization: Bearer <token>`; without one, it answers 401 itself (with
# `WWW-Authenticate: Bearer`). tokenUrl tells /docs where to log in.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def active_user(store: UserStore, user_id: int) -> User:
    """The user a valid token names - who must still exist and be active - or InvalidToken."""
    user = store.get(user_id)
    if user is None or not user.is_active:
        raise InvalidToken()
    return user


def get_current_user(token: Annotated[str, Depends(oauth2_scheme)], store: UserStoreDep) -> User:
    """The active user a valid access token names; InvalidToken (401) otherwise."""
    return active_user(store, read_token(token, TokenType.access))


CurrentUser = Annotated[User, Depends(get_current_user)]


# require_role(*roles): a dependency that gives the route the current
# user when their role is one of `roles`, and raises Forbidden (403) otherwise. The user must be
# logged in first (CurrentUser): an anonymous request still answers 401, never 403.
def require_role(*roles: Role) -> Callable[[User], User]:
    def role_required(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden()
        return user

    return role_required


# What each kind of route declares: who may read, who may write, who manages users.
Reader = CurrentUser
Writer = Annotated[User, Depends(require_role(Role.admin, Role.member))]
Admin = Annotated[User, Depends(require_role(Role.admin))]


def token_pair(user: User) -> TokenPair:
    return TokenPair(
        access_token=create_token(user.id, TokenType.access),
        refresh_token=create_token(user.id, TokenType.refresh),
        expires_in=int(token_lifetime(TokenType.access).total_seconds()),
    )


@router.post("", responses=problem_responses(429))
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], store: UserStoreDep) -> TokenPair:
    """The same 401 for every failure, the same work for unknown users; throttled per username."""
    username = form.username.strip().lower()
    retry_after = login_throttle.retry_after(username)
    if retry_after is not None:
        raise TooManyLoginAttempts(retry_after)
    user = store.get_by_email(form.username.strip())
    if user is None or user.hashed_password is None:
        verify_dummy(form.password)
        matches, new_hash = False, None
    else:
        matches, new_hash = verify_password(form.password, user.hashed_password)
    if user is None or not matches or not user.is_active:
        login_throttle.failed(username)
        raise InvalidCredentials()
    if new_hash is not None:
        store.set_password_hash(user, new_hash)
    login_throttle.succeeded(username)
    return token_pair(user)


@router.post("/refresh")
def refresh(body: RefreshRequest, store: UserStoreDep) -> AccessToken:
    """A new access token for a valid refresh token of an active user."""
    user = active_user(store, read_token(body.refresh_token, TokenType.refresh))
    return AccessToken(
        access_token=create_token(user.id, TokenType.access),
        expires_in=int(token_lifetime(TokenType.access).total_seconds()),
    )
