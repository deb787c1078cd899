from alembic import context
from sqlalchemy import create_engine, pool

from app.db import meta
from app.settings import database_url

engine = create_engine(database_url(), poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=meta, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
