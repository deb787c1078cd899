"""Object-level access: which projects - and so which tasks - a user may read and change.

Roles say what a user may do at all (app/auth.py: a viewer never writes); these conditions say on
which objects. They are SQL conditions on Project, so the database filters: a list holds only
what the user may see, and a task of someone else's project is simply not found - 404, the same
answer as for a task that does not exist, so nobody learns that it does.
"""

from sqlalchemy import ColumnElement, false, true

from app.models import Project, User
from app.schemas import Role


# visible_projects(user): the condition on Project that keeps the projects
# `user` may read: every project for an admin or a viewer, the projects they own for a member.
def visible_projects(user: User) -> ColumnElement[bool]:
    if user.role in (Role.admin, Role.viewer):
        return true()
    return Project.owner_id == user.id


# writable_projects(user): the condition on Project that keeps the projects
# `user` may change (and add tasks to): every project for an admin, their own for a member, none
# for a viewer.
def writable_projects(user: User) -> ColumnElement[bool]:
    if user.role is Role.admin:
        return true()
    if user.role is Role.member:
        return Project.owner_id == user.id
    return false()
