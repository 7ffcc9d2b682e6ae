"""CSV files people download and open in a spreadsheet: no cell is ever run as a formula.

Spreadsheets treat text starting with =, +, -, @ (or a tab or carriage return before one) as
a formula; a team or question named "=HYPERLINK(...)" would run on the reader's machine. Such
text gets a leading single quote, as OWASP recommends. Numbers stay numbers: only text cells
are escaped, so -3 is still -3.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_cell(value: object) -> object:
    """The value as a spreadsheet should see it: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose rows pass every cell through csv_cell."""

    def __init__(self, stream: _Writable) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
