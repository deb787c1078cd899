"""Logging in and who is calling: the OAuth2 password flow.

POST /token takes a form (`username` - the account's email - and `password`), as OAuth2's password
flow says, so the "Authorize" button of /docs can log in. It answers an access token, which the
client sends with every request (`Authorization: Bearer <token>`), and a refresh token, which
POST /token/refresh exchanges for a new access token when the old one expires.

`CurrentUser` is the dependency a route declares to require a valid access token: the route gets
the User; anyone else gets 401.
"""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

from app.errors import InvalidCredentials, InvalidToken, TooManyLoginAttempts
from app.models import User
from app.problems import problem_responses
from app.schemas import AccessToken, RefreshRequest, TokenPair
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


# TODO(current-user): get_current_user answers the User the request's access token was issued
#   to: the token must be a valid access token (read_token) and its user must still exist and be
#   active - otherwise InvalidToken (401).
def get_current_user(token: Annotated[str, Depends(oauth2_scheme)], store: UserStoreDep) -> User:
    raise NotImplementedError("TODO(current-user)")


CurrentUser = Annotated[User, Depends(get_current_user)]


def token_pair(user: User) -> TokenPair:
    return TokenPair(
        access_token=create_token(user.id, TokenType.access),
        refresh_token=create_token(user.id, TokenType.refresh),
        expires_in=int(token_lifetime(TokenType.access).total_seconds()),
    )


# TODO(login): POST /token logs a user in with the form's username (the email) and password:
#   - a username that login_throttle says must wait answers TooManyLoginAttempts (429), before
#     any password is checked;
#   - an unknown email, a user without a password, a wrong password and a disabled account all
#     raise the same InvalidCredentials - and take the same time: when there is no hash to check,
#     check the password against the dummy hash (verify_dummy);
#   - each failure is recorded with login_throttle (per username, lower case), a success forgets them;
#   - when verify_password gives a new hash (an old scheme or cost), store it;
#   - the answer is a TokenPair (token_pair(user)).
@router.post("", responses=problem_responses(429))
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], store: UserStoreDep) -> TokenPair:
    raise NotImplementedError("TODO(login)")


# TODO(refresh): POST /token/refresh takes {"refresh_token": "..."} and answers a new access
#   token (AccessToken) for its user. Only a valid refresh token of a user who still exists and is
#   active will do: anything else - an access token too - answers InvalidToken (401).
@router.post("/refresh")
def refresh(body: RefreshRequest, store: UserStoreDep) -> AccessToken:
    raise NotImplementedError("TODO(refresh)")
