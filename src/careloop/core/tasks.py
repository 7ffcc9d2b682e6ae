from django.tasks import task

from careloop.core.privacy import purge_expired_data


@task()
def purge_expired_data_task() -> dict[str, int]:
    """Nightly: remove data past its retention period (see core.privacy)."""
    return purge_expired_data()
