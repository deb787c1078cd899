"""pbkdf2_sha256 hashing, JWTs and the failed-login counter."""

from datetime import datetime, timezone
from threading import Lock

from jose import JOSEError, jwt
from passlib.context import CryptContext

from app.settings import pbkdf2_rounds, signing_key

pwd_context = CryptContext(
    schemes=["pbkdf2_sha256", "argon2", "bcrypt"],
    default="pbkdf2_sha256",
    deprecated=["argon2", "bcrypt"],
    pbkdf2_sha256__rounds=pbkdf2_rounds(),
)

ISS = AUD = "task-tracker"


def now() -> datetime:
    return datetime.now(timezone.utc)


def issue(user_id: int, kind: str, seconds: int) -> str:
    t = int(now().timestamp())
    payload = {"sub": f"{user_id}", "type": kind, "iat": t, "exp": t + seconds, "iss": ISS, "aud": AUD}
    return jwt.encode(payload, signing_key(), algorithm="HS256")


def subject(token: str, kind: str) -> int | None:
    try:
        claims = jwt.decode(token, signing_key(), algorithms=["HS256"], audience=AUD, issuer=ISS,
                            options={"require_exp": True, "require_sub": True, "require_iat": True})
    except JOSEError:
        return None
    if claims.get("type") != kind:
        return None
    try:
        return int(claims["sub"])
    except (KeyError, ValueError):
        return None


class Attempts:
    LIMIT, WINDOW = 5, 15 * 60

    def __init__(self) -> None:
        self.seen: dict[str, list[float]] = {}
        self.lock = Lock()

    def _fresh(self, who: str) -> list[float]:
        cutoff = now().timestamp() - self.WINDOW
        kept = [t for t in self.seen.get(who, []) if t > cutoff]
        self.seen[who] = kept
        return kept

    def wait(self, who: str) -> int:
        with self.lock:
            kept = self._fresh(who)
            if len(kept) < self.LIMIT:
                return 0
            return int(kept[0] + self.WINDOW - now().timestamp()) + 1

    def fail(self, who: str) -> None:
        with self.lock:
            self._fresh(who).append(now().timestamp())

    def clear(self, who: str) -> None:
        with self.lock:
            self.seen.pop(who, None)


attempts = Attempts()
