"""Lesson 04: the task tracker keeps its tasks and projects in a database (SQLAlchemy 2.x)."""
