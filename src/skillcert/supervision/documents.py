"""Printed supervision documents: the 考场记录表 of a session's external supervision."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from skillcert.batches.models import Session
from skillcert.core import pdf
from skillcert.supervision.models import SupervisionNote


def notes_pdf(session: Session, notes: list[SupervisionNote]) -> bytes:
    batch = session.batch
    styles = pdf.styles()
    start = timezone.localtime(session.starts_at)
    facts = [
        [_("评价机构"), pdf.para(batch.institution.organisation.name, styles.cell)],
        [_("认定批次"), pdf.para(f"{batch.code} {batch.title}", styles.cell)],
        [_("考核科目"), session.get_component_display()],
        [_("考场"), pdf.para(session.room.name, styles.cell)],
        [_("时间"), f"{start:%Y-%m-%d %H:%M}（{session.duration_minutes}分钟）"],
    ]
    rows: list[list[object]] = [[_("时间"), _("类型"), _("记录内容"), _("记录人")]]
    for note in notes:
        rows.append(
            [
                f"{timezone.localtime(note.at):%m-%d %H:%M}",
                note.get_kind_display(),
                pdf.para(note.text, styles.cell),
                pdf.para(note.author_label, styles.cell),
            ]
        )
    if not notes:
        rows.append(["", "", pdf.para(_("暂无督导记录。"), styles.cell), ""])
    width = pdf.CONTENT_WIDTH
    story = [
        pdf.para(_("考场记录表（质量督导）"), styles.title),
        pdf.grid_table(facts, col_widths=[30 * mm, width - 30 * mm], header_rows=0),
        pdf.para(_("督导记录"), styles.heading),
        pdf.grid_table(rows, col_widths=[26 * mm, 22 * mm, width - 83 * mm, 35 * mm]),
        pdf.para(_("督导员签字：　　　　　　　　　评价机构盖章："), styles.heading),
    ]
    decor = pdf.PageDecor(
        title=_("考场记录表"),
        header_left=batch.institution.organisation.name,
        header_right=batch.code,
        footer_left=_("川人社办发〔2020〕20号 附件4(三)：签字盖章后存入该次考核评价档案"),
    )
    return pdf.build_a4(story, decor, subject=str(session))
