"""PostgreSQL and Redis for the lessons that teach them.

A check or test that needs a server asks for its URL here. When the server is unreachable it is
skipped with the reason, unless WORKBOOK_REQUIRE_SERVICES=1 (set in CI), where that is a failure.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import pytest

if TYPE_CHECKING:
    import redis

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
REQUIRE = "WORKBOOK_REQUIRE_SERVICES"


def required() -> bool:
    return os.environ.get(REQUIRE, "") not in {"", "0", "false", "no"}


def reachable(url: str, timeout: float = 0.5) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=timeout):
            return True
    except OSError:
        return False


def _need(name: str, url: str, start: str) -> str:
    if reachable(url):
        return url
    reason = f"{name} is not reachable at {urlsplit(url).netloc} (start it with: {start})"
    if required():
        pytest.fail(f"{reason}; {REQUIRE}=1 makes this a failure", pytrace=False)
    pytest.skip(reason)


def postgres_url() -> str:
    """The PostgreSQL server URL ($WORKBOOK_POSTGRES_URL or the local default), or skip/fail."""
    url = os.environ.get("WORKBOOK_POSTGRES_URL", POSTGRES_URL)
    return _need("PostgreSQL", url, "pg_ctlcluster --skip-systemctl-redirect <version> main start")


def configured_redis_url() -> str:
    """$WORKBOOK_REDIS_URL, or the local default."""
    return os.environ.get("WORKBOOK_REDIS_URL", REDIS_URL)


def redis_url() -> str:
    """The Redis server URL ($WORKBOOK_REDIS_URL or the local default), or skip/fail."""
    return _need("Redis", configured_redis_url(), "redis-server --daemonize yes --port 6379")


# Redis databases 1-15 serve as the checks' scratch databases; database 0, the one applications
# use unless told otherwise, is never touched. A scratch database carries OWNER_KEY for good, and
# LOCK_KEY while a check uses it; a database holding anything else is someone's data: left alone.
SCRATCH_DATABASES = range(1, 16)
OWNER_KEY = "workbook:scratch-database"
LOCK_KEY = "workbook:scratch-lock"
LOCK_SECONDS = 600
CLAIM_WAIT_SECONDS = 30


def is_workbook_key(key: bytes | str) -> bool:
    return (key.decode() if isinstance(key, bytes) else key).startswith("workbook:")


def _database_url(url: str, number: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


def _claim(client: redis.Redis, token: str) -> bool:
    """Take database `client` points at when it is free and holds nothing but the workbook's keys."""
    if not client.set(LOCK_KEY, token, nx=True, ex=LOCK_SECONDS):
        return False  # another check is using it
    foreign = any(not is_workbook_key(key) for key in client.scan_iter(count=100))
    owned = client.exists(OWNER_KEY)
    if foreign and not owned:
        client.delete(LOCK_KEY)
        return False
    _empty(client, token)
    return True


def _empty(client: redis.Redis, token: str | None) -> None:
    """FLUSHDB, keeping the owner mark (and the lock, while held), in one transaction."""
    pipe = client.pipeline(transaction=True)
    pipe.flushdb()
    pipe.set(OWNER_KEY, "1")
    if token is not None:
        pipe.set(LOCK_KEY, token, ex=LOCK_SECONDS)
    pipe.execute()


@contextmanager
def scratch_redis_database() -> Iterator[str]:
    """The URL of an empty Redis database for one check, emptied again afterwards (or skip/fail
    when Redis is unreachable, as `redis_url`)."""
    import redis

    base = redis_url()
    token = uuid.uuid4().hex
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    while True:
        for number in SCRATCH_DATABASES:
            url = _database_url(base, number)
            client = redis.Redis.from_url(url)
            if _claim(client, token):
                try:
                    yield url
                finally:
                    _empty(client, None)
                    client.close()
                return
            client.close()
        if time.monotonic() > deadline:
            pytest.fail(
                f"No free Redis database among {SCRATCH_DATABASES.start}-{SCRATCH_DATABASES.stop - 1} "
                f"at {urlsplit(base).netloc}: each holds data that is not the workbook's, or is in use.",
                pytrace=False,
            )
        time.sleep(0.05)  # every scratch database is in use by other checks: wait for one
