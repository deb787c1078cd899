"""The HTTP client the checks use: Starlette's TestClient that remembers every exchange.

When a check fails, the plugin shows the last exchange (request sent, response received), so a
learner sees what the check saw. It also notes whether any route of the app matched the request,
which is how a check tells "this endpoint does not exist yet" from "this endpoint is wrong".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.routing import Match
from starlette.testclient import TestClient

BODY_LIMIT = 500


@dataclass
class Exchange:
    method: str
    path: str
    request_body: str = ""
    status: int | None = None
    reason: str = ""
    response_body: str = ""
    route_matched: bool = True
    error: BaseException | None = None

    def describe(self) -> str:
        sent = f"{self.method} {self.path}"
        if self.request_body:
            sent += f"  {trim(self.request_body)}"
        if self.status is None:
            got = "no response (the app raised an exception)"
        else:
            got = f"{self.status} {self.reason}".rstrip()
            if self.response_body:
                got += f"  {trim(self.response_body)}"
        return f"Sent:      {sent}\nReceived:  {got}"


class Recorder:
    """The exchanges of the check that is running now (checks run one at a time)."""

    exchanges: list[Exchange] = []

    @classmethod
    def reset(cls) -> None:
        cls.exchanges = []


def trim(text: str, limit: int = BODY_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[:limit]} ... ({len(text) - limit} more characters)"


def _body_text(content: bytes | None, json_body: Any, data: Any) -> str:
    if json_body is not None:
        return json.dumps(json_body, default=str)
    if data is not None:
        return "&".join(f"{k}={v}" for k, v in dict(data).items()) if hasattr(data, "items") else str(data)
    if content:
        return content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
    return ""


def _has_route(app: Any, method: str, path: str) -> bool:
    """True when some route of the app serves this method and path."""
    routes = getattr(app, "routes", None)
    if routes is None:
        return True  # not a Starlette app: cannot tell, so do not claim it is missing
    scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": [], "query_string": b""}
    return any(route.matches(scope)[0] == Match.FULL for route in routes)


class _RecordErrors:
    """ASGI wrapper that notes an exception escaping the app before TestClient sees it."""

    def __init__(self, app: Any, sink: list[BaseException]) -> None:
        self.app = app
        self.sink = sink

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        except BaseException as exc:
            self.sink.append(exc)
            raise


class CheckClient(TestClient):
    """TestClient plus a record of each exchange for the failure report."""

    __test__ = False

    def __init__(self, app: Any, **kwargs: Any) -> None:
        self._errors: list[BaseException] = []
        self.target_app = app
        super().__init__(_RecordErrors(app, self._errors), **kwargs)

    def request(self, method: str, url: Any, *, route_expected: bool = True, **kwargs: Any) -> Any:  # type: ignore[override]
        path = str(url)
        if params := kwargs.get("params"):
            from urllib.parse import urlencode

            path += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
        exchange = Exchange(
            method=method.upper(),
            path=path,
            request_body=_body_text(kwargs.get("content"), kwargs.get("json"), kwargs.get("data")),
            route_matched=not route_expected or _has_route(self.target_app, method.upper(), str(url).split("?")[0]),
        )
        Recorder.exchanges.append(exchange)
        self._errors.clear()
        try:
            response = super().request(method, url, **kwargs)
        except BaseException as exc:
            exchange.error = exc
            raise
        exchange.status = response.status_code
        exchange.reason = response.reason_phrase
        exchange.response_body = response.text if response.content else ""
        if self._errors:
            exchange.error = self._errors[-1]
        return response
