"""Configuration read straight from os.environ, checked when the app starts."""

import os

PLACEHOLDERS = {"09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7", "secret", "changeme"}
_dev_key = os.urandom(32).hex()


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "sqlite:///dev.sqlite3")


def development() -> bool:
    return os.environ.get("ENVIRONMENT", "production").lower() == "development"


def signing_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if development() and not key:
        return _dev_key
    return key


def check_signing_key() -> None:
    if development():
        return
    key = signing_key()
    if len(key.encode()) < 32 or key in PLACEHOLDERS:
        raise RuntimeError("refusing to start: SECRET_KEY must be a strong random value outside development")


def pbkdf2_rounds() -> int:
    return int(os.environ.get("PBKDF2_ROUNDS", "600000"))


def cache_url() -> str:
    """`memory://` (one cache per process) or a Redis URL (`redis://host:port/db`, shared)."""
    return os.environ.get("CACHE_URL", "memory://")


def cache_ttl() -> int:
    seconds = int(os.environ.get("CACHE_TTL_SECONDS", "60"))
    if seconds < 1:
        raise RuntimeError("CACHE_TTL_SECONDS must be a positive number of seconds")
    return seconds
