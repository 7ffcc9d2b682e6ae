"""The shape of careloop's imports (issue #21), where import-linter's contracts cannot say it.

`lint-imports` (pyproject's [tool.importlinter]) keeps core at the bottom, the edge apps on top
and views behind URL configurations; these tests add that there is no cycle between top-level
packages however long the chain, and that views are imported only within their own app.
"""

from __future__ import annotations

import itertools
from functools import cache

import grimp

# Pairs of top-level packages allowed to import each other, each with the reason. None now.
ALLOWED_CYCLES: dict[frozenset[str], str] = {}


@cache
def import_graph() -> grimp.ImportGraph:
    return grimp.build_graph("careloop", cache_dir=None)


def top_level_packages() -> list[str]:
    return sorted(import_graph().find_children("careloop"))


def app_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def is_views(module: str) -> bool:
    """A views module or package, or a module inside one (`views`, `inbox_views`, `views.x`)."""
    return any(part == "views" or part.endswith("_views") for part in module.split(".")[2:])


def is_url_configuration(module: str) -> bool:
    """A URL configuration (`urls`, `key_urls`), or a module inside such a package."""
    return any(part == "urls" or part.endswith("_urls") for part in module.split(".")[2:])


def test_no_two_top_level_packages_import_each_other() -> None:
    graph = import_graph()
    cycles = []
    for first, second in itertools.combinations(top_level_packages(), 2):
        if frozenset((first, second)) in ALLOWED_CYCLES:
            continue
        there = graph.find_shortest_chain(importer=first, imported=second, as_packages=True)
        back = graph.find_shortest_chain(importer=second, imported=first, as_packages=True)
        if there and back:
            cycles.append(f"{' -> '.join(there)}  and back:  {' -> '.join(back)}")
    assert cycles == []


def test_allowed_cycles_are_still_cycles() -> None:
    """An exception that is no longer needed is taken off the list."""
    graph = import_graph()
    for pair in ALLOWED_CYCLES:
        first, second = sorted(pair)
        assert graph.chain_exists(importer=first, imported=second, as_packages=True)
        assert graph.chain_exists(importer=second, imported=first, as_packages=True)


def test_views_are_imported_only_by_their_own_apps_urls_and_views() -> None:
    graph = import_graph()
    views = sorted(module for module in graph.modules if is_views(module))
    assert "careloop.core.views" in views
    wrong = []
    for module in views:
        for importer in sorted(graph.find_modules_that_directly_import(module)):
            if importer == "careloop.urls":
                continue
            own_app = app_of(importer) == app_of(module)
            if not (own_app and (is_views(importer) or is_url_configuration(importer))):
                wrong.append(f"{importer} -> {module}")
    assert wrong == []
