"""Settings, read from the environment by pydantic-settings.

`DATABASE_URL` names the database (default: `tasks.db` in the folder you start the app from).
`SECRET_KEY` signs the tokens: it lives in the environment, never in the code, and outside
development the app refuses to start without a strong one. `ENVIRONMENT=development` lets you
experiment without it. The cost of password hashing is a setting too: the defaults are OWASP's
minimum for argon2id; the checks set cheap values, so that they run in seconds.

`CACHE_URL` picks the cache: `memory://` (the default: a cache inside this process) or a Redis
URL such as `redis://localhost:6379/0`, shared by every process that names it.
`CACHE_TTL_SECONDS` is how long an entry lives.
"""

import secrets
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings
from typing_extensions import Self

MIN_SECRET_KEY_BYTES = 32

# Keys published in tutorials and templates: anyone can sign tokens with them.
PUBLISHED_KEYS = frozenset(
    {
        "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",  # FastAPI's docs
        "changethis",
        "changeme",
        "secret",
        "your-secret-key",
    }
)


class Settings(BaseSettings):
    # Each field is read from the environment variable of the same name, in capitals.
    database_url: str = "sqlite:///./tasks.db"
    environment: Literal["development", "production"] = "production"
    secret_key: SecretStr | None = None  # SecretStr: never shown in a repr, a log or an error

    # Tokens: who issues them, who they are for, and how long they live.
    token_issuer: str = "task-tracker"
    token_audience: str = "task-tracker"
    access_token_minutes: int = Field(15, ge=1, le=30)
    refresh_token_days: int = Field(7, ge=1, le=30)

    # argon2id's cost: memory in KiB, passes over it, lanes. OWASP's minimum: 19 MiB, 2, 1.
    argon2_memory_cost: int = Field(19456, ge=8)
    argon2_time_cost: int = Field(2, ge=1)
    argon2_parallelism: int = Field(1, ge=1)

    # The login throttle: this many failed logins for one username within the window answer 429.
    login_max_failures: int = Field(5, ge=1)
    login_window_seconds: int = Field(900, ge=1)

    # The cache (app/cache.py): where it lives, and how long an entry may be served.
    cache_url: str = Field("memory://", pattern=r"^(memory|rediss?)://")
    cache_ttl_seconds: int = Field(60, ge=1, le=86400)

    @model_validator(mode="after")
    def require_a_strong_secret_key(self) -> Self:
        """Outside development, refuse a missing, short or published SECRET_KEY."""
        if self.environment == "development":
            if self.secret_key is None:
                self.secret_key = SecretStr(secrets.token_urlsafe(MIN_SECRET_KEY_BYTES))
            return self
        key = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        if not key:
            raise ValueError("SECRET_KEY is not set: give the app a random key of its own.")
        if len(key.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
            raise ValueError(f"SECRET_KEY is too short: use at least {MIN_SECRET_KEY_BYTES} random bytes.")
        if key in PUBLISHED_KEYS:
            raise ValueError("SECRET_KEY is an example key published online: generate one of your own.")
        return self

    @property
    def signing_key(self) -> str:
        assert self.secret_key is not None  # the validator above made sure of it
        return self.secret_key.get_secret_value()


settings = Settings()
