"""PostgreSQL and Redis for the lessons that teach them.

A check or test that needs a server asks for its URL here. When the server is unreachable it is
skipped with the reason, unless WORKBOOK_REQUIRE_SERVICES=1 (set in CI), where that is a failure.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

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


def redis_url() -> str:
    """The Redis server URL ($WORKBOOK_REDIS_URL or the local default), or skip/fail."""
    url = os.environ.get("WORKBOOK_REDIS_URL", REDIS_URL)
    return _need("Redis", url, "redis-server --daemonize yes --port 6379")
