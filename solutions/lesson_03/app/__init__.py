"""Lesson 03: the task tracker API answers every error as an RFC 9457 problem."""
