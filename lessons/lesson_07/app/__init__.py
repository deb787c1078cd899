"""Lesson 07: users log in - hashed passwords, JWT access and refresh tokens, a login throttle."""
