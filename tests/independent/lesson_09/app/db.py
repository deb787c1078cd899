from sqlalchemy import Boolean, Column, ForeignKey, Integer, MetaData, String, Table, Text, create_engine, true

from app.settings import database_url

meta = MetaData()
users = Table(
    "users", meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("hashed_password", String(200)),
    Column("is_active", Boolean, nullable=False, server_default=true()),
    Column("role", String(10), nullable=False, server_default="member"),
)
projects = Table(
    "projects", meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("owner_id", ForeignKey("users.id")),
)
tasks = Table(
    "tasks", meta,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("status", String(20), nullable=False, server_default="todo", index=True),
    Column("priority", Integer, nullable=False, server_default="3"),
    Column("project_id", ForeignKey("projects.id"), nullable=False),
    Column("assignee_id", ForeignKey("users.id")),
)

_url = database_url()
engine = create_engine(_url, connect_args={"check_same_thread": False} if _url.startswith("sqlite") else {})
