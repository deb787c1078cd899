"""Lesson 02: the task tracker API validates what it accepts and filters what it answers."""
