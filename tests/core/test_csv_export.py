"""No CSV careloop hands out lets a spreadsheet run a cell as a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from careloop.core import csv_export
from careloop.core.csv_export import SafeCsvWriter, csv_cell
from careloop.core.permissions import Role
from tests.people.factories import TEST_PASSWORD, TeamFactory, UserFactory


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_would_start_a_formula_gets_a_leading_quote(text: str) -> None:
    assert csv_cell(text) == "'" + text


def test_numbers_and_plain_text_stay_as_they_are() -> None:
    assert [csv_cell(v) for v in (-3, -2.5, Decimal("-1.5"), "Harbour", "")] == [
        -3,
        -2.5,
        Decimal("-1.5"),
        "Harbour",
        "",
    ]
    out = io.StringIO()
    SafeCsvWriter(out).writerow(["=1+1", -4])
    assert out.getvalue() == "'=1+1,-4\r\n"


def test_every_csv_careloop_writes_goes_through_the_safe_writer() -> None:
    source = Path(csv_export.__file__).parents[1]
    direct = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "csv.writer(" in path.read_text() and path.name != "csv_export.py"
    ]
    assert direct == []


@pytest.mark.django_db
def test_insights_export_quotes_a_team_name_that_starts_a_formula(client: Client) -> None:
    # A lead's export holds their own team's rows (culture figures reach no further).
    lead = UserFactory(role=Role.TEAM_LEAD, team=TeamFactory(name='=HYPERLINK("http://evil")'))
    client.login(email=lead.email, password=TEST_PASSWORD)

    response = client.get(reverse("insights:export"), {"period": "30"})

    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert not any(cell.startswith("=") for cell in cells)
