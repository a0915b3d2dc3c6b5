"""Open a live theory sitting on the demo province, to try the exam page.

    manage.py demo_exam [--candidates N] [--minutes M] [--items K]

Needs ``manage.py seed_demo`` first. Each run plans a new 车工 level-5 batch at the demo
school whose theory session starts now, enrols N candidates, assembles and seals the
paper and opens the sitting (see ``skillcert.exams.demo``). Prints the exam page, the
proctor console and each candidate's admission number and ID number for the sign-in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from skillcert.core.demo import DEMO_PASSWORD
from skillcert.core.errors import DomainError
from skillcert.exams.demo import ADMIN, DemoExam, demo_exam_create


class Command(BaseCommand):
    help = "Open a live theory sitting on the demo province (run seed_demo first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--candidates", type=int, default=10, help="candidates (default 10)")
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="theory session length (default and minimum: the plan's, 90)",
        )
        parser.add_argument(
            "--items",
            type=int,
            default=None,
            help="items the level's bank should hold (default: two papers' worth)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            exam = demo_exam_create(
                candidates=options["candidates"],
                minutes=options["minutes"],
                items=options["items"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self._report(exam)

    def _report(self, exam: DemoExam) -> None:
        site = settings.SITE_URL
        session, sitting = exam.session, exam.sitting
        ends = timezone.localtime(sitting.ends_at) if sitting.ends_at else None
        write = self.stdout.write
        write(self.style.SUCCESS(f"机考已开考：{exam.batch.code} {exam.batch.title}"))
        write(f"  考场      {session.room}，{session.duration_minutes}分钟，至 {ends:%H:%M}")
        write(
            f"  试卷      {len(exam.papers)}套（{'/'.join(p.form_label for p in exam.papers)}卷），"
            f"每套{exam.items_per_paper}道；题库{exam.bank_size}道（本次新增{exam.bank_added}道）"
        )
        write(f"  考试页面  {site}{reverse('exam-page')}")
        console = _console_url(session.pk)
        if console:
            write(f"  监考台    {site}{console}（以 {ADMIN} 登录，密码 {DEMO_PASSWORD}）")
        write("")
        write(f"  {'座位':<4}{'准考证号':<20}{'证件号码':<17}{'账号':<13}姓名")
        for row in exam.candidates:
            write(
                f"  {row.seat_number:<6}{row.admission_number:<24}{row.id_number:<21}"
                f"{row.username:<15}{row.full_name}"
            )


def _console_url(session_pk: int) -> str:
    """The proctor console's path, when the URLconf has one."""
    try:
        return reverse("proctor-console", kwargs={"session_pk": session_pk})
    except NoReverseMatch:
        return ""
