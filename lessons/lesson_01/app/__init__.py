"""Lesson 01: a task tracker API kept in memory."""
