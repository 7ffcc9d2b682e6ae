"""The Celery application that runs careloop's tasks when a broker is configured.

Tasks are written once with Django's `django.tasks.task`; `CeleryBackend` ships them here by
import path and `run_task` calls them in the worker process.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careloop.settings.base")

app = Celery("careloop")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="careloop.run_task")
def run_task(task_path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run the Django task at `task_path` with the arguments it was enqueued with."""
    from django.tasks import Task

    from careloop.core.calendar import organisation_time

    task = import_string(task_path)
    if not isinstance(task, Task):
        raise TypeError(f"{task_path} is not a django.tasks Task")
    # A task's dates and rendered emails mean the organisation's zone, as a web request's do.
    with organisation_time():
        return task.call(*args, **kwargs)
