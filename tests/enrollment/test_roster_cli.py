"""``manage.py import_roster``: exit 0 when clean, 1 with the error report's path."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from skillcert.core.models import AuditEvent
from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.roster.columns import SHEET_TITLE
from tests.conftest import Cast
from tests.enrollment.test_roster_support import RosterWorld, build_roster_world, roster_bytes, row


@pytest.fixture
def rw(cast: Cast) -> RosterWorld:
    return build_roster_world(cast)


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Application.objects.count(), AuditEvent.objects.count()


def import_roster(*args: str) -> str:
    out = io.StringIO()
    call_command("import_roster", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_clean_file_is_imported(rw: RosterWorld, tmp_path: Path) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(roster_bytes([row(1), row(2)]))

    output = import_roster(str(rw.batch.pk), str(path))

    assert f"已导入 2 名考生到批次 {rw.batch.code}：新登记人员 2 人" in output
    assert Application.objects.filter(batch=rw.batch).count() == 2
    event = AuditEvent.objects.filter(action="roster.import").get()
    assert event.actor_label == "import_roster"
    assert event.organisation_id == rw.institution.organisation_id


def test_dry_run_writes_nothing(rw: RosterWorld, tmp_path: Path) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(roster_bytes([row(1)]))
    before = counts()
    output = import_roster(str(rw.batch.pk), str(path), "--dry-run")
    assert "校验通过：1 行，无错误。（--dry-run：未写入）" in output
    assert counts() == before


def test_errors_exit_1_with_the_report_next_to_the_file(rw: RosterWorld, tmp_path: Path) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(roster_bytes([row(1), row(2, phone="123")]))
    before = counts()

    with pytest.raises(CommandError) as caught:
        import_roster(str(rw.batch.pk), str(path))

    assert caught.value.returncode == 1
    text = str(caught.value)
    assert text.startswith("名册有 1 处错误（涉及 1 行），没有写入任何数据。错误报告：")
    found = re.search(r"错误报告：(.+)$", text)
    assert found is not None
    report = Path(found.group(1))
    assert report == (tmp_path / "名册_错误报告.xlsx").resolve()
    assert load_workbook(report)[SHEET_TITLE]["E3"].comment is not None
    assert counts() == before


def test_errors_are_listed_and_the_report_goes_where_asked(rw: RosterWorld, tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    path.write_bytes(roster_bytes([row(1, full_name="")]))
    wanted = tmp_path / "out" / "report.xlsx"
    wanted.parent.mkdir()
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_roster", str(rw.batch.pk), str(path), "--report", str(wanted), stdout=out
        )
    assert str(caught.value).endswith(f"错误报告：{wanted.resolve()}")
    assert wanted.exists()
    assert "第 2 行 A 列（姓名）：必须填写姓名。" in out.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "文件是空的（0 字节）。"),
        (b"a,b\n1,2\n", "这不是 Excel .xlsx 文件"),
    ],
)
def test_a_bad_file_exits_1_with_a_message(
    rw: RosterWorld, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=expected) as caught:
        import_roster(str(rw.batch.pk), str(path))
    assert caught.value.returncode == 1


def test_a_missing_batch_or_file(rw: RosterWorld, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="批次 999999 不存在"):
        import_roster("999999", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="无法读取文件"):
        import_roster(str(rw.batch.pk), str(tmp_path / "missing.xlsx"))
