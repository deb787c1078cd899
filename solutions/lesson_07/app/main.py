"""The application: `workbook serve 7` migrates the lesson's database, starts it (with
ENVIRONMENT=development unless set), and serves http://127.0.0.1:8000/docs.

The schema is not the app's business: `alembic upgrade head` creates and changes the tables (see
migrations/). Start the app on a database that is migrated to the latest revision.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import auth, projects, tasks, users
from app.db import engine
from app.problems import install_problem_handlers


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    engine.dispose()


app = FastAPI(title="Task tracker", version="0.1.0", lifespan=lifespan)
app.include_router(auth.router)
app.include_router(tasks.router)
app.include_router(projects.router)
app.include_router(users.router)
install_problem_handlers(app)
