"""Lesson 06: the task tracker's schema is changed by Alembic migrations, and only by them."""
