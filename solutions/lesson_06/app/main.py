"""The application: run it with `workbook serve 6` and open http://127.0.0.1:8000/docs.

The schema is not the app's business any more: `alembic upgrade head` creates and changes the
tables (see migrations/). Start the app on a database that is migrated to the latest revision.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import projects, tasks, users
from app.db import engine
from app.problems import install_problem_handlers


# TODO(lifespan): the app no longer creates tables: migrations are the only way the schema
#   changes. At start-up the lifespan does nothing to the database; at shut-down it closes the
#   pool's connections.
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    ### BEGIN SOLUTION
    yield
    engine.dispose()
    ### STARTER
    # from app.models import Base
    #
    # Base.metadata.create_all(engine)
    # yield
    # engine.dispose()
    ### END SOLUTION


app = FastAPI(title="Task tracker", version="0.1.0", lifespan=lifespan)
app.include_router(tasks.router)
app.include_router(projects.router)
app.include_router(users.router)
install_problem_handlers(app)
