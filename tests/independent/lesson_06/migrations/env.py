"""Independent env.py: the URL and the metadata come from app.tables; no logging set-up at all."""

from alembic import context

from app.tables import engine, meta

target_metadata = meta

if context.is_offline_mode():
    context.configure(url=str(engine.url), target_metadata=meta, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=meta, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
