"""The application: `workbook serve 8` migrates the lesson's database, starts it (with
ENVIRONMENT=development unless set), and serves http://127.0.0.1:8000/docs.

The schema is not the app's business: `alembic upgrade head` creates and changes the tables (see
migrations/). Start the app on a database that is migrated to the latest revision.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from app import auth, projects, tasks, users
from app.db import engine
from app.problems import install_problem_handlers


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    engine.dispose()


app = FastAPI(title="Task tracker", version="0.1.0", lifespan=lifespan)

# The public routes - the only ones anyone may call without a token: logging in, refreshing a
# token, registering. (FastAPI's /docs, /redoc and /openapi.json are public too.)
app.include_router(auth.router)
app.include_router(users.registration)

# TODO(deny-by-default): every other router requires a logged-in user for every route it has -
#   including routes added later - so that a route forgotten by its author still answers 401 to
#   an anonymous request.
### BEGIN SOLUTION
authenticated = [Depends(auth.get_current_user)]
app.include_router(tasks.router, dependencies=authenticated)
app.include_router(projects.router, dependencies=authenticated)
app.include_router(users.router, dependencies=authenticated)
### STARTER
# app.include_router(tasks.router)
# app.include_router(projects.router)
# app.include_router(users.router)
### END SOLUTION

install_problem_handlers(app)
