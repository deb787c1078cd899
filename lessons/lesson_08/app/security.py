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

pwd_context = CryptContext(
    schemes=["argon2", "bcrypt", "pbkdf2_sha256"],
    deprecated="auto",  # every scheme but the first is deprecated: verify_and_update replaces it
    argon2__type="ID",
    argon2__memory_cost=settings.argon2_memory_cost,
    argon2__time_cost=settings.argon2_time_cost,
    argon2__parallelism=settings.argon2_parallelism,
)

# A hash of nothing anyone knows, made at the same cost as real ones: verifying a password
# against it takes as long as against a real hash.
DUMMY_HASH = pwd_context.hash("not the password of any account")


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(password: str, hashed: str) -> tuple[bool, str | None]:
    """(matches, new_hash): new_hash replaces a hash of a deprecated scheme or an older cost."""
    return pwd_context.verify_and_update(password, hashed)


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


def create_token(user_id: int, token_type: TokenType) -> str:
    """A JWT for the user: sub (the id, a string), type, iat, exp, iss and aud, signed with HS256."""
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


def read_token(token: str, token_type: TokenType) -> int:
    """The user id of a valid token of `token_type`; InvalidToken for anything else."""
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

    def retry_after(self, username: str) -> int | None:
        """None while the username may try; else the seconds until its oldest failure expires."""
        with self._lock:
            failures = self._recent(username)
            if len(failures) < self.max_failures:
                return None
            remaining = failures[0] + self.window - now()
            return max(1, int(remaining.total_seconds()) + 1)

    def failed(self, username: str) -> None:
        with self._lock:
            if len(self._failures) >= MAX_TRACKED_USERNAMES:
                self._forget_stale()
            self._failures.setdefault(username, deque()).append(now())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username, None)

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


login_throttle = LoginThrottle(settings.login_max_failures, timedelta(seconds=settings.login_window_seconds))
