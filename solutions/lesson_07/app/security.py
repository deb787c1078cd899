"""Everything about secrets in one place: password hashes, tokens and login attempts.

- Passwords are stored as argon2id hashes made by passlib's CryptContext, at the cost the settings
  give. Hashes of older schemes (bcrypt, pbkdf2_sha256) still verify and are replaced at the next
  successful login.
- Tokens are JWTs signed with HS256 and the settings' SECRET_KEY: a short-lived access token and a
  longer-lived refresh token, told apart by their `type` claim.
- The login throttle counts failed logins per username.

`now()` is the app's clock: the tokens' times and the throttle read it (through this module), so
a check can move time forward without waiting.
"""

from collections import deque
from datetime import datetime, timedelta, timezone
from enum import Enum
from threading import Lock
from typing import Any

from jose import JOSEError, jwt
from passlib.context import CryptContext

from app.config import settings
from app.errors import InvalidToken

ALGORITHM = "HS256"
MAX_TRACKED_USERNAMES = 10_000


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------- password hashes

# TODO(context): `pwd_context` hashes new passwords with argon2id at the cost the settings give
#   (argon2_memory_cost, argon2_time_cost, argon2_parallelism), and still verifies hashes of
#   bcrypt and pbkdf2_sha256 - marked deprecated, so that they are replaced at the next login.
### BEGIN SOLUTION
pwd_context = CryptContext(
    schemes=["argon2", "bcrypt", "pbkdf2_sha256"],
    deprecated="auto",  # every scheme but the first is deprecated: verify_and_update replaces it
    argon2__type="ID",
    argon2__memory_cost=settings.argon2_memory_cost,
    argon2__time_cost=settings.argon2_time_cost,
    argon2__parallelism=settings.argon2_parallelism,
)
### STARTER
# # A placeholder so that the rest can run: argon2 far too cheap, and no older scheme known.
# pwd_context = CryptContext(schemes=["argon2"], argon2__memory_cost=8, argon2__time_cost=1, argon2__parallelism=1)
### END SOLUTION

# A hash of nothing anyone knows, made at the same cost as real ones: verifying a password
# against it takes as long as against a real hash.
DUMMY_HASH = pwd_context.hash("not the password of any account")


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


# TODO(verify): verify_password(password, hashed) answers (matches, new_hash): whether the password
#   matches the stored hash, and - when it matches but the hash is of a deprecated scheme or of an
#   older cost - a new hash to store instead (None otherwise). One call does both.
def verify_password(password: str, hashed: str) -> tuple[bool, str | None]:
    ### BEGIN SOLUTION
    return pwd_context.verify_and_update(password, hashed)
    ### STARTER
    # raise NotImplementedError("TODO(verify)")
    ### END SOLUTION


def verify_dummy(password: str) -> None:
    """Spend the time a real check takes, for a login whose account does not exist."""
    verify_password(password, DUMMY_HASH)


# --------------------------------------------------------------------------- tokens


class TokenType(str, Enum):
    access = "access"
    refresh = "refresh"


def token_lifetime(token_type: TokenType) -> timedelta:
    if token_type is TokenType.access:
        return timedelta(minutes=settings.access_token_minutes)
    return timedelta(days=settings.refresh_token_days)


# TODO(create-token): create_token(user_id, token_type) answers a JWT signed with
#   settings.signing_key and ALGORITHM, whose claims are: `sub` - the user's id as a string -,
#   `type` ("access" or "refresh"), `iat` (now()) and `exp` (now() + token_lifetime(token_type)),
#   `iss` (settings.token_issuer) and `aud` (settings.token_audience).
def create_token(user_id: int, token_type: TokenType) -> str:
    ### BEGIN SOLUTION
    issued = now()
    claims: dict[str, Any] = {
        "sub": str(user_id),  # a string: python-jose refuses any other type of `sub`
        "type": token_type.value,
        "iat": int(issued.timestamp()),
        "exp": int((issued + token_lifetime(token_type)).timestamp()),
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
    }
    return jwt.encode(claims, settings.signing_key, algorithm=ALGORITHM)
    ### STARTER
    # raise NotImplementedError("TODO(create-token)")
    ### END SOLUTION


# TODO(read-token): read_token(token, token_type) answers the id of the user the token was issued
#   to, or raises InvalidToken for every token that is not exactly what this app issues:
#   - signed with ALGORITHM only (never an algorithm the token names itself: "none", "HS",
#     HS512...) and the signing key;
#   - `exp` present and in the future, `nbf` (if there) not in the future, `iss` and `aud` ours,
#     `sub` present, `type` equal to token_type (a refresh token is never an access token);
#   - python-jose raises several kinds of JOSEError (JWKError is not a JWTError): catch them all,
#     and never put the exception's text in an answer.
def read_token(token: str, token_type: TokenType) -> int:
    ### BEGIN SOLUTION
    try:
        claims = jwt.decode(
            token,
            settings.signing_key,
            algorithms=[ALGORITHM],
            audience=settings.token_audience,
            issuer=settings.token_issuer,
            # python-jose checks exp, nbf, iss and aud when they are there, but accepts a token
            # without them unless told to require them.
            options={
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
                "require_iss": True,
                "require_aud": True,
            },
        )
    except JOSEError:
        raise InvalidToken() from None
    if claims.get("type") != token_type.value:
        raise InvalidToken()
    subject = claims["sub"]
    if not (subject.isascii() and subject.isdigit()):
        raise InvalidToken()
    return int(subject)
    ### STARTER
    # raise NotImplementedError("TODO(read-token)")
    ### END SOLUTION


# --------------------------------------------------------------------------- the login throttle


class LoginThrottle:
    """Counts failed logins per username within a sliding window of time.

    Kept in this process's memory: several processes (or servers) behind a load balancer each
    count on their own - the problem lesson 09 shows with a cache, and solves with Redis.
    """

    def __init__(self, max_failures: int, window: timedelta) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = Lock()  # sync endpoints run in a thread pool

    # TODO(throttle): retry_after(username) answers None while the username may try to log in,
    #   or - once it has `max_failures` failed logins within the last `window` - how many seconds
    #   remain until the oldest of them leaves the window. failed(username) records a failed login
    #   at now(); succeeded(username) forgets its failures. Each username is counted on its own
    #   (usernames that belong to no account too), and failures older than the window no longer count.
    def retry_after(self, username: str) -> int | None:
        ### BEGIN SOLUTION
        with self._lock:
            failures = self._recent(username)
            if len(failures) < self.max_failures:
                return None
            remaining = failures[0] + self.window - now()
            return max(1, int(remaining.total_seconds()) + 1)
        ### STARTER
        # return None
        ### END SOLUTION

    def failed(self, username: str) -> None:
        ### BEGIN SOLUTION
        with self._lock:
            if len(self._failures) >= MAX_TRACKED_USERNAMES:
                self._forget_stale()
            self._failures.setdefault(username, deque()).append(now())
        ### STARTER
        # pass
        ### END SOLUTION

    def succeeded(self, username: str) -> None:
        ### BEGIN SOLUTION
        with self._lock:
            self._failures.pop(username, None)
        ### STARTER
        # pass
        ### END SOLUTION

    ### BEGIN SOLUTION
    def _recent(self, username: str) -> deque[datetime]:
        """The username's failures within the window, older ones dropped (the lock is held)."""
        failures = self._failures.get(username)
        if failures is None:
            return deque()
        horizon = now() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        if not failures:
            del self._failures[username]
        return failures

    def _forget_stale(self) -> None:
        """Drop every username whose failures have all left the window: someone trying a
        million made-up usernames must not fill the memory."""
        for username in list(self._failures):
            self._recent(username)
    ### END SOLUTION


login_throttle = LoginThrottle(settings.login_max_failures, timedelta(seconds=settings.login_window_seconds))
