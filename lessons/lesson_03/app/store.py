"""An in-memory store for tasks. Lesson 04 replaces it with a database."""

from itertools import count
from threading import Lock

from app.errors import TitleTaken
from app.schemas import TaskCreate, TaskRecord, TaskStatus


class TaskStore:
    def __init__(self) -> None:
        self._tasks: dict[int, TaskRecord] = {}
        self._ids = count(1)
        self._lock = Lock()  # sync endpoints run in a thread pool

    def list(self, *, status: TaskStatus | None = None, limit: int) -> list[TaskRecord]:
        """Tasks in the order they were created, optionally only those with `status`."""
        tasks = (t for t in self._tasks.values() if status is None or t.status == status)
        return [task for task, _ in zip(tasks, range(limit))]

    def get(self, task_id: int) -> TaskRecord | None:
        return self._tasks.get(task_id)

    def add(self, data: TaskCreate, *, created_by_ip: str | None) -> TaskRecord:
        with self._lock:
            self._check_title_is_free(data)
            task = TaskRecord(id=next(self._ids), created_by_ip=created_by_ip, **data.model_dump())
            self._tasks[task.id] = task
        return task

    def replace(self, task_id: int, data: TaskCreate) -> TaskRecord | None:
        """Replace every field of an existing task; None when there is no such task."""
        with self._lock:
            old = self._tasks.get(task_id)
            if old is None:
                return None
            self._check_title_is_free(data, task_id=task_id)
            task = TaskRecord(id=task_id, created_by_ip=old.created_by_ip, **data.model_dump())
            self._tasks[task_id] = task
        return task

    def delete(self, task_id: int) -> bool:
        """True when a task was deleted, False when there was none."""
        with self._lock:
            return self._tasks.pop(task_id, None) is not None

    def _check_title_is_free(self, data: TaskCreate, *, task_id: int | None = None) -> None:
        """Raise TitleTaken when `data` would be a second open task with the same title.

        Open means any status but done; `task_id` is the task being replaced, which does not count.
        Called with the lock held, so no other thread can take the title in between.
        """
        # TODO(unique): two open tasks may not share a title: raise TitleTaken(data.title) when
        #   `data` is open and another open task (not the one with `task_id`) has exactly its title.
