"""The full-text index over conversations' search text, one per database.

PostgreSQL keeps a stored, generated `tsvector` column (`search_document`) with a GIN index;
SQLite keeps an FTS5 table over the same text, synchronised by triggers. Both are created by
migration 0011 and are invisible to the ORM: queries reach them through the helpers here.
Migration 0016 adds, on PostgreSQL, a second GIN index over the same column for the inbox's
conversations only (`conv_inbox_search`, partial: unfinished and not merged away), which the
inbox's own search uses. Internal notes never enter `search_text` (see
services.add_internal_note), so no index holds them.

Every statement here is assembled only from this module's constants; what people type is
always a bound parameter (hence the file-wide S608/S611 exemption below).
"""

# ruff: noqa: S608, S611

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from careloop.core.highlight import MATCH_START, MATCH_STOP, search_words
from careloop.core.replica import reading_connection

if TYPE_CHECKING:
    from careloop.conversations.models import Conversation

TABLE = "conversations_conversation"
FTS_TABLE = "conversations_conversation_fts"
CONFIG = "simple"
SNIPPET_WORDS = 24

POSTGRES_INSTALL = (
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search_document tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('{CONFIG}'::regconfig, search_text)) STORED",
    f"CREATE INDEX IF NOT EXISTS conv_search_document ON {TABLE} USING gin (search_document)",
)
POSTGRES_UNINSTALL = (
    "DROP INDEX IF EXISTS conv_search_document",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_document",
)
# External content: FTS5 stores only the index and reads the text from the conversation row.
SQLITE_INSTALL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    f"search_text, content='{TABLE}', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    f"VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE OF search_text ON {TABLE} "
    f"BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    f"VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
)
SQLITE_TRIGGERS = (f"{FTS_TABLE}_insert", f"{FTS_TABLE}_delete", f"{FTS_TABLE}_update")
SQLITE_UNINSTALL = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def install(database: BaseDatabaseWrapper) -> None:
    """Create the index for this database (idempotent), filling it from existing rows.

    Also run after every migration on SQLite: rebuilding a table there (as Django does for
    many schema changes) drops its triggers, and this puts them back.
    """
    with database.cursor() as cursor:
        if database.vendor == "postgresql":
            for statement in POSTGRES_INSTALL:
                cursor.execute(statement)
        elif database.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master "
                "WHERE type = 'trigger' AND name IN (%s, %s, %s)",
                list(SQLITE_TRIGGERS),
            )
            complete = cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
            if not complete:
                for statement in SQLITE_INSTALL:
                    cursor.execute(statement)
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def uninstall(database: BaseDatabaseWrapper) -> None:
    statements = {"postgresql": POSTGRES_UNINSTALL, "sqlite": SQLITE_UNINSTALL}
    with database.cursor() as cursor:
        for statement in statements.get(database.vendor, ()):
            cursor.execute(statement)


def _fts_query(query: str) -> str:
    # Every word quoted: FTS5's own syntax (AND, NEAR, column filters, *) is never read from
    # what someone typed.
    return " ".join(f'"{word}"' for word in search_words(query))


def has_words(query: str) -> bool:
    return bool(search_words(query))


def matching(query: str) -> Q:
    """A filter for the conversations whose search text holds every word of `query`."""
    if reading_connection().vendor == "postgresql":
        return Q(
            RawSQL(
                f"{TABLE}.search_document @@ websearch_to_tsquery('{CONFIG}', %s)",
                [query],
                output_field=BooleanField(),
            )
        )
    return Q(
        pk__in=RawSQL(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [_fts_query(query)]
        )
    )


# SQLite reads this many of the newest matches from FTS5 first (which stops early, newest
# first), then eight times as many, and so on, until filters leave a window's worth.
FIRST_CANDIDATES = 1_000
CANDIDATE_GROWTH = 8


def newest_matches(
    conversations: QuerySet[Conversation], query: str, limit: int
) -> list[tuple[int, datetime.datetime]]:
    """(id, updated_at) of the newest `limit` conversations that match `query`, newest first.

    A common word never costs a sort of all its matches: PostgreSQL's planner walks the
    primary key backwards and checks each row's stored tsvector (statistics on
    search_document tell it when a word is common); on SQLite the FTS5 index lists matches
    newest first and stops, and the filters run on those candidates.
    """
    newest_first = conversations.order_by("-pk").values_list("pk", "updated_at")
    connection = reading_connection()
    if connection.vendor == "postgresql":
        return list(newest_first.filter(matching(query))[:limit])
    fts_query = _fts_query(query)
    candidates = FIRST_CANDIDATES
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"ORDER BY rowid DESC LIMIT %s",
                [fts_query, candidates],
            )
            listed = [row[0] for row in cursor.fetchall()]
        if not listed:
            return []
        oldest = listed[-1]
        found = list(
            newest_first.filter(
                pk__gte=oldest,
                pk__in=RawSQL(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid >= %s",
                    [fts_query, oldest],
                ),
            )[:limit]
        )
        if len(found) >= limit or len(listed) < candidates:
            return found
        candidates *= CANDIDATE_GROWTH


def _in_list(ids: Sequence[int]) -> str:
    return ", ".join("%s" for _ in ids)


def _among(ids: Sequence[int]) -> tuple[str, list[int]]:
    # FTS5 narrows its walk by rowid bounds (not by IN), so the bounds keep it to the window.
    return (
        f"rowid BETWEEN %s AND %s AND rowid IN ({_in_list(ids)})",
        [min(ids), max(ids), *ids],
    )


def relevance(ids: Sequence[int], query: str) -> dict[int, float]:
    """How well each conversation matches `query`; higher is better, 0 when unknown."""
    if not ids or not has_words(query):
        return {}
    connection = reading_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id, ts_rank(search_document, websearch_to_tsquery('{CONFIG}', %s)) "
                f"FROM {TABLE} WHERE id = ANY(%s)",
                [query, list(ids)],
            )
        else:
            # Not bm25(): it reads every match of each word to weigh it (a common word's
            # whole list), where only the window's rows need scoring.
            cursor.execute(
                f"SELECT id, subject, search_text FROM {TABLE} WHERE id IN ({_in_list(ids)})",
                list(ids),
            )
            return {
                pk: _word_score(search_words(query), subject, text)
                for pk, subject, text in cursor.fetchall()
            }
        return {pk: float(score) for pk, score in cursor.fetchall()}


def _word_score(words: Sequence[str], subject: str, text: str) -> float:
    """SQLite's relevance: each word counts by how often it occurs (with diminishing returns),
    more in the subject, less in a long text."""
    in_text = Counter(search_words(text))
    in_subject = set(search_words(subject))
    score = sum(math.log1p(in_text[word]) + (word in in_subject) for word in set(words))
    return score / (1 + math.log1p(sum(in_text.values()) / 100))


def snippets(ids: Sequence[int], query: str) -> dict[int, str]:
    """The passage of each conversation's text that matched, words wrapped in match marks
    (core.highlight.MATCH_START/STOP); turn them into HTML with `marked_html`."""
    if not ids or not has_words(query):
        return {}
    connection = reading_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            options = (
                f'StartSel="{MATCH_START}", StopSel="{MATCH_STOP}", MaxWords={SNIPPET_WORDS}, '
                f'MinWords={SNIPPET_WORDS // 2}, MaxFragments=2, FragmentDelimiter=" … "'
            )
            cursor.execute(
                f"SELECT id, ts_headline('{CONFIG}', search_text, "
                f"websearch_to_tsquery('{CONFIG}', %s), %s) FROM {TABLE} WHERE id = ANY(%s)",
                [query, options, list(ids)],
            )
        else:
            among, ids_params = _among(ids)
            cursor.execute(
                f"SELECT rowid, snippet({FTS_TABLE}, 0, %s, %s, '…', {SNIPPET_WORDS}) "
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND {among}",
                [MATCH_START, MATCH_STOP, _fts_query(query), *ids_params],
            )
        return dict(cursor.fetchall())
