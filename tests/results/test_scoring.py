"""Independent scoring by a panel: own sheets only, signatures, the mean, the spread flag,
re-scoring rounds and accepting a spread."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, ProvincePolicy
from skillcert.results import links, scoring, sheets
from skillcert.results.choices import ComponentState, ResultsStatus, ScoreSource, SheetStatus
from skillcert.results.models import BatchResults, ComponentScore, ExaminerSheet, ScoringSheet
from tests.conftest import Refused
from tests.results.conftest import ResultsKit
from tests.results.scoring_support import ready_panel, ready_sheet, score


@pytest.fixture
def ready(rk: ResultsKit) -> ResultsKit:
    ready_sheet(rk)
    ready_panel(rk)
    return rk


def _panel(rk: ResultsKit) -> Any:
    return rk.batch.panels.get()


def _sheet(rk: ResultsKit) -> ScoringSheet:
    return ScoringSheet.objects.get(batch=rk.batch)


def _score_row(rk: ResultsKit, index: int = 0) -> ComponentScore | None:
    return ComponentScore.objects.filter(
        application=rk.candidates[index], component="practical"
    ).first()


# --- the mean and the spread ----------------------------------------------------------


def test_the_score_is_the_mean_once_every_member_has_signed(ready: ResultsKit) -> None:
    rk, panel, candidate = ready, _panel(ready), ready.candidates[0]
    score(rk, 0, panel, candidate, 80)
    score(rk, 1, panel, candidate, 84)
    assert _score_row(rk) is None, "no score while one examiner is still scoring"
    score(rk, 2, panel, candidate, Decimal("85.5"))
    row = _score_row(rk)
    assert row is not None
    # (80 + 84 + 85.5) / 3 = 83.1666… → 83.17
    assert row.score == Decimal("83.17")
    assert row.spread == Decimal("5.50")
    assert row.state == ComponentState.SCORED
    assert row.source == ScoreSource.PANEL
    assert row.round == 1
    event = AuditEvent.objects.filter(action="results.component.aggregate").get()
    assert event.changes["mean"] == "83.17"


def test_the_mean_rounds_half_up() -> None:
    assert scoring.mean_of([Decimal("0.01"), Decimal(0)]) == Decimal("0.01")
    assert scoring.mean_of([Decimal(60), Decimal(61)]) == Decimal("60.50")


def test_a_spread_at_the_threshold_is_accepted(ready: ResultsKit) -> None:
    rk, panel, candidate = ready, _panel(ready), ready.candidates[0]
    for index, total in enumerate((70, 75, 80)):
        score(rk, index, panel, candidate, total)
    row = _score_row(rk)
    assert row is not None
    assert (row.spread, row.state) == (Decimal("10.00"), ComponentState.SCORED)


def test_a_spread_above_the_threshold_flags_rescoring(ready: ResultsKit) -> None:
    rk, panel, candidate = ready, _panel(ready), ready.candidates[0]
    for index, total in enumerate((70, Decimal("75"), Decimal("80.5"))):
        score(rk, index, panel, candidate, total)
    row = _score_row(rk)
    assert row is not None
    assert row.state == ComponentState.RESCORE
    assert row.score == Decimal("75.17"), "the flagged score is kept for the staff to see"
    assert row.spread == Decimal("10.50")


def test_the_threshold_comes_from_the_province_policy(ready: ResultsKit) -> None:
    ProvincePolicy.objects.update_or_create(
        province_id="530000", defaults={"rescore_spread_points": 4}
    )
    rk, panel, candidate = ready, _panel(ready), ready.candidates[0]
    for index, total in enumerate((80, 82, 85)):
        score(rk, index, panel, candidate, total)
    row = _score_row(rk)
    assert row is not None
    assert row.state == ComponentState.RESCORE


def _flagged(rk: ResultsKit) -> ComponentScore:
    panel, candidate = _panel(rk), rk.candidates[0]
    for index, total in enumerate((60, 75, 90)):
        score(rk, index, panel, candidate, total)
    row = _score_row(rk)
    assert row is not None
    assert row.state == ComponentState.RESCORE
    return row


def test_staff_open_a_new_round_and_the_examiners_score_again(
    ready: ResultsKit, refused: Refused
) -> None:
    rk = ready
    panel, candidate = _panel(rk), rk.candidates[0]
    _flagged(rk)
    row = scoring.rescore_open(
        actor=rk.admin, application=candidate, component="practical", reason="分差过大"
    )
    assert (row.round, row.state, row.score, row.spread) == (2, ComponentState.PENDING, None, None)
    assert "分差过大" in row.note
    # Round 1 stays as signed; round 2 is new sheets.
    assert ExaminerSheet.objects.filter(round=1, status=SheetStatus.CONFIRMED).count() == 3
    for index, total in enumerate((72, 75, 78)):
        own = score(rk, index, panel, candidate, total)
        assert own.round == 2
    row = _score_row(rk)
    assert row is not None
    assert (row.round, row.state, row.score) == (2, ComponentState.SCORED, Decimal("75.00"))
    refused(
        InvalidTransition,
        lambda: scoring.rescore_open(
            actor=rk.admin, application=candidate, component="practical", reason="再评"
        ),
        code="not_flagged",
    )


def test_rescoring_and_accepting_are_for_the_institutions_staff(
    ready: ResultsKit, refused: Refused
) -> None:
    rk = ready
    _flagged(rk)
    candidate = rk.candidates[0]
    for actor in (rk.examiner(0), rk.cast.actor("institution_b"), rk.centre):
        refused(
            PermissionDenied,
            lambda actor=actor: scoring.rescore_open(
                actor=actor, application=candidate, component="practical", reason="x"
            ),
        )
    refused(
        DomainError,
        lambda: scoring.rescore_open(
            actor=rk.admin, application=candidate, component="practical", reason="  "
        ),
        code="reason",
    )


def test_a_spread_is_accepted_only_after_a_rescoring_round_still_flagged(
    ready: ResultsKit, refused: Refused
) -> None:
    rk = ready
    panel, candidate = _panel(rk), rk.candidates[0]
    _flagged(rk)
    refused(
        InvalidTransition,
        lambda: scoring.spread_accept(
            actor=rk.admin, application=candidate, component="practical", note="维持"
        ),
        code="not_rescored",
    )
    scoring.rescore_open(
        actor=rk.admin, application=candidate, component="practical", reason="复评"
    )
    for index, total in enumerate((61, 75, 89)):
        score(rk, index, panel, candidate, total)
    row = _score_row(rk)
    assert row is not None
    assert (row.round, row.state) == (2, ComponentState.RESCORE)
    refused(
        PermissionDenied,
        lambda: scoring.spread_accept(
            actor=rk.examiner(0), application=candidate, component="practical", note="维持"
        ),
    )
    row = scoring.spread_accept(
        actor=rk.admin, application=candidate, component="practical", note="考评组复评后维持评分"
    )
    assert row.state == ComponentState.SCORED
    assert row.spread_accepted_note == "考评组复评后维持评分"
    assert row.score == Decimal("75.00")


# --- own sheets only ----------------------------------------------------------------------


def test_no_examiner_can_change_another_examiners_sheet(
    ready: ResultsKit, refused: Refused
) -> None:
    rk = ready
    panel, candidate = _panel(rk), rk.candidates[0]
    first = score(rk, 0, panel, candidate, 80, confirm=False)
    item = _sheet(rk).items.first()
    assert item is not None
    refused(
        PermissionDenied,
        lambda: scoring.sheet_save(
            actor=rk.examiner(1), examiner_sheet=first, points={item.pk: Decimal(0)}
        ),
        code="not_own",
    )
    refused(
        PermissionDenied,
        lambda: scoring.sheet_confirm(actor=rk.examiner(1), examiner_sheet=first),
        code="not_own",
    )
    refused(
        PermissionDenied,
        lambda: scoring.sheet_save(
            actor=rk.admin, examiner_sheet=first, points={item.pk: Decimal(0)}
        ),
    )
    first.refresh_from_db()
    assert first.points[str(item.pk)] == "40.0"
    assert first.status == SheetStatus.DRAFT


def test_each_examiner_gets_their_own_sheet(ready: ResultsKit) -> None:
    rk = ready
    panel, candidate, sheet = _panel(rk), rk.candidates[0], _sheet(rk)
    mine = [
        scoring.examiner_sheet(
            actor=rk.examiner(i), panel=panel, application=candidate, sheet=sheet
        )
        for i in range(3)
    ]
    assert len({s.pk for s in mine}) == 3
    assert [s.examiner_id for s in mine] == [m.pk for m in rk.examiners]
    again = scoring.examiner_sheet(
        actor=rk.examiner(0), panel=panel, application=candidate, sheet=sheet
    )
    assert again.pk == mine[0].pk


def test_the_examiners_view_shows_no_other_examiners_score(ready: ResultsKit) -> None:
    rk = ready
    panel, candidate = _panel(rk), rk.candidates[0]
    score(rk, 0, panel, candidate, 90)
    score(rk, 1, panel, candidate, 80)
    view = scoring.examiner_view(rk.examiner(1), panel, candidate, "practical")
    assert [s.own.examiner_id for s in view.sheets if s.own] == [rk.examiners[1].pk]
    assert view.all_mine_confirmed
    assert (view.mean, view.flagged, view.finished) == (None, False, False)
    fresh = scoring.examiner_view(rk.examiner(2), panel, candidate, "practical")
    assert [s.own for s in fresh.sheets] == [None]
    assert fresh.sheets[0].points == {}
    score(rk, 2, panel, candidate, 85)
    done = scoring.examiner_view(rk.examiner(1), panel, candidate, "practical")
    assert (done.mean, done.flagged) == (Decimal("85.00"), False)
    assert not hasattr(done, "spread")


def test_only_members_of_the_panel_score_its_candidates(rk: ResultsKit, refused: Refused) -> None:
    ready_sheet(rk)
    panel = ready_panel(rk, candidates=rk.candidates[:2])
    sheet = _sheet(rk)
    for actor in (rk.admin, rk.cast.actor("examiner"), rk.cast.actor("candidate")):
        refused(
            PermissionDenied,
            lambda actor=actor: scoring.examiner_sheet(
                actor=actor, panel=panel, application=rk.candidates[0], sheet=sheet
            ),
            code="not_member",
        )
    refused(
        DomainError,
        lambda: scoring.examiner_sheet(
            actor=rk.examiner(0), panel=panel, application=rk.candidates[3], sheet=sheet
        ),
        code="not_candidate",
    )
    with pytest.raises(PermissionDenied):
        scoring.examiner_view(rk.cast.actor("examiner"), panel, rk.candidates[0], "practical")


def test_a_linked_examiner_cannot_score_the_candidate(ready: ResultsKit, refused: Refused) -> None:
    rk = ready
    panel, candidate, sheet = _panel(rk), rk.candidates[0], _sheet(rk)
    draft = score(rk, 0, panel, candidate, 80, confirm=False)
    # Declared after the panel was formed: the examiner is stopped at once.
    links.link_declare(
        actor=rk.admin, staff=rk.examiners[0], person=candidate.person, kind="teacher"
    )
    item = sheet.items.first()
    assert item is not None
    refused(
        PermissionDenied,
        lambda: scoring.examiner_sheet(
            actor=rk.examiner(0), panel=panel, application=candidate, sheet=sheet
        ),
        code="conflict",
    )
    refused(
        PermissionDenied,
        lambda: scoring.sheet_save(
            actor=rk.examiner(0), examiner_sheet=draft, points={item.pk: Decimal(1)}
        ),
        code="conflict",
    )
    refused(
        PermissionDenied,
        lambda: scoring.sheet_confirm(actor=rk.examiner(0), examiner_sheet=draft),
        code="conflict",
    )
    # The other members may not score either while the panel holds a conflict.
    refused(
        InvalidTransition,
        lambda: scoring.examiner_sheet(
            actor=rk.examiner(1), panel=panel, application=candidate, sheet=sheet
        ),
        code="panel_invalid",
    )
    view = scoring.examiner_view(rk.examiner(0), panel, candidate, "practical")
    assert view.sheets == []
    assert "回避" in view.blocked


def test_an_examiner_of_the_candidates_employer_cannot_score(
    ready: ResultsKit, refused: Refused
) -> None:
    rk = ready
    panel, candidate, sheet = _panel(rk), rk.candidates[1], _sheet(rk)
    candidate.employer = "昆明 机床厂"
    candidate.save(update_fields=["employer"])
    member = rk.examiners[2]
    member.employer = "昆明机床厂"
    member.save(update_fields=["employer"])
    refused(
        PermissionDenied,
        lambda: scoring.examiner_sheet(
            actor=rk.examiner(2), panel=panel, application=candidate, sheet=sheet
        ),
        code="conflict",
    )


# --- points and signatures ----------------------------------------------------------------


def test_points_are_checked_item_by_item(ready: ResultsKit, refused: Refused) -> None:
    rk = ready
    panel, candidate, sheet = _panel(rk), rk.candidates[0], _sheet(rk)
    own = scoring.examiner_sheet(
        actor=rk.examiner(0), panel=panel, application=candidate, sheet=sheet
    )
    first, second, _third = sheet.items.order_by("position")
    for points, code in (
        ({first.pk: Decimal("40.5")}, "out_of_range"),
        ({first.pk: Decimal(-1)}, "out_of_range"),
        ({first.pk: Decimal("7.3")}, "not_half_point"),
        ({999_999: Decimal(1)}, "item"),
    ):
        error = refused(
            DomainError,
            lambda points=points: scoring.sheet_save(
                actor=rk.examiner(0), examiner_sheet=own, points=points
            ),
            code=code,
        )
        assert str(error.message)
    saved = scoring.sheet_save(
        actor=rk.examiner(0),
        examiner_sheet=own,
        points={first.pk: Decimal("35.5"), second.pk: Decimal(28)},
        comment="尺寸略超差",
    )
    assert saved.points == {str(first.pk): "35.5", str(second.pk): "28.0"}
    assert saved.total == Decimal("63.50")
    error = refused(
        DomainError,
        lambda: scoring.sheet_confirm(actor=rk.examiner(0), examiner_sheet=saved),
        code="incomplete",
    )
    assert "安全文明生产" in str(error.message)


def test_a_confirmed_sheet_is_signed_and_never_changes(ready: ResultsKit, refused: Refused) -> None:
    rk = ready
    panel, candidate, sheet = _panel(rk), rk.candidates[0], _sheet(rk)
    signed = score(rk, 0, panel, candidate, Decimal("77.5"))
    assert signed.status == SheetStatus.CONFIRMED
    assert signed.total == Decimal("77.50")
    assert signed.confirmed_at is not None
    assert len(signed.signature) == 64
    assert scoring.signature_valid(signed)
    item = sheet.items.first()
    assert item is not None
    refused(
        InvalidTransition,
        lambda: scoring.sheet_save(
            actor=rk.examiner(0), examiner_sheet=signed, points={item.pk: Decimal(0)}
        ),
        code="confirmed",
    )
    refused(
        InvalidTransition,
        lambda: scoring.sheet_confirm(actor=rk.examiner(0), examiner_sheet=signed),
        code="confirmed",
    )
    # Any change to the stored content breaks the signature.
    ExaminerSheet.objects.filter(pk=signed.pk).update(points={**signed.points, str(item.pk): "0.0"})
    signed.refresh_from_db()
    assert not scoring.signature_valid(signed)
    event = AuditEvent.objects.filter(action="results.examiner_sheet.confirm").get()
    assert event.changes["signature"] == signed.signature


def test_the_digest_covers_who_and_which_round(ready: ResultsKit) -> None:
    rk = ready
    signed = score(rk, 0, _panel(rk), rk.candidates[0], 80)
    digest = scoring.sheet_digest(signed)
    signed.round = 2
    assert scoring.sheet_digest(signed) != digest
    signed.round, signed.examiner_id = 1, rk.examiners[1].pk
    assert scoring.sheet_digest(signed) != digest


def test_scoring_is_refused_once_the_round_is_final(ready: ResultsKit, refused: Refused) -> None:
    rk = ready
    panel, candidate = _panel(rk), rk.candidates[0]
    for index in range(3):
        score(rk, index, panel, candidate, 80)
    refused(
        InvalidTransition,
        lambda: scoring.examiner_sheet(
            actor=rk.examiner(0), panel=panel, application=candidate, sheet=_sheet(rk)
        ),
        code="final",
    )


def test_an_absent_candidate_is_not_scored(ready: ResultsKit, refused: Refused) -> None:
    rk = ready
    candidate = rk.candidates[0]
    ComponentScore.objects.create(
        application=candidate, component="practical", state=ComponentState.ABSENT, source="entered"
    )
    refused(
        InvalidTransition,
        lambda: scoring.examiner_sheet(
            actor=rk.examiner(0), panel=_panel(rk), application=candidate, sheet=_sheet(rk)
        ),
        code="closed",
    )


def test_scoring_stops_when_results_are_published(ready: ResultsKit, refused: Refused) -> None:
    rk = ready
    rk.assessed()
    BatchResults.objects.create(batch=rk.batch, status=ResultsStatus.PUBLISHED)
    refused(
        InvalidTransition,
        lambda: scoring.examiner_sheet(
            actor=rk.examiner(0), panel=_panel(rk), application=rk.candidates[0], sheet=_sheet(rk)
        ),
        code="batch_state",
    )


def test_a_panel_that_is_not_valid_does_not_score(rk: ResultsKit, refused: Refused) -> None:
    ready_sheet(rk)
    panel = ready_panel(rk, members=2)
    refused(
        InvalidTransition,
        lambda: scoring.examiner_sheet(
            actor=rk.examiner(0), panel=panel, application=rk.candidates[0], sheet=_sheet(rk)
        ),
        code="panel_invalid",
    )


def test_sheets_must_add_up_to_100_before_scoring(rk: ResultsKit, refused: Refused) -> None:
    sheet = sheets.sheet_create(
        actor=rk.admin,
        batch=rk.batch,
        component="practical",
        title="车削",
        items=[("尺寸", Decimal(50), "")],
    )
    panel = ready_panel(rk)
    refused(
        InvalidTransition,
        lambda: scoring.examiner_sheet(
            actor=rk.examiner(0), panel=panel, application=rk.candidates[0], sheet=sheet
        ),
        code="sheets_not_ready",
    )


def test_an_examiners_total_spans_every_sheet_of_the_component(rk: ResultsKit) -> None:
    first = sheets.sheet_create(
        actor=rk.admin,
        batch=rk.batch,
        component="practical",
        title="任务一",
        items=[("尺寸", Decimal(60), "")],
    )
    second = sheets.sheet_create(
        actor=rk.admin,
        batch=rk.batch,
        component="practical",
        title="任务二",
        items=[("装配", Decimal(40), "")],
    )
    panel = ready_panel(rk)
    candidate = rk.candidates[0]
    for index, (a, b) in enumerate(((50, 30), (55, 35), (52, 31))):
        for sheet, points in ((first, a), (second, b)):
            own = scoring.examiner_sheet(
                actor=rk.examiner(index), panel=panel, application=candidate, sheet=sheet
            )
            item = sheet.items.get()
            own = scoring.sheet_save(
                actor=rk.examiner(index), examiner_sheet=own, points={item.pk: Decimal(points)}
            )
            scoring.sheet_confirm(actor=rk.examiner(index), examiner_sheet=own)
            if index < 2 or sheet is first:
                assert _score_row(rk) is None
    row = _score_row(rk)
    assert row is not None
    # totals 80, 90, 83 → mean 84.33, spread 10
    assert (row.score, row.spread, row.state) == (
        Decimal("84.33"),
        Decimal("10.00"),
        ComponentState.SCORED,
    )


def test_my_panels_and_worklist(ready: ResultsKit) -> None:
    rk = ready
    panel = _panel(rk)
    assert scoring.my_panels(rk.examiner(0)) == [panel]
    assert scoring.my_panels(rk.admin) == []
    assert scoring.my_panels(rk.cast.actor("examiner")) == []
    score(rk, 0, panel, rk.candidates[0], 80)
    rows = scoring.my_worklist(rk.examiner(0))
    assert [(r.application.pk, r.confirmed, r.sheets) for r in rows][:2] == [
        (rk.candidates[0].pk, 1, 1),
        (rk.candidates[1].pk, 0, 1),
    ]
    assert len(rows) == 4
