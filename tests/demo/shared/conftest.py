"""One demo organisation for every module here: they only read it (each test in a savepoint),
and one build replaces one per module. The scheduler keeps this package on one worker."""

from __future__ import annotations

from tests.demo.shared import CONVERSATIONS
from tests.fixtures.demo import shared_demo

demo = shared_demo(conversations=CONVERSATIONS, scope="package")
