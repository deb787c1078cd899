"""The application: run it with `workbook serve 4` and open http://127.0.0.1:8000/docs."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import projects, tasks
from app.db import engine
from app.models import Base
from app.problems import install_problem_handlers


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # At start-up: create the tables that do not exist yet (lesson 06 replaces this with
    # migrations). At shut-down: close the pool's connections.
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(title="Task tracker", version="0.1.0", lifespan=lifespan)
app.include_router(tasks.router)
app.include_router(projects.router)
install_problem_handlers(app)
