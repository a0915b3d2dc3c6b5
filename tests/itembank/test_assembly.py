"""Blueprint and assembly of parallel theory papers (DESIGN.md lifecycle step 4)."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import Job, JobStatus
from skillcert.itembank.assembly import (
    BankItem,
    assemble,
    paper_hash,
    paper_seal,
    select_forms,
    verify_seal,
)
from skillcert.itembank.blueprint import (
    Area,
    BlueprintSpec,
    TypePlan,
    blueprint_cells,
    blueprint_for,
    default_type_plan,
    difficulty_split,
    largest_remainder,
)
from skillcert.itembank.choices import ItemStatus, ItemType, PaperStatus
from skillcert.itembank.models import Blueprint, Item, Paper, PaperItem
from skillcert.itembank.tasks import JOB_KIND, assemble_papers_task, assembly_start
from tests.conftest import Cast
from tests.itembank.test_assembly_support import fill_bank, make_level, small_plan

SINGLE, TF = ItemType.SINGLE.value, ItemType.TRUE_FALSE.value


def _paper_counts(paper: Paper) -> Counter[tuple[int, str]]:
    rows = PaperItem.objects.filter(paper=paper).values_list("item__point__area_id", "item__type")
    return Counter(rows)


def _paper_items(paper: Paper) -> list[int]:
    return list(PaperItem.objects.filter(paper=paper).values_list("item_id", flat=True))


# --- blueprint -------------------------------------------------------------------


def test_default_type_plan_is_the_classic_paper() -> None:
    plan = default_type_plan()
    assert [(row["type"], row["count"]) for row in plan] == [(SINGLE, 160), (TF, 40)]
    assert sum(row["count"] * Decimal(row["points"]) for row in plan) == 100


def test_largest_remainder_and_difficulty_split_are_exact() -> None:
    assert largest_remainder(16, [10, 30, 60], [0, 1, 2]) == [2, 5, 9]
    assert largest_remainder(4, [10, 30, 60], [0, 1, 2]) == [1, 1, 2]
    assert largest_remainder(0, [10, 30, 60], [0, 1, 2]) == [0, 0, 0]
    assert difficulty_split(10) == {1: 1, 2: 2, 3: 4, 4: 2, 5: 1}
    assert difficulty_split(3) == {1: 0, 2: 1, 3: 1, 4: 1, 5: 0}
    assert difficulty_split(1) == {1: 0, 2: 0, 3: 1, 4: 0, 5: 0}
    for n in range(60):
        assert sum(difficulty_split(n).values()) == n


@pytest.mark.django_db
def test_blueprint_from_theory_weights_and_configured_plan() -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    names = [area.name for area in spec.areas]
    assert names == ["基本要求·职业道德", "安全知识", "设备操作"]  # no skill-table row
    by_name = {area.name: area.id for area in spec.areas}
    assert [spec.counts[(by_name[n], SINGLE)] for n in names] == [2, 5, 9]
    assert [spec.counts[(by_name[n], TF)] for n in names] == [1, 1, 2]
    assert spec.total_items == 20
    assert spec.total_points == 100
    cells = blueprint_cells(spec)
    assert sum(cell.needed for cell in cells) == 20
    assert all(cell.needed > 0 for cell in cells)


@pytest.mark.django_db
def test_blueprint_defaults_to_classic_paper() -> None:
    level = make_level()
    spec = blueprint_for(level)
    assert spec.duration_minutes == 90
    assert spec.total_items == 200
    assert spec.total_points == 100
    singles = [spec.counts[(area.id, SINGLE)] for area in spec.areas]
    assert singles == [16, 48, 96]
    assert sum(spec.counts[(area.id, TF)] for area in spec.areas) == 40


@pytest.mark.django_db
def test_blueprint_refuses_bad_configuration() -> None:
    level = make_level(type_plan=[{"type": SINGLE, "count": 10, "points": "1"}])
    with pytest.raises(DomainError, match="总分为10分"):
        blueprint_for(level)
    Blueprint.objects.filter(standard_level=level).update(
        type_plan=[{"type": "essay", "count": 10, "points": "10"}]
    )
    with pytest.raises(DomainError, match="题型配置有误"):
        blueprint_for(level)
    uneven = make_level(weights=(("甲", 50), ("乙", 40)))
    with pytest.raises(DomainError, match="合计为90%"):
        blueprint_for(uneven)


# --- assembly --------------------------------------------------------------------


@pytest.mark.django_db
def test_one_form_meets_the_blueprint_exactly(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, spec, per_cell=lambda a, t, d, needed: needed + 1)
    [paper] = assemble(
        actor=cast.actor("institution_a"),
        standard_level=level,
        forms=1,
        owner=owner,
        title="2026年第一批理论试卷",
        seed=7,
    )
    assert paper.form_label == "A"
    assert paper.total_points == 100
    assert _paper_counts(paper) == Counter({key: n for key, n in spec.counts.items() if n})
    rows = list(PaperItem.objects.filter(paper=paper).select_related("item", "item__point__area"))
    assert [row.position for row in rows] == list(range(1, 21))
    assert sum(row.points for row in rows) == 100
    order = [(row.item.type != SINGLE, row.item.point.area.position) for row in rows]
    assert order == sorted(order)  # by type, then area
    difficulty = Counter(
        (row.item.point.area_id, row.item.type, row.item.difficulty) for row in rows
    )
    for cell in blueprint_cells(spec):
        assert difficulty[(cell.area.id, cell.type, cell.difficulty)] == cell.needed
    assert Item.objects.filter(exposure_count=1).count() == 20


@pytest.mark.django_db
def test_parallel_forms_do_not_overlap_when_the_bank_allows(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, spec, per_cell=lambda a, t, d, needed: needed * 2)
    a, b = assemble(
        actor=cast.actor("institution_a"),
        standard_level=level,
        forms=2,
        owner=owner,
        title="平行卷",
        seed="s",
    )
    assert (a.form_label, b.form_label) == ("A", "B")
    assert not set(_paper_items(a)) & set(_paper_items(b))
    assert _paper_counts(a) == _paper_counts(b)


@pytest.mark.django_db
def test_forms_share_items_only_when_the_bank_is_small(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, spec)  # exactly one form's worth
    a, b = assemble(
        actor=cast.actor("institution_a"),
        standard_level=level,
        forms=2,
        owner=owner,
        title="平行卷",
        seed=1,
    )
    assert set(_paper_items(a)) == set(_paper_items(b))
    assert Item.objects.filter(exposure_count=2).count() == 20


@pytest.mark.django_db
def test_assembly_is_deterministic_with_the_seed(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, spec, per_cell=lambda a, t, d, needed: needed * 3)
    kwargs: dict[str, Any] = {
        "actor": cast.actor("institution_a"),
        "standard_level": level,
        "forms": 2,
        "owner": owner,
        "title": "卷",
    }
    first = [_paper_items(p) for p in assemble(seed=42, **kwargs)]
    Item.objects.update(exposure_count=0)
    second = [_paper_items(p) for p in assemble(seed=42, **kwargs)]
    assert first == second
    Item.objects.update(exposure_count=0)
    other = [_paper_items(p) for p in assemble(seed=43, **kwargs)]
    assert other != first


def test_select_forms_prefers_least_exposed_items() -> None:
    level_spec = _pure_spec()
    bank = [BankItem(id=i, area_id=1, type=SINGLE, difficulty=3, exposure=i) for i in (1, 2, 3)]
    [form] = select_forms(level_spec, bank, forms=1, seed=0)
    assert [item.id for item in form] == [1]


def test_select_forms_spreads_assessment_points() -> None:
    spec = _pure_spec(count=2)
    bank = [
        BankItem(id=1, area_id=1, type=SINGLE, difficulty=3, exposure=0, point_id=10),
        BankItem(id=2, area_id=1, type=SINGLE, difficulty=3, exposure=0, point_id=10),
        BankItem(id=3, area_id=1, type=SINGLE, difficulty=3, exposure=5, point_id=20),
        BankItem(id=4, area_id=1, type=SINGLE, difficulty=3, exposure=9, point_id=20),
    ]
    first, second = select_forms(spec, bank, forms=2, seed=0)
    assert sorted(item.id for item in first) == [1, 3]
    assert sorted(item.id for item in second) == [2, 4]


def _pure_spec(count: int = 1) -> BlueprintSpec:
    area = Area(id=1, position=1, name="甲", percent=Decimal(100))
    return BlueprintSpec(
        standard_level_id=1,
        duration_minutes=90,
        types=(TypePlan(type=SINGLE, count=count, points=Decimal(100) / count),),
        areas=(area,),
        counts={(1, SINGLE): count},
    )


@pytest.mark.django_db
def test_short_bank_is_refused_with_every_missing_cell(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]

    def per_cell(area: str, item_type: str, difficulty: int, needed: int) -> int:
        if area == "设备操作" and item_type == SINGLE and difficulty == 3:
            return 0  # needs 3: more than the tolerance of one
        if area == "安全知识" and item_type == TF:
            return 0  # needs 1 at difficulty 3; no neighbour to stand in
        return needed

    fill_bank(level, owner, spec, per_cell=per_cell)
    with pytest.raises(DomainError) as caught:
        assemble(
            actor=cast.actor("institution_a"),
            standard_level=level,
            forms=2,
            owner=owner,
            title="卷",
            seed=1,
        )
    assert caught.value.code == "bank_short"
    message = str(caught.value.message)
    assert "知识领域「设备操作」单项选择题（难度3）需要3道，题库仅有0道" in message
    assert "知识领域「安全知识」判断题（难度3）需要1道，题库仅有0道" in message
    assert message.count("需要") == 2
    assert not Paper.objects.exists()
    assert not Item.objects.filter(exposure_count__gt=0).exists()


@pytest.mark.django_db
def test_only_active_current_items_are_drawn(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, spec, status=ItemStatus.REVIEWED)
    with pytest.raises(DomainError, match="题库仅有0道"):
        assemble(
            actor=cast.actor("institution_a"),
            standard_level=level,
            forms=1,
            owner=owner,
            title="卷",
            seed=1,
        )
    Item.objects.update(status=ItemStatus.ACTIVE, is_current=False)
    with pytest.raises(DomainError, match="题库仅有0道"):
        assemble(
            actor=cast.actor("institution_a"),
            standard_level=level,
            forms=1,
            owner=owner,
            title="卷",
            seed=1,
        )


@pytest.mark.django_db
def test_one_missing_difficulty_is_taken_from_the_neighbour(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]

    def per_cell(area: str, item_type: str, difficulty: int, needed: int) -> int:
        if area == "设备操作" and item_type == SINGLE and difficulty == 3:
            return needed - 1
        return needed + 1

    fill_bank(level, owner, spec, per_cell=per_cell)
    [paper] = assemble(
        actor=cast.actor("institution_a"),
        standard_level=level,
        forms=1,
        owner=owner,
        title="卷",
        seed=1,
    )
    assert _paper_counts(paper) == Counter({key: n for key, n in spec.counts.items() if n})


@pytest.mark.django_db
def test_assembly_only_for_own_organisation(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    with pytest.raises(PermissionDenied):
        assemble(
            actor=cast.actor("institution_b"),
            standard_level=level,
            forms=1,
            owner=cast.orgs["institution_a"],
            title="卷",
            seed=1,
        )


@pytest.mark.django_db
def test_classic_200_item_paper_two_forms(cast: Cast) -> None:
    level = make_level(
        weights=(
            ("基本要求·职业道德", 5),
            ("基本要求·基础知识", 25),
            ("工艺准备", 40),
            ("加工", 30),
        )
    )
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, spec, per_cell=lambda a, t, d, needed: needed * 2)
    started = time.monotonic()
    a, b = assemble(
        actor=cast.actor("institution_a"),
        standard_level=level,
        forms=2,
        owner=owner,
        title="经典卷",
        seed=2026,
    )
    assert time.monotonic() - started < 5
    for paper in (a, b):
        assert PaperItem.objects.filter(paper=paper).count() == 200
        assert sum(PaperItem.objects.filter(paper=paper).values_list("points", flat=True)) == 100
        assert _paper_counts(paper) == Counter({key: n for key, n in spec.counts.items() if n})
    assert not set(_paper_items(a)) & set(_paper_items(b))


# --- sealing ---------------------------------------------------------------------


@pytest.mark.django_db
def test_seal_records_a_stable_hash_and_detects_changes(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, spec)
    actor = cast.actor("institution_a")
    [paper] = assemble(actor=actor, standard_level=level, forms=1, owner=owner, title="卷", seed=1)
    assert not verify_seal(paper)  # not sealed yet
    before = paper_hash(paper)
    assert paper_hash(paper) == before
    paper_seal(actor=actor, paper=paper)
    paper.refresh_from_db()
    assert paper.status == PaperStatus.SEALED
    assert paper.sealed_at is not None
    assert paper.content_sha256 == before
    assert len(before) == 64
    assert verify_seal(paper)
    with pytest.raises(InvalidTransition):
        paper_seal(actor=actor, paper=paper)
    item = PaperItem.objects.filter(paper=paper).first()
    assert item is not None
    Item.objects.filter(pk=item.item_id).update(stem="改过的题干")
    assert not verify_seal(paper)


# --- background task -------------------------------------------------------------


@pytest.mark.django_db
def test_task_assembles_with_progress(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, spec, per_cell=lambda a, t, d, needed: needed * 3)
    with django_capture_on_commit_callbacks(execute=True):
        job = assembly_start(
            actor=cast.actor("institution_a"),
            standard_level=level,
            forms=3,
            owner=owner,
            title="任务组卷",
        )
    job.refresh_from_db()
    assert job.kind == JOB_KIND
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.done, job.total) == (3, 3)
    papers = list(Paper.objects.filter(assembly=job).order_by("form_label"))
    assert job.result["papers"] == [paper.pk for paper in papers]
    assert job.result["shared_items"] == 0
    assemble_papers_task.enqueue(job.pk)  # a second run does nothing
    assert Paper.objects.filter(assembly=job).count() == 3
    assert [paper.form_label for paper in papers] == ["A", "B", "C"]


@pytest.mark.django_db
def test_task_reports_shared_items(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    level = make_level(type_plan=small_plan())
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, blueprint_for(level))
    with django_capture_on_commit_callbacks(execute=True):
        job = assembly_start(
            actor=cast.actor("institution_a"),
            standard_level=level,
            forms=2,
            owner=owner,
            title="任务组卷",
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["shared_items"] == 20
    assert "共用20道试题" in job.message


@pytest.mark.django_db
def test_assembly_start_checks_its_input(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    kwargs: dict[str, Any] = {"standard_level": level, "owner": cast.orgs["institution_a"]}
    with pytest.raises(PermissionDenied):
        assembly_start(actor=cast.actor("institution_b"), forms=1, title="卷", **kwargs)
    with pytest.raises(DomainError, match="卷数"):
        assembly_start(actor=cast.actor("institution_a"), forms=0, title="卷", **kwargs)
    with pytest.raises(DomainError, match="试卷名称"):
        assembly_start(actor=cast.actor("institution_a"), forms=1, title=" ", **kwargs)
    assert not Job.objects.filter(kind=JOB_KIND).exists()


@pytest.mark.django_db
def test_task_reports_a_short_bank(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    level = make_level(type_plan=small_plan())
    with django_capture_on_commit_callbacks(execute=True):
        job = assembly_start(
            actor=cast.actor("institution_a"),
            standard_level=level,
            forms=1,
            owner=cast.orgs["institution_a"],
            title="任务组卷",
        )
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert job.done == 0
    assert "题库仅有0道" in job.message
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_an_institution_never_draws_another_institutions_items(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    fill_bank(level, cast.orgs["institution_a"], spec, per_cell=lambda a, t, d, needed: needed * 2)
    with pytest.raises(DomainError) as short:
        assemble(
            actor=cast.actor("institution_b"),
            standard_level=level,
            forms=1,
            owner=cast.orgs["institution_b"],
            title="借题",
            seed=1,
        )
    assert "题库仅有0道" in str(short.value.message)  # A's items are not B's bank
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_an_examiner_may_not_assemble_for_their_institution(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, blueprint_for(level))
    examiner = cast.actor("examiner")  # a member of institution A, not a bank keeper
    assert examiner.organisation_id == owner.pk
    with pytest.raises(PermissionDenied):
        assemble(actor=examiner, standard_level=level, forms=1, owner=owner, title="卷", seed=1)
