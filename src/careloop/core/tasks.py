from typing import Any

from django.tasks import task

from careloop.core.events import dispatch
from careloop.core.privacy import purge_expired_data


@task()
def purge_expired_data_task() -> dict[str, int]:
    """Nightly: remove data past its retention period (see core.privacy)."""
    return purge_expired_data()


@task()
def dispatch_event(envelope: dict[str, Any]) -> int:
    """Tell an event's subscribers (see core.events); each runs on its own."""
    return dispatch(envelope)
