"""Lesson 05: users, projects and tasks that relate, listed page by page without N+1 queries."""
