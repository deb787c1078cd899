"""A bytes-under-str-keys cache with two back ends, plus versioned namespaces and single flight.

Invalidation works by *versions*: every key of a namespace carries the namespace's current
version, and a write advances it, so every key built afterwards is new and the old entries are
simply never read again (they expire on their own). In memory the version is a plain per-process
counter that never expires. In Redis it is an INCR counter that must expire like every other key;
a counter that expires and restarts at 1 could meet entries it named before, so (see RedisCache)
a missing counter is re-created from the Redis server's clock in microseconds, above any value
an earlier counter reached, and every read pushes its expiry forward.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Future

import redis
from cachetools import TTLCache
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)


def clock() -> float:
    """The in-memory back end's time, read through this module at each use (tests replace it)."""
    return time.monotonic()


class SingleFlight:
    """One computation per key at a time in this process; callers arriving meanwhile share its result."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flying: dict[str, Future[bytes]] = {}

    def run(self, key: str, compute: Callable[[], bytes]) -> bytes:
        with self._lock:
            flight = self._flying.get(key)
            leading = flight is None
            if flight is None:
                flight = self._flying[key] = Future()
        if not leading:
            return flight.result()
        try:
            flight.set_result(compute())
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        finally:
            with self._lock:
                del self._flying[key]
        return flight.result()


class Cache(ABC):
    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self._flights = SingleFlight()

    @abstractmethod
    def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    def put(self, key: str, value: bytes) -> None: ...

    @abstractmethod
    def version(self, namespace: str) -> str | None:
        """The namespace's current version; None when the cache cannot be used right now."""

    @abstractmethod
    def advance(self, namespace: str) -> None:
        """Make every key built with the current version of `namespace` stale."""

    def close(self) -> None:
        pass

    def fetch(self, key: str, compute: Callable[[], bytes]) -> bytes:
        """Cache-aside with single flight: on a miss one caller computes, the others wait for it."""
        found = self.get(key)
        if found is not None:
            return found

        def fill() -> bytes:
            landed = self.get(key)  # a flight that ended just before this one began stored it
            if landed is not None:
                return landed
            value = compute()
            self.put(key, value)
            return value

        return self._flights.run(key, fill)


class MemoryCache(Cache):
    """This process only: cachetools' TTLCache (not thread-safe, hence the lock) on app.cache.clock."""

    def __init__(self, ttl: int, maxsize: int = 4096) -> None:
        super().__init__(ttl)
        self._lock = threading.Lock()
        self._entries: TTLCache[str, bytes] = TTLCache(maxsize, ttl, timer=lambda: clock())
        self._versions: dict[str, int] = {}

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            self._entries[key] = value

    def version(self, namespace: str) -> str:
        with self._lock:
            return str(self._versions.get(namespace, 0))

    def advance(self, namespace: str) -> None:
        with self._lock:
            self._versions[namespace] = self._versions.get(namespace, 0) + 1


# A missing counter starts from the server's clock (seconds followed by six digits of microseconds),
# so it is above every value a counter that expired earlier can have reached.
_SEED = """
local function seed(key)
  if redis.call('EXISTS', key) == 0 then
    local now = redis.call('TIME')
    redis.call('SET', key, now[1] .. string.format('%06d', tonumber(now[2])))
  end
end
"""
_CURRENT = _SEED + """
seed(KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return redis.call('GET', KEYS[1])
"""
_ADVANCE = _SEED + """
seed(KEYS[1])
local version = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return version
"""


class RedisCache(Cache):
    """Shared by every process using the same Redis database. Every key expires within `ttl`.
    Redis is an optimisation: any RedisError is logged and counts as a miss or a skipped write."""

    def __init__(self, url: str, ttl: int, timeout: float = 0.5) -> None:
        super().__init__(ttl)
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        self._current = self._client.register_script(_CURRENT)
        self._advance = self._client.register_script(_ADVANCE)

    def get(self, key: str) -> bytes | None:
        try:
            return self._client.get(key)
        except redis.RedisError as exc:
            log.warning("cache read of %s failed, computing instead: %s", key, exc)
            return None

    def put(self, key: str, value: bytes) -> None:
        try:
            self._client.set(key, value, ex=self.ttl)
        except redis.RedisError as exc:
            log.warning("cache write of %s skipped: %s", key, exc)

    def version(self, namespace: str) -> str | None:
        try:
            return self._current(keys=[f"{namespace}:version"], args=[self.ttl]).decode()
        except redis.RedisError as exc:
            log.warning("cache unavailable, reading %s from the database: %s", namespace, exc)
            return None

    def advance(self, namespace: str) -> None:
        try:
            self._advance(keys=[f"{namespace}:version"], args=[self.ttl])
        except redis.RedisError as exc:
            log.warning("could not invalidate %s (entries may be served until they expire): %s", namespace, exc)

    def close(self) -> None:
        self._client.close()


def open_cache(url: str, ttl: int) -> Cache:
    if url == "memory://":
        return MemoryCache(ttl)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisCache(url, ttl)
    raise RuntimeError(f"CACHE_URL must be memory:// or a Redis URL, not {url.split(':')[0]}:...")
