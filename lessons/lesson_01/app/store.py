"""An in-memory store for tasks. Lesson 04 replaces it with a database."""

from itertools import count
from threading import Lock

from app.schemas import Task, TaskIn, TaskStatus


class TaskStore:
    def __init__(self) -> None:
        self._tasks: dict[int, Task] = {}
        self._ids = count(1)
        self._lock = Lock()  # sync endpoints run in a thread pool

    def list(self, *, status: TaskStatus | None = None, limit: int) -> list[Task]:
        """Tasks in the order they were created, optionally only those with `status`."""
        tasks = (t for t in self._tasks.values() if status is None or t.status == status)
        return [task for task, _ in zip(tasks, range(limit))]

    def get(self, task_id: int) -> Task | None:
        return self._tasks.get(task_id)

    def add(self, data: TaskIn) -> Task:
        with self._lock:
            task = Task(id=next(self._ids), **data.model_dump())
            self._tasks[task.id] = task
        return task

    def replace(self, task_id: int, data: TaskIn) -> Task | None:
        """Replace every field of an existing task; None when there is no such task."""
        with self._lock:
            if task_id not in self._tasks:
                return None
            task = Task(id=task_id, **data.model_dump())
            self._tasks[task_id] = task
        return task

    def delete(self, task_id: int) -> bool:
        """True when a task was deleted, False when there was none."""
        with self._lock:
            return self._tasks.pop(task_id, None) is not None
