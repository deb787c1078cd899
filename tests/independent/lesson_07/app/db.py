from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, create_engine, true

from app.settings import database_url

meta = MetaData()
users = Table(
    "users", meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("hashed_password", String(200)),
    Column("is_active", Boolean, nullable=False, server_default=true()),
)

_url = database_url()
engine = create_engine(_url, connect_args={"check_same_thread": False} if _url.startswith("sqlite") else {})
