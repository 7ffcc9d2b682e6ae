"""Search over everything on a large database: seeds N conversations (as bench/inbox.py does),
then prints p50/p95/max for the search page's queries and the whole rendered page.

    python bench/search.py --conversations 100000                 # SQLite file under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careloop \\
        python bench/search.py --conversations 1000000            # database careloop_search_bench

On PostgreSQL the script creates (and replaces) the database `careloop_search_bench`; it never
touches the one DATABASE_URL names. A JSON result lands in bench/results/.
"""

from __future__ import annotations

import json
import os
import random
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import inbox  # bench/inbox.py: the seeding, the database set-up and the timer

SEARCHES = {
    "common word": "delivery",
    "two-word phrase": "damaged zip",
    "rare word": inbox.RARE_WORD,
    "no match": "xylophone",
}


def measurements(runs: int, max_seconds: float) -> dict[str, dict[str, float]]:
    from django.test import Client
    from django.urls import reverse

    from careloop.conversations import selectors
    from careloop.conversations.models import Conversation
    from careloop.people.models import User
    from careloop.playbook import selectors as playbook

    agent = User.objects.filter(email="agent0@bench.example").get()
    client = Client()
    client.force_login(agent)
    url = reverse("search:search")
    everything = selectors.ConversationFilters()
    closed = selectors.ConversationFilters(statuses=("closed",), team_id=agent.team_id)
    results: dict[str, dict[str, float]] = {}

    def first_page(query: str, filters: selectors.ConversationFilters) -> Callable[[], object]:
        def evaluate() -> object:
            ids, _ = selectors.best_matches(selectors.conversations_for(agent, filters), query)
            hits = selectors.conversation_hits(ids[:20], query)
            return (
                hits,
                selectors.customers_found(agent, query),
                playbook.articles_with_words(agent, query),
            )

        return evaluate

    def rendered(params: dict[str, Any]) -> Callable[[], object]:
        def render() -> object:
            response = client.get(url, params)
            assert response.status_code in (200, 302), response.status_code
            return response

        return render

    for label, query in SEARCHES.items():
        results[f"{label} '{query}' (selectors, first page)"] = measure(
            first_page(query, everything), runs, max_seconds
        )
        results[f"{label} '{query}' (rendered)"] = measure(
            rendered({"q": query}), runs, max_seconds
        )
    results["common word, closed in my team (rendered)"] = measure(
        rendered({"q": SEARCHES["common word"], "status": "closed", "team": agent.team_id}),
        runs,
        max_seconds,
    )
    results["common word, closed in my team (selectors)"] = measure(
        first_page(SEARCHES["common word"], closed), runs, max_seconds
    )
    middle = Conversation.objects.order_by("pk").values_list("pk", flat=True)[
        Conversation.objects.count() // 2
    ]
    results["'#<id>' (rendered, redirect)"] = measure(
        rendered({"q": f"#{middle}"}), runs, max_seconds
    )
    return results


def measure(action: Callable[[], object], runs: int, max_seconds: float) -> dict[str, float]:
    return inbox.measure(action, runs, max_seconds)


def explain() -> dict[str, str]:
    """PostgreSQL's plans for the window query of each search: which index each one walks.
    (SQLite's window comes from FTS5 newest first, then one filtered query: no choice there.)"""
    from django.db import connection

    from careloop.conversations import search_index, selectors
    from careloop.people.models import User

    if connection.vendor != "postgresql":
        return {}
    agent = User.objects.filter(email="agent0@bench.example").get()
    everything = selectors.conversations_for(agent, selectors.ConversationFilters())
    newest_first = everything.order_by("-pk").values_list("pk", "updated_at")
    return {
        label: newest_first.filter(search_index.matching(query))[
            : selectors.RESULT_WINDOW + 1
        ].explain(analyze=True, buffers=True)
        for label, query in SEARCHES.items()
    }


def main(argv: Sequence[str] | None = None) -> None:
    # Its own database and files, so it never races bench/inbox.py for careloop_bench.
    inbox.BENCH_DATABASE = "careloop_search_bench"
    inbox.BENCH_TMP = inbox.BENCH_TMP / "search"
    arguments = inbox.parse_arguments(argv)
    maintenance = inbox.maintenance_url()
    inbox.set_up_django(inbox.prepare_database_url(arguments.conversations, arguments.reuse))
    from django.db import connection

    from careloop.conversations.models import Conversation

    vendor = connection.vendor
    seeding: dict[str, float] = {}
    if Conversation.objects.count() != arguments.conversations:
        if Conversation.objects.exists():
            sys.exit("The bench database holds another size; run without --reuse.")
        print(f"Seeding {arguments.conversations:,} conversations on {vendor}…", flush=True)
        rng = random.Random(arguments.seed)  # noqa: S311 - made-up data, not secrets
        seeding = inbox.seed(arguments.conversations, rng)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE conversations_conversation")
    load_before = os.getloadavg()
    results = measurements(arguments.runs, arguments.max_seconds)
    plans = explain()

    inbox.print_figures(results, plans, arguments.conversations, vendor)

    inbox.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC)
    result_file = (
        inbox.RESULTS_DIR / f"{stamp:%Y-%m-%d}-search-{vendor}-{arguments.conversations}.json"
    )
    result_file.write_text(
        json.dumps(
            {
                "date": stamp.isoformat(timespec="seconds"),
                "vendor": vendor,
                "conversations": arguments.conversations,
                "load_average_before_after": [load_before, os.getloadavg()],
                "cpus": os.cpu_count(),
                "seeding_seconds": {
                    k: round(v, 1) for k, v in seeding.items() if k != "message_count"
                }
                or None,
                "results": results,
                "explain": plans,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nWrote {result_file.relative_to(inbox.BENCH_DIR.parent)}")
    if arguments.drop and maintenance is not None:
        connection.close()
        inbox.drop_bench_database(maintenance)


if __name__ == "__main__":
    main()
