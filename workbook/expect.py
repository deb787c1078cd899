"""Small helpers for writing checks whose failures read well. Each raises AssertionError with a
sentence for the learner; the plugin adds the request and response it saw."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class CheckFailure(AssertionError):
    """A failure that names where to look itself (overrides the check's `where` marker).

    Use it for a check's set-up steps: when creating a task fails, the learner should look at the
    create endpoint, not at the endpoint the check is about."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.where = where


def prerequisite(ok: bool, message: str, where: str) -> None:
    """A set-up step of the check must work before the check can test its own requirement."""
    if not ok:
        raise CheckFailure(f"Before testing this, the check needs: {message}", where=where)


def phrase(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def status(response: Any, expected: int, why: str = "") -> None:
    """The response has status `expected`; `why` says what the requirement is."""
    if response.status_code != expected:
        sentence = f"Expected {phrase(expected)}, got {phrase(response.status_code)}."
        raise AssertionError(f"{sentence} {why}".strip())


def json_body(response: Any, why: str = "") -> Any:
    """The response body parsed as JSON."""
    try:
        return response.json()
    except ValueError:
        raise AssertionError(f"Expected a JSON body, got {response.text[:80]!r}. {why}".strip()) from None


def has_keys(document: Any, keys: set[str], what: str = "the response body") -> None:
    if not isinstance(document, dict):
        raise AssertionError(f"Expected {what} to be a JSON object, got {type(document).__name__}.")
    missing = keys - document.keys()
    if missing:
        raise AssertionError(f"Expected {what} to have {', '.join(sorted(missing))}; it has {', '.join(sorted(document)) or 'nothing'}.")
