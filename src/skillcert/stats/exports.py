"""The dashboard as an Excel workbook: one sheet per table, the same figures as the page
(formula injection neutralised through ``skillcert.core.excel.fill_sheet``)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook

from skillcert.core.excel import fill_sheet
from skillcert.stats.selectors_dashboard import Dashboard, Row, Tally


def _tally_headers() -> list[str]:
    return [
        _("发证数"),
        _("有效证书"),
        _("已撤销证书"),
        _("学生取证"),
        _("成绩人数"),
        _("合格人数"),
        _("不合格（含缺考）"),
        _("成绩无效"),
        _("合格率（%）"),
    ]


def _tally_cells(t: Tally) -> list[object]:
    return [
        t.certificates,
        t.valid,
        t.revoked,
        t.students,
        t.results,
        t.passed,
        t.failed,
        t.void,
        t.pass_rate,
    ]


def _sheet(
    book: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    fill_sheet(book.create_sheet(title[:31]), headers, rows)


def _rows_sheet(book: Workbook, title: str, first: str, rows: list[Row]) -> None:
    _sheet(
        book, title, [first, *_tally_headers()], ([r.label, *_tally_cells(r.tally)] for r in rows)
    )


def dashboard_workbook(board: Dashboard, *, scope_label: str) -> bytes:
    """The workbook of ``board``; ``scope_label`` names whose figures they are."""
    book = Workbook()
    book.remove(book.active)
    f = board.filters
    _sheet(
        book,
        _("总体"),
        [_("统计范围"), _("年份"), *_tally_headers()],
        [[scope_label, f.year or _("全部"), *_tally_cells(board.totals)]],
    )
    _rows_sheet(book, _("按地市"), _("地市"), board.by_city)
    _rows_sheet(book, _("按职业"), _("职业"), board.by_occupation)
    _rows_sheet(book, _("按等级"), _("等级"), board.by_level)
    _rows_sheet(book, _("按机构类型"), _("机构类型"), board.by_type)
    _rows_sheet(book, _("按月份"), _("月份"), board.by_month)
    _rows_sheet(book, _("职业等级合格率"), _("职业 · 等级"), board.occupation_levels)
    if board.students is not None:
        s = board.students
        _sheet(
            book,
            _("学生取证"),
            [
                _("毕业年份"),
                _("毕业生人数"),
                _("取得证书人数"),
                _("取证率（%）"),
                _("专业数"),
                _("已覆盖专业数"),
                _("专业覆盖率（%）"),
                _("专业覆盖目标（%）"),
                _("累计学生取证（人次）"),
                _("学生取证目标（人次）"),
                _("目标年份"),
                _("目标完成率（%）"),
            ],
            [
                [
                    s.year or _("全部"),
                    s.graduating,
                    s.certified,
                    s.certified_percent,
                    s.majors,
                    s.majors_covered,
                    s.majors_percent,
                    s.major_target_percent,
                    s.cumulative,
                    s.target_count or None,
                    s.target_year,
                    s.target_percent,
                ]
            ],
        )
        _sheet(
            book,
            _("学校取证覆盖"),
            [
                _("学校"),
                _("毕业生人数"),
                _("取得证书人数"),
                _("取证率（%）"),
                _("专业数"),
                _("已覆盖专业数"),
                _("专业覆盖率（%）"),
            ],
            (
                [
                    r["school"],
                    r["graduating"],
                    r["certified"],
                    r["certified_percent"],
                    r["majors"],
                    r["covered"],
                    r["majors_percent"],
                ]
                for r in s.schools
            ),
        )
    if board.institutions is not None:
        _sheet(
            book,
            _("评价机构"),
            [
                _("评价机构"),
                _("地市"),
                _("机构类型"),
                *_tally_headers(),
                _("信用分"),
                _("信用等级"),
            ],
            (
                [
                    i.name,
                    i.city,
                    i.institution_type,
                    *_tally_cells(i.tally),
                    i.credit_score,
                    i.credit_grade,
                ]
                for i in board.institutions
            ),
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
