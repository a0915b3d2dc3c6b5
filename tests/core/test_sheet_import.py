"""The cell readers of the all-or-nothing Excel imports (core.sheet_import)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from skillcert.core.choices import IdType, SkillLevel
from skillcert.core.sheet_import import (
    SheetInvalid,
    SheetRow,
    cell_choice,
    cell_date,
    cell_int,
    cell_text,
    row_identity,
    validate_rows,
)
from tests.factories import resident_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 3, 1), date(2025, 3, 1)),
        (datetime(2025, 3, 1, 0, 0), date(2025, 3, 1)),  # noqa: DTZ001 (a cell has no zone)
        ("2025-03-01", date(2025, 3, 1)),
        ("2025/3/1", date(2025, 3, 1)),
        (" 2025.3.1 ", date(2025, 3, 1)),
        ("2025-02-30", None),
        ("三月一日", None),
        ("", None),
        (45717.0, None),  # a date typed as a plain number is not guessed
    ],
)
def test_cell_date(value: object, expected: date | None) -> None:
    assert cell_date(value) == expected


def test_cell_numbers_and_text() -> None:
    assert (cell_int(40.0), cell_int("16"), cell_int(7), cell_int(40.5), cell_int("四十")) == (
        40,
        16,
        7,
        None,
        None,
    )
    assert cell_int(True) is None
    assert (cell_text(2023.0), cell_text(None), cell_text(" 车工 ")) == ("2023", "", "车工")


def test_choices_by_label_or_code() -> None:
    assert cell_choice("居民身份证", IdType) == IdType.RESIDENT
    assert cell_choice("resident", IdType) == IdType.RESIDENT
    assert cell_choice("5", SkillLevel) == SkillLevel.FIVE
    assert cell_choice("学生证", IdType) is None


def test_the_identity_of_a_row() -> None:
    number = resident_id(serial=77)
    good = SheetRow(2, {"证件类型": "居民身份证", "证件号码": number.lower()})
    assert row_identity(good) == (IdType.RESIDENT, number)
    as_number = SheetRow(3, {"证件类型": "居民身份证", "证件号码": 1.1e17})
    assert row_identity(as_number) is None
    assert [e.column for e in as_number.errors] == ["证件号码"]
    unknown = SheetRow(4, {"证件类型": "学生证", "证件号码": number})
    assert row_identity(unknown) is None
    assert [e.column for e in unknown.errors] == ["证件类型"]


def test_duplicates_name_the_first_row() -> None:
    rows = [SheetRow(n, {"v": v}) for n, v in ((2, "a"), (3, "b"), (5, "a"))]
    with pytest.raises(SheetInvalid) as info:
        validate_rows(
            rows,
            lambda row: row.text("v"),
            key=lambda value: value,
            duplicate_column="v",
            duplicate_message="与第%(row)d行重复。",
        )
    assert [(e.row, e.column, e.message) for e in info.value.errors] == [(5, "v", "与第2行重复。")]
    with pytest.raises(SheetInvalid) as empty:
        validate_rows([], lambda row: row, key=id, duplicate_column="", duplicate_message="")
    assert [e.row for e in empty.value.errors] == [2]
