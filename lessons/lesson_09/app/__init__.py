"""Lesson 08: who may do what - roles as dependencies, object-level access, deny by default."""
