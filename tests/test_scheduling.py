"""The xdist scheduler's order (tests/fixtures/scheduling.py)."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.scheduling import LONGEST_FIRST, shared_package, start_rank

ROOT = Path(__file__).resolve().parent.parent


def test_every_file_named_to_start_first_exists() -> None:
    assert [path for path in LONGEST_FIRST if not (ROOT / path).is_file()] == []


def test_the_longest_files_start_first_and_the_rest_keep_their_order() -> None:
    scopes = [
        "tests/a/test_quick.py::test_one",
        "tests/demo/test_demo_full_size.py",
        "tests/b/test_quick.py::test_two",
        "tests/browser/test_every_page.py",
        "tests/core/test_hostile_crawl.py::test_no_page_answers[agent]",
    ]

    assert sorted(scopes, key=start_rank) == [
        "tests/browser/test_every_page.py",
        "tests/demo/test_demo_full_size.py",
        "tests/core/test_hostile_crawl.py::test_no_page_answers[agent]",
        "tests/a/test_quick.py::test_one",
        "tests/b/test_quick.py::test_two",
    ]


def test_a_package_whose_conftest_builds_for_all_its_files_is_one_scope() -> None:
    assert shared_package("tests/demo/shared/test_demo_pulse.py") == "tests/demo/shared/"
    assert shared_package("tests/demo/test_demo_feedback.py") is None
    assert shared_package("tests/pulse/test_surveys.py") is None
