"""The task tracker's domain errors.

They say what went wrong in the domain's own words and know nothing about HTTP: app/problems.py
decides which answer each one becomes. Code that finds a problem raises one of these.
"""


class TaskError(Exception):
    """Base class of the errors the task domain raises on purpose."""


class TaskNotFound(TaskError):
    def __init__(self, task_id: int) -> None:
        super().__init__(f"There is no task {task_id}.")
        self.task_id = task_id


class TitleTaken(TaskError):
    """Two open tasks (status other than done) may not have the same title."""

    def __init__(self, title: str) -> None:
        super().__init__(f"An open task already has the title {title!r}.")
        self.title = title


class ProjectNotFound(TaskError):
    def __init__(self, project_id: int) -> None:
        super().__init__(f"There is no project {project_id}.")
        self.project_id = project_id


class ProjectNameTaken(TaskError):
    """No two projects may have the same name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"A project named {name!r} already exists.")
        self.name = name


class UserNotFound(TaskError):
    def __init__(self, user_id: int) -> None:
        super().__init__(f"There is no user {user_id}.")
        self.user_id = user_id


class EmailTaken(TaskError):
    """No two users may have the same email address."""

    def __init__(self, email: str) -> None:
        super().__init__(f"A user with the email {email!r} already exists.")
        self.email = email


class UnknownReference(TaskError):
    """A request names a project or a user that does not exist: invalid input, not a missing page."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


# --------------------------------------------------------------------------- authentication


class AuthError(Exception):
    """Base class of the errors of logging in and of tokens. Their messages are fixed: they never
    say which part of a login or a token was wrong."""


class InvalidCredentials(AuthError):
    """A login failed - whether the account does not exist, the password is wrong or the account
    is disabled: the answer is the same, so that nobody learns which accounts exist."""

    def __init__(self) -> None:
        super().__init__("Incorrect email or password.")


class InvalidToken(AuthError):
    """A request's token is missing, malformed, forged, expired, of the wrong type, or names a
    user who no longer exists or is disabled."""

    def __init__(self) -> None:
        super().__init__("The access token is missing, invalid or expired.")


class TooManyLoginAttempts(AuthError):
    """Too many failed logins for one username lately: try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed logins for this account. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


class Forbidden(AuthError):
    """The caller is known, but their role does not allow this."""

    def __init__(self) -> None:
        super().__init__("Your role does not allow this.")
