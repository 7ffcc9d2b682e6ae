from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Cached retention figures must never leak from one test's data into another's."""
    cache.clear()
    yield
    cache.clear()
