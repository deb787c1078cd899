"""Alembic's migration environment: how `alembic upgrade`, `downgrade`, `revision --autogenerate`
and `check` reach the database.

It runs the migrations on the database the app itself uses - the URL comes from the app's
settings, so DATABASE_URL decides for both - and compares against the app's models, so
autogenerate and `alembic check` see what the models say the schema should be.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from app.config import settings
from app.models import Base

config = context.config

# Logging as alembic.ini describes it - when you run the `alembic` command. Code that runs the
# commands itself (the checks, a test suite) keeps its own logging: it sets configure_logger to
# False in config.attributes. disable_existing_loggers=False leaves the app's loggers working.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

database_url = settings.database_url
target_metadata = Base.metadata


def configure(**options: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most of a table: in batch mode, autogenerate writes
        # `with op.batch_alter_table(...)`, which copies the table into a new one where
        # needed (and is a plain ALTER TABLE on PostgreSQL).
        render_as_batch=True,
        **options,
    )


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: write the SQL out instead of running it."""
    configure(url=database_url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect and run the migrations in a transaction."""
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
