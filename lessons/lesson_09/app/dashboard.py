"""GET /dashboard: the caller's tasks counted by status and by project - cached.

Counting every visible task is the most expensive read of the app, and the dashboard is read far
more often than tasks change: it is computed once, cached (app/cache.py), and served from the
cache until a task changes or the entry expires.

Three rules keep a cache correct:
- The key holds everything the answer depends on. The dashboard depends on who asks (their id)
  and on what they may see (their role): another user never gets this user's numbers.
- A write makes every older entry stale. Rather than finding and deleting each user's entry, the
  keys hold a *generation*, a random token kept in the cache; a write sets a new one, so every key
  built afterwards is new, and the old entries are never read again (they expire by their TTL).
- HTTP caching on top: the answer carries an ETag (a digest of its body); a client that sends it
  back in `If-None-Match` gets 304 Not Modified and no body when nothing changed.
"""

import hashlib
import secrets
from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from app.auth import Reader
from app.cache import Cache, CacheDep, get_or_compute
from app.db import SessionDep
from app.models import User
from app.problems import problem_responses
from app.schemas import Dashboard
from app.store import ProjectStore

router = APIRouter(prefix="/dashboard", tags=["dashboard"], responses=problem_responses(401))

GENERATION_KEY = "dashboard:generation"

# Authenticated answers may be kept by the user's own browser, never by a shared cache (a proxy, a
# CDN) that would hand them to someone else; `no-cache` makes the browser ask again each time,
# with If-None-Match, so a change is seen at once and an unchanged dashboard costs a 304.
CACHE_CONTROL = "private, no-cache"


# TODO(invalidate): invalidate_dashboards makes every dashboard cached so far stale - for every
#   user at once - so that the next read of any dashboard is computed afresh.
def invalidate_dashboards(cache: Cache) -> None:
    raise NotImplementedError("TODO(invalidate)")


# TODO(key): dashboard_key answers the cache key for `user`'s dashboard: it holds everything the
#   dashboard depends on, and changes after every invalidate_dashboards(cache).
def dashboard_key(cache: Cache, user: User) -> str:
    raise NotImplementedError("TODO(key)")


# TODO(etag): etag_of answers the ETag of a body: a quoted string that is the same for the same
#   bytes in every process, on every machine, and different when the bytes differ.
def etag_of(body: bytes) -> str:
    raise NotImplementedError("TODO(etag)")


# TODO(conditional): matches answers whether an If-None-Match header names `etag`: the header is
#   `*` (any), or a comma-separated list of ETags, each possibly weak (W/"...") - RFC 9110 compares
#   them weakly: W/"x" names "x". No header names nothing.
def matches(if_none_match: str | None, etag: str) -> bool:
    raise NotImplementedError("TODO(conditional)")


@router.get(
    "",
    response_model=Dashboard,
    responses={status.HTTP_304_NOT_MODIFIED: {"description": "Not modified: the ETag sent is current."}},
)
def read_dashboard(
    user: Reader,
    session: SessionDep,
    cache: CacheDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    def compute() -> bytes:  # runs on a miss only: a hit sends no query at all
        return ProjectStore(session, user).dashboard().model_dump_json().encode()

    body = get_or_compute(cache, dashboard_key(cache, user), compute)
    # TODO(conditional): answer with the cached bytes as JSON, with an ETag and Cache-Control
    #   CACHE_CONTROL; when If-None-Match names the current ETag (matches), answer 304 Not Modified
    #   with no body - and the same two headers.
    raise NotImplementedError("TODO(conditional)")
