"""``manage.py demo_exam``: on the seeded demo province it opens a live theory sitting that a
printed candidate signs in to through the exam API, and gets the blueprint's paper."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from skillcert.batches.choices import BatchStatus, Component, SessionStatus, StaffRole
from skillcert.batches.models import Batch, Session, StaffAssignment
from skillcert.batches.validation import batch_validate
from skillcert.core.audit import verify_chain
from skillcert.core.models import AuditEvent
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.exams.demo import FORMS, TYPE_PLAN
from skillcert.exams.models import Sitting
from skillcert.itembank.assembly import verify_seal
from skillcert.itembank.blueprint import blueprint_for
from skillcert.itembank.choices import ItemStatus
from skillcert.itembank.models import Item

API = "/api/v1/exam"
# A printed candidate row: seat, admission number, ID number, username, name.
ROW = re.compile(r"^\s+(\d+)\s+(\S+)\s+(\d{17}[\dX])\s+(\S+)\s+(\S+)$", re.MULTILINE)


@pytest.fixture(scope="class")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """``seed_demo`` once per class (it takes seconds), inside a transaction rolled back
    when the class is done; each test runs in its own savepoint within it (pytest-django's
    ``db``), so the tests stay independent of each other."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def demo(seeded: None, db: None) -> None:
    cache.clear()  # sign-in throttles of earlier tests


def run(**options: Any) -> str:
    out = io.StringIO()
    call_command("demo_exam", stdout=out, **options)
    return out.getvalue()


def printed(output: str) -> list[dict[str, str]]:
    return [
        {"seat": seat, "admission_number": number, "id_number": id_number, "username": user}
        for seat, number, id_number, user, _name in ROW.findall(output)
    ]


def demo_batches() -> Any:
    return Batch.objects.filter(title__contains="机考体验").order_by("pk")


def sign_in(http: Client, row: dict[str, str]) -> Any:
    body = {"admission_number": row["admission_number"], "id_number": row["id_number"]}
    return http.post(f"{API}/login", body, content_type="application/json")


def test_refuses_without_the_demo(db: None) -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        run()
    assert not Batch.objects.exists()
    assert not AuditEvent.objects.exists()


REFUSED = [
    ({"minutes": 30}, "不少于90分钟"),  # national standards §1.9: theory ≥ 90 minutes
    ({"candidates": 0}, "考生人数应为1至15人"),
    ({"candidates": 16}, "考生人数应为1至15人"),  # 3 examiners, one per 5 candidates
    ({"items": 10}, "题库试题数应为72至400道"),
]


@pytest.mark.usefixtures("demo")
class TestOnTheSeededDemo:
    """Each test starts from the freshly seeded demo province (see ``seeded``)."""

    def test_a_printed_candidate_signs_in_and_gets_the_blueprints_paper(self) -> None:
        output = run(candidates=3)
        rows = printed(output)
        assert [r["seat"] for r in rows] == ["1", "2", "3"]
        assert "/exam/" in output
        batch = demo_batches().get()
        theory = batch.sessions.get(component=Component.THEORY)
        assert f"/exams/sessions/{theory.pk}/console/" in output  # the proctor console
        # Every step went through the services: the plan validates, the chain is intact.
        assert batch.status == BatchStatus.IN_PROGRESS
        assert batch_validate(batch).ok
        assert theory.status == SessionStatus.OPEN
        assert theory.duration_minutes == 90  # the plan's minimum (national standards §1.9)
        assert verify_chain()[1] is None
        applications = Application.objects.filter(batch=batch)
        assert {a.status for a in applications} == {ApplicationStatus.APPROVED}
        assert {a.admission_number for a in applications} == {r["admission_number"] for r in rows}
        assert all(a.eligible and a.pledge_signed_at for a in applications)

        http = Client()
        login = sign_in(http, rows[0])
        assert login.status_code == 200, login.content
        auth = {"HTTP_AUTHORIZATION": f"Bearer {login.json()['token']}"}
        paper = http.get(f"{API}/attempt", **auth)
        assert paper.status_code == 200
        items = paper.json()["items"]
        spec = blueprint_for(batch.standard_level)
        assert len(items) == spec.total_items == sum(row["count"] for row in TYPE_PLAN) == 36
        assert Counter(i["type"] for i in items) == {r["type"]: r["count"] for r in TYPE_PLAN}
        assert sum(Decimal(i["points"]) for i in items) == 100
        # No answer key reaches the client.
        assert {key for i in items for key in i} == {
            "position",
            "type",
            "stem",
            "options",
            "points",
        }

    def test_a_candidates_id_number_does_not_open_anothers_seat(self) -> None:
        rows = printed(run(candidates=2))
        wrong = {**rows[0], "id_number": rows[1]["id_number"]}
        response = sign_in(Client(), wrong)
        assert response.status_code == 401
        assert response.json()["code"] == "bad_credentials"

    def test_each_run_makes_a_new_batch_in_a_free_room_with_free_proctors(self) -> None:
        run(candidates=2)
        bank = Item.objects.filter(status=ItemStatus.ACTIVE).count()
        output = run(candidates=2)
        assert "本次新增0道" in output  # the bank already holds two forms' worth
        assert Item.objects.filter(status=ItemStatus.ACTIVE).count() == bank == 2 * 36
        first, second = demo_batches()
        assert first.code != second.code
        sessions = [b.sessions.get(component=Component.THEORY) for b in (first, second)]
        assert sessions[0].overlaps(sessions[1])
        assert sessions[0].room_id != sessions[1].room_id
        proctors = [
            set(
                StaffAssignment.objects.filter(session=s, role=StaffRole.PROCTOR).values_list(
                    "staff_id", flat=True
                )
            )
            for s in sessions
        ]
        assert len(proctors[0]) == len(proctors[1]) == 2
        assert not proctors[0] & proctors[1]
        for batch in (first, second):
            assert batch_validate(batch).ok
            sitting = Sitting.objects.get(session__batch=batch)
            papers = list(sitting.papers.all())
            assert len(papers) == FORMS
            assert all(verify_seal(p) for p in papers)
        # Each candidate signs in to their own batch's sitting.
        for row in printed(output):
            assert sign_in(Client(), row).status_code == 200

    def test_bad_options_are_refused_and_change_nothing(self) -> None:
        events = AuditEvent.objects.count()
        for options, message in REFUSED:
            with pytest.raises(CommandError, match=message):
                run(**options)
        assert not demo_batches().exists()
        assert not Session.objects.filter(batch__title__contains="机考体验").exists()
        assert not Item.objects.exists()
        assert AuditEvent.objects.count() == events
