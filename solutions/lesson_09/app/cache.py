"""A small cache with two back ends, chosen by CACHE_URL.

`memory://` keeps the entries inside this process (cachetools' TTLCache): fast, nothing to run,
but each process has its own copy - with several workers, one worker's invalidation never reaches
the others. `redis://...` keeps them in Redis, shared by every process that names the same server.

Both store bytes under string keys, and every entry expires CACHE_TTL_SECONDS after it was
written. The cache is an optimisation, never a dependency: when Redis cannot be reached, a read is
a miss and a write is skipped - the failure is logged and the app answers from the database.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Annotated, Protocol

import redis
from cachetools import TTLCache
from fastapi import Depends, Request

logger = logging.getLogger(__name__)

MEMORY_URL = "memory://"
MAX_MEMORY_ENTRIES = 10_000
# How long a Redis command may take before it counts as a failure: a cache that makes every
# request wait seconds for a server that is gone is worse than no cache.
REDIS_TIMEOUT_SECONDS = 0.5
# After a failed command, how long to answer without Redis before trying it again.
REDIS_REST_SECONDS = 5.0


def clock() -> float:
    """The time, in seconds, that in-memory entries expire by. The checks replace this function
    to move time forward instead of sleeping."""
    return time.monotonic()


class Cache(Protocol):
    def get(self, key: str) -> bytes | None:
        """The value stored under `key`, or None (never stored, expired, or unreachable)."""
        ...

    def set(self, key: str, value: bytes) -> None:
        """Store `value` under `key` for the cache's time to live."""
        ...

    def close(self) -> None: ...


class MemoryCache:
    """Entries in this process's memory: at most `max_entries`, each for `ttl` seconds."""

    def __init__(self, ttl: int, max_entries: int = MAX_MEMORY_ENTRIES) -> None:
        # `lambda: clock()` looks clock up at each call, so a replaced clock is seen at once.
        self._entries: TTLCache[str, bytes] = TTLCache(maxsize=max_entries, ttl=ttl, timer=lambda: clock())
        # TTLCache is not thread-safe, and FastAPI runs `def` routes in a pool of threads.
        self._lock = threading.Lock()

    # TODO(memory-cache): get answers the bytes stored under `key` - None when there are none or
    #   they expired - and set stores `value` under `key`. Requests run in several threads at once.
    ### BEGIN SOLUTION
    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._entries.get(key)

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._entries[key] = value
    ### STARTER
    # def get(self, key: str) -> bytes | None:
    #     raise NotImplementedError("TODO(memory-cache)")
    #
    # def set(self, key: str, value: bytes) -> None:
    #     raise NotImplementedError("TODO(memory-cache)")
    ### END SOLUTION

    def close(self) -> None:
        with self._lock:
            self._entries.clear()


class RedisCache:
    """Entries in Redis, shared by every process that uses the same server and database."""

    def __init__(self, url: str, ttl: int) -> None:
        # No connection is made here: the first command connects (and may fail - see below).
        self._client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._ttl = ttl

    # TODO(redis-cache): get and set with Redis (self._client), each entry expiring after
    #   self._ttl seconds. When Redis fails (down, timeout: any redis.RedisError), log a warning
    #   with `logger` and carry on: get answers None, set stores nothing. Never a 500.
    ### BEGIN SOLUTION
    _resting_until = 0.0  # see _attempt() below

    def get(self, key: str) -> bytes | None:
        value = self._attempt("read", key, lambda: self._client.get(key))
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        self._attempt("write", key, lambda: self._client.set(key, value, ex=self._ttl))

    def _attempt(self, what: str, key: str, command: Callable[[], object]) -> object:
        """Run a Redis command; when it fails, log it and answer None. After a failure, leave
        Redis alone for REDIS_REST_SECONDS (a circuit breaker) instead of paying a timeout - and
        logging a warning - on every command of every request while it is down."""
        if clock() < self._resting_until:
            return None
        try:
            return command()
        except redis.RedisError as exc:
            self._resting_until = clock() + REDIS_REST_SECONDS
            logger.warning(
                "Cache %s of %r failed; answering without the cache for %g s: %s", what, key, REDIS_REST_SECONDS, exc
            )
            return None
    ### STARTER
    # def get(self, key: str) -> bytes | None:
    #     raise NotImplementedError("TODO(redis-cache)")
    #
    # def set(self, key: str, value: bytes) -> None:
    #     raise NotImplementedError("TODO(redis-cache)")
    ### END SOLUTION

    def close(self) -> None:
        self._client.close()


def build_cache(url: str, ttl: int) -> Cache:
    """The back end CACHE_URL names: `memory://`, or a Redis URL."""
    if url == MEMORY_URL:
        return MemoryCache(ttl)
    return RedisCache(url, ttl)


# TODO(single-flight): get_or_compute answers the value cached under `key`; on a miss it calls
#   `compute()`, caches what it answers and answers it. When several requests miss the same key
#   at once, compute() runs once: the others wait for it and answer what it stored.
### BEGIN SOLUTION
# One lock per key would grow without end; a fixed set of locks, picked by the key, is enough
# (two keys rarely share one, and then one waits a little). hash() is fine here: these locks live
# and die with this process.
_COMPUTE_LOCKS = tuple(threading.Lock() for _ in range(64))


def _lock_for(key: str) -> threading.Lock:
    return _COMPUTE_LOCKS[hash(key) % len(_COMPUTE_LOCKS)]


### END SOLUTION
def get_or_compute(cache: Cache, key: str, compute: Callable[[], bytes]) -> bytes:
    ### BEGIN SOLUTION
    value = cache.get(key)
    if value is not None:
        return value
    with _lock_for(key):
        # Whoever held the lock before us may have computed it meanwhile: look again.
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value)
        return value
    ### STARTER
    # raise NotImplementedError("TODO(single-flight)")
    ### END SOLUTION


def get_cache(request: Request) -> Cache:
    """The app's cache, built once when the app starts (app/main.py's lifespan)."""
    cache: Cache = request.app.state.cache
    return cache


CacheDep = Annotated[Cache, Depends(get_cache)]
