from __future__ import annotations

import pytest

from careloop.empathy.heads import Heads, get_heads


@pytest.fixture(scope="session")
def heads() -> Heads:
    """The committed heads, loaded once for the whole run."""
    return get_heads()
