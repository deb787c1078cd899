from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from app import security
from app.db import engine, users
from app.settings import check_signing_key

BEARER = {"WWW-Authenticate": "Bearer"}


@asynccontextmanager
async def lifespan(app):
    check_signing_key()
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)
bearer = OAuth2PasswordBearer(tokenUrl="token")


@app.exception_handler(RequestValidationError)
async def invalid(request: Request, exc: RequestValidationError):
    return JSONResponse({"detail": [{"loc": e["loc"], "msg": e["msg"]} for e in exc.errors()]}, status_code=422)


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    password: str = Field(min_length=8, max_length=128, repr=False)


class Refresh(BaseModel):
    refresh_token: str


def public(row) -> dict:
    return {"id": row.id, "name": row.name, "email": row.email}


def denied(detail="Could not validate credentials") -> HTTPException:
    return HTTPException(401, detail, headers=BEARER)


def active(conn, user_id):
    row = conn.execute(select(users).where(users.c.id == user_id)).first() if user_id is not None else None
    if row is None or not row.is_active:
        raise denied()
    return row


def caller(token: Annotated[str, Depends(bearer)]):
    with engine.connect() as conn:
        return active(conn, security.subject(token, "access"))


@app.post("/users", status_code=201)
def register(body: Registration):
    with engine.begin() as conn:
        try:
            new_id = conn.execute(insert(users).values(
                name=body.name, email=body.email, hashed_password=security.pwd_context.hash(body.password),
            )).inserted_primary_key[0]
        except IntegrityError:
            raise HTTPException(409, "email taken") from None
    return {"id": new_id, "name": body.name, "email": body.email}


@app.get("/users/me")
def whoami(user=Depends(caller)):
    return public(user)


@app.post("/token")
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    who = form.username.lower()
    wait = security.attempts.wait(who)
    if wait:
        raise HTTPException(429, "too many attempts", headers={"Retry-After": str(wait)})
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.email == form.username)).first()
        if row is None or not row.hashed_password:
            security.pwd_context.dummy_verify()
            ok, upgraded = False, None
        else:
            ok, upgraded = security.pwd_context.verify_and_update(form.password, row.hashed_password)
        if not ok or not row.is_active:
            security.attempts.fail(who)
            raise denied("Incorrect username or password")
        if upgraded:
            conn.execute(update(users).where(users.c.id == row.id).values(hashed_password=upgraded))
    security.attempts.clear(who)
    return {
        "access_token": security.issue(row.id, "access", 600),
        "refresh_token": security.issue(row.id, "refresh", 86400),
        "token_type": "bearer",
    }


@app.post("/token/refresh")
def refresh(body: Refresh):
    with engine.connect() as conn:
        user = active(conn, security.subject(body.refresh_token, "refresh"))
    return {"access_token": security.issue(user.id, "access", 600), "token_type": "bearer"}
