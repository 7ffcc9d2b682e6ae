"""A django.tasks backend that hands tasks to Celery, so code enqueues the same way everywhere."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from django.db import transaction
from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.exceptions import InvalidTask
from django.tasks.signals import task_enqueued
from django.utils import timezone


class CeleryBackend(BaseTaskBackend):
    supports_defer = True

    def validate_task(self, task: Task) -> None:
        super().validate_task(task)
        if task.takes_context:
            raise InvalidTask("The Celery backend does not pass a task context.")

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        from careloop.core.celery import run_task

        self.validate_task(task)
        task_result: TaskResult = TaskResult(
            task=task,
            id=str(uuid4()),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            finished_at=None,
            last_attempted_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )

        options: dict[str, Any] = {"task_id": task_result.id, "queue": task.queue_name}
        if task.run_after is not None:
            options["eta"] = task.run_after

        def send() -> None:
            run_task.apply_async(
                args=(task.module_path, task_result.args, task_result.kwargs), **options
            )
            # TaskResult is frozen; Django's own backends set these fields the same way.
            object.__setattr__(task_result, "enqueued_at", timezone.now())
            task_enqueued.send(type(self), task_result=task_result)

        # A worker must never pick up a task before the rows it refers to are committed.
        transaction.on_commit(send)
        return task_result
