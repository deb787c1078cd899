from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from app.failures import Failure, log, respond
from app.routes import router
from app.tables import engine


@asynccontextmanager
async def lifespan(app):
    yield  # the schema is Alembic's business
    engine.dispose()


app = FastAPI(lifespan=lifespan)
app.include_router(router)


@app.exception_handler(Failure)
async def on_failure(request: Request, exc: Failure):
    return respond(request, exc.status, exc.message, exc.slug)


@app.exception_handler(IntegrityError)
async def on_integrity(request: Request, exc: IntegrityError):
    log.warning("integrity error on %s", request.url.path)
    return respond(request, 409, "conflicting data", "conflict")


@app.exception_handler(HTTPException)
async def on_http(request: Request, exc: HTTPException):
    return respond(request, exc.status_code, str(exc.detail), headers=exc.headers)


@app.exception_handler(RequestValidationError)
async def on_invalid(request: Request, exc: RequestValidationError):
    problems = [{"loc": list(e["loc"]), "detail": e["msg"]} for e in exc.errors()]
    return respond(request, 422, "invalid request", "validation-error", errors=problems)


def on_crash(request: Request, exc: Exception):
    log.error("crash in %s", request.url.path, exc_info=exc)
    return respond(request, 500, "internal error")


app.add_exception_handler(Exception, on_crash)
