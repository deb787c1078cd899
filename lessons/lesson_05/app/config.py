"""Settings, read from the environment by pydantic-settings.

`DATABASE_URL` names the database. Without it the app uses a SQLite file in the folder you start it
from (`tasks.db`), for your own experiments; the checks always set DATABASE_URL to a fresh
database of their own, so they never touch that file.
"""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    # Read from the environment variable DATABASE_URL (names are matched case-insensitively).
    database_url: str = "sqlite:///./tasks.db"


settings = Settings()
