"""The scoring pages over HTTP: the examiner's tablet page and confirmation step, what
an examiner can never see or change, and the staff's sheets, panels and progress pages."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from skillcert.results import links, scoring
from skillcert.results.choices import ComponentState, SheetStatus
from skillcert.results.models import (
    ComponentScore,
    ExaminerLink,
    ExaminerSheet,
    Panel,
    ScoringSheet,
)
from tests.results.conftest import ResultsKit
from tests.results.scoring_support import ready_panel, ready_sheet, score, skill_weights, split


@pytest.fixture
def ready(rk: ResultsKit) -> ResultsKit:
    ready_sheet(rk)
    ready_panel(rk)
    return rk


def _urls(rk: ResultsKit, index: int = 0) -> tuple[str, str, str, ScoringSheet]:
    panel = rk.batch.panels.get()
    application = rk.candidates[index]
    sheet = ScoringSheet.objects.get(batch=rk.batch)
    page = reverse("results-scoring-sheet", args=[panel.pk, application.pk])
    save = reverse("results-scoring-save", args=[panel.pk, application.pk, sheet.pk])
    confirm = reverse("results-scoring-confirm", args=[panel.pk, application.pk, sheet.pk])
    return page, save, confirm, sheet


def _post_points(
    client: Client, url: str, sheet: ScoringSheet, total: Decimal | int, **extra: str
) -> object:
    items = list(sheet.items.order_by("position"))
    data = {f"item-{i.pk}": str(p) for i, p in zip(items, split(Decimal(total)), strict=True)}
    return client.post(url, {**data, **extra})


def _own(rk: ResultsKit, index: int) -> ExaminerSheet | None:
    return ExaminerSheet.objects.filter(examiner=rk.examiners[index]).first()


# --- the examiner's page ------------------------------------------------------------------


def test_the_scoring_page_is_one_column_with_large_inputs(ready: ResultsKit) -> None:
    page, _save, _confirm, _sheet = _urls(ready)
    response = ready.examiner_client(0).get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert "results/scoring.css" in html
    inputs = re.findall(r'<input type="number"[^>]*>', html)
    assert len(inputs) == 3
    assert all('inputmode="decimal"' in i and 'step="0.5"' in i for i in inputs)
    form = html[html.index('class="score-form"') : html.index("</form>", html.index("score-form"))]
    assert "<table" not in form, "items stack in one column, no table"
    assert response["Cache-Control"] == "private, no-store"
    assert ExaminerSheet.objects.count() == 0, "reading the page creates nothing"


def test_an_examiner_saves_a_draft_then_signs_after_a_confirmation_step(ready: ResultsKit) -> None:
    rk = ready
    page, save, confirm, sheet = _urls(rk)
    client = rk.examiner_client(0)
    first = sheet.items.order_by("position").first()
    assert first is not None
    response = client.post(save, {f"item-{first.pk}": "35.5", "action": "save"})
    assert response.status_code == 302
    draft = _own(rk, 0)
    assert draft is not None
    assert (draft.points, draft.status) == ({str(first.pk): "35.5"}, SheetStatus.DRAFT)
    assert 'value="35.5"' in client.get(page).content.decode()
    # The confirmation step lists what is missing and offers no signature yet.
    incomplete = client.get(confirm).content.decode()
    assert 'id="missing-items"' in incomplete
    assert 'id="confirm-form"' not in incomplete
    response = _post_points(client, save, sheet, Decimal("82.5"), action="review")
    assert response.status_code == 302
    assert response["Location"] == confirm
    shown = client.get(confirm).content.decode()
    assert 'id="confirm-total">82.50<' in shown
    # Without ticking the statement nothing is signed.
    client.post(confirm, {})
    draft.refresh_from_db()
    assert draft.status == SheetStatus.DRAFT
    response = client.post(confirm, {"pledge": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SheetStatus.CONFIRMED
    assert scoring.signature_valid(draft)
    after = client.get(page).content.decode()
    assert 'id="waiting-others"' in after
    assert "score-form" not in after, "a signed sheet has no form any more"
    # A signed sheet is not changed by another post.
    _post_points(client, save, sheet, 10, action="save")
    draft.refresh_from_db()
    assert draft.total == Decimal("82.50")


def test_bad_points_come_back_as_a_message(ready: ResultsKit) -> None:
    _page, save, _confirm, sheet = _urls(ready)
    client = ready.examiner_client(0)
    first = sheet.items.order_by("position").first()
    assert first is not None
    for value, text in (
        ("41", "得分须在 0 到 40 分之间"),
        ("7.3", "0.5 分为单位"),
        ("abc", "不是数字"),
    ):
        response = client.post(save, {f"item-{first.pk}": value}, follow=True)
        assert response.status_code == 200
        assert text in response.content.decode()
    own = _own(ready, 0)
    assert own is None or own.points == {}


def test_no_examiner_sees_another_examiners_scores(ready: ResultsKit) -> None:
    rk = ready
    panel = rk.batch.panels.get()
    candidate = rk.candidates[0]
    page, _save, _confirm, _sheet = _urls(rk)
    score(rk, 0, panel, candidate, 90)  # 40 + 30 + 20
    score(rk, 1, panel, candidate, 61)  # 40 + 21 + 0
    html = rk.examiner_client(1).get(page).content.decode()
    assert re.findall(r'class="score-value">([^<]*)<', html) == ["40.0", "21.0", "0.0"]
    for foreign in ("20.0", "90.00", "mean", "flagged"):
        assert foreign not in html
    third = rk.examiner_client(2).get(page).content.decode()
    assert "score-value" not in third
    assert "40.0" not in third
    assert "61.00" not in third
    score(rk, 2, panel, candidate, Decimal("74.5"))  # 40 + 30 + 4.5
    done = rk.examiner_client(1).get(page).content.decode()
    # Only the mean appears once all are in: (90 + 61 + 74.5) / 3 = 75.17.
    assert 'id="mean">75.17<' in done
    assert 'id="flagged"' in done, "spread 29 > 10"
    for foreign in ("90.00", "74.50", "20.0", "4.5", "29.00"):
        assert foreign not in done


def test_an_examiner_cannot_change_another_examiners_sheet_over_http(ready: ResultsKit) -> None:
    rk = ready
    _page, save, confirm, sheet = _urls(rk)
    score(rk, 0, rk.batch.panels.get(), rk.candidates[0], 80, confirm=False)
    before = _own(rk, 0)
    assert before is not None
    # The save and confirm URLs name no examiner: a post changes the poster's own sheet.
    _post_points(rk.examiner_client(1), save, sheet, 10, examiner=str(rk.examiners[0].pk))
    rk.examiner_client(1).post(confirm, {"pledge": "on"})
    after = _own(rk, 0)
    assert after is not None
    assert (after.points, after.status) == (before.points, SheetStatus.DRAFT)
    mine = _own(rk, 1)
    assert mine is not None
    assert mine.total == Decimal("10.00")


def test_pages_of_a_panel_are_for_its_members_only(ready: ResultsKit) -> None:
    rk = ready
    page, save, confirm, sheet = _urls(rk)
    outsider = rk.cast.client("examiner")
    assert outsider.get(page).status_code == 404
    assert _post_points(outsider, save, sheet, 80).status_code == 404  # type: ignore[attr-defined]
    assert outsider.post(confirm, {"pledge": "on"}).status_code == 404
    staff = rk.cast.client("institution_a")
    assert staff.get(page).status_code == 403
    assert _post_points(staff, save, sheet, 80).status_code == 403  # type: ignore[attr-defined]
    assert ExaminerSheet.objects.count() == 0
    # A candidate not on the panel is a 404 even for a member.
    ready_panel_b = Panel.objects.create(batch=rk.batch, component="practical", name="第二组")
    other = reverse("results-scoring-sheet", args=[ready_panel_b.pk, rk.candidates[0].pk])
    assert rk.examiner_client(0).get(other).status_code == 404


def test_a_linked_examiner_gets_no_form_and_cannot_post(ready: ResultsKit) -> None:
    rk = ready
    page, save, _confirm, sheet = _urls(rk)
    links.link_declare(
        actor=rk.admin, staff=rk.examiners[0], person=rk.candidates[0].person, kind="relative"
    )
    html = rk.examiner_client(0).get(page).content.decode()
    assert 'id="scoring-blocked"' in html
    assert "回避" in html
    assert "score-form" not in html
    response = _post_points(rk.examiner_client(0), save, sheet, 80)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert ExaminerSheet.objects.count() == 0


def test_my_scoring_lists_the_examiners_candidates(ready: ResultsKit) -> None:
    rk = ready
    score(rk, 0, rk.batch.panels.get(), rk.candidates[0], 80)
    html = rk.examiner_client(0).get(reverse("results-scoring-mine")).content.decode()
    for candidate in rk.candidates:
        assert candidate.person.full_name in html
    assert "已签字，待其他考评员" in html
    assert rk.cast.client("institution_a").get(reverse("results-scoring-mine")).status_code == 403


# --- staff pages --------------------------------------------------------------------------


def test_progress_shows_each_examiners_total_and_rescoring_works(ready: ResultsKit) -> None:
    rk = ready
    panel = rk.batch.panels.get()
    candidate = rk.candidates[0]
    for index, total in enumerate((60, 75, 90)):
        score(rk, index, panel, candidate, total)
    url = reverse("results-scoring-progress", args=[rk.batch.pk])
    staff = rk.cast.client("institution_a")
    html = staff.get(url).content.decode()
    for total in ("60.00", "75.00", "90.00"):
        assert total in html
    flagged = ComponentScore.objects.get(application=candidate)
    assert f'id="rescore-{flagged.pk}"' in html
    assert f'id="accept-{flagged.pk}"' not in html, "accepting needs a re-scoring round first"
    assert f'id="rescore-{flagged.pk}"' not in rk.cast.client("city_a").get(url).content.decode()
    # The centre may read the page but not open a round.
    denied = rk.cast.client("city_a").post(
        reverse("results-scoring-rescore", args=[flagged.pk]), {"text": "x"}
    )
    assert denied.status_code == 403
    staff.post(reverse("results-scoring-rescore", args=[flagged.pk]), {"text": "分差过大"})
    flagged.refresh_from_db()
    assert (flagged.round, flagged.state) == (2, ComponentState.PENDING)
    for index, total in enumerate((60, 75, 90)):
        score(rk, index, panel, candidate, total)
    html = staff.get(url).content.decode()
    assert f'id="accept-{flagged.pk}"' in html
    staff.post(reverse("results-scoring-accept-spread", args=[flagged.pk]), {"text": "复评后维持"})
    flagged.refresh_from_db()
    assert (flagged.state, flagged.spread_accepted_note) == (ComponentState.SCORED, "复评后维持")


def test_staff_build_sheets_on_the_sheets_page(rk: ResultsKit) -> None:
    skill_weights(rk, [("1", "车削加工", Decimal(70)), ("2", "精度检验", Decimal(30))])
    staff = rk.cast.client("institution_a")
    url = reverse("results-sheets", args=[rk.batch.pk])
    staff.post(
        reverse("results-sheets-from-weights", args=[rk.batch.pk]), {"component": "practical"}
    )
    sheet = ScoringSheet.objects.get(batch=rk.batch)
    assert [(i.title, i.max_points, i.weight_code) for i in sheet.items.all()] == [
        ("车削加工", Decimal(70), "1"),
        ("精度检验", Decimal(30), "2"),
    ]
    html = staff.get(url).content.decode()
    assert 'id="ready-practical"' in html
    item = sheet.items.first()
    assert item is not None
    staff.post(
        reverse("results-sheets-item-update", args=[item.pk]),
        {"title": "车削加工", "max_points": "60", "criteria": "按图纸"},
    )
    html = staff.get(url).content.decode()
    assert "配分合计须为100分，现为90分" in html
    # Institution B cannot touch it; the page is not theirs.
    other = rk.cast.client("institution_b")
    assert other.get(url).status_code == 404
    assert other.post(reverse("results-sheets-item-remove", args=[item.pk])).status_code == 404
    assert sheet.items.count() == 2


def test_staff_form_a_panel_and_a_declared_link_shows_as_a_problem(rk: ResultsKit) -> None:
    staff = rk.cast.client("institution_a")
    batch = rk.batch
    staff.post(
        reverse("results-panels-create", args=[batch.pk]),
        {"component": "practical", "name": "甲组"},
    )
    panel = Panel.objects.get(batch=batch)
    for member in rk.examiners:
        staff.post(reverse("results-panels-member-add", args=[panel.pk]), {"staff": member.pk})
    staff.post(
        reverse("results-panels-candidates-assign", args=[panel.pk]),
        {"applications": [a.pk for a in rk.candidates]},
    )
    assert panel.members.count() == 3
    assert panel.candidates.count() == 4
    url = reverse("results-panels", args=[batch.pk])
    assert f'id="panel-ok-{panel.pk}"' in staff.get(url).content.decode()
    staff.post(
        reverse("results-panels-link-declare", args=[batch.pk]),
        {
            "staff": rk.examiners[1].pk,
            "application": rk.candidates[2].pk,
            "kind": "teacher",
            "note": "班主任",
        },
    )
    link = ExaminerLink.objects.get()
    html = staff.get(url).content.decode()
    assert f'id="panel-invalid-{panel.pk}"' in html
    assert rk.candidates[2].person.full_name in html
    assert "任课教师" in html
    # An examiner cannot manage panels.
    response = rk.examiner_client(0).post(
        reverse("results-panels-link-remove", args=[link.pk]), {"batch": batch.pk}
    )
    assert response.status_code == 404
    staff.post(reverse("results-panels-link-remove", args=[link.pk]), {"batch": batch.pk})
    assert not ExaminerLink.objects.exists()
    assert f'id="panel-ok-{panel.pk}"' in staff.get(url).content.decode()
