"""Catalogue services: who may write, what they validate, what they record."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skillcert.catalog.choices import CatalogSource, StandardKind, WeightTable
from skillcert.catalog.eligibility import national_template
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WeightRow, WorkType
from skillcert.catalog.services import (
    occupation_add,
    standard_create,
    standard_level_set,
    weight_table_set,
    work_type_add,
)
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from tests.catalog.conftest import CatalogueImport, occupation
from tests.conftest import Cast

REFUSED = ["anonymous", "city_a", "education", "institution_a", "examiner", "candidate"]


def _add(actor: Actor, **overrides: object) -> Occupation:
    values: dict[str, object] = {
        "code": "4-04-05-13",
        "name": "生成式人工智能系统应用员",
        "parent": occupation("4-04-05-00"),
        "is_digital": True,
        "is_green": False,
        "definition": "运用生成式人工智能技术……的人员。",
        "published_by": "人社厅发〔2024〕13号",
    }
    values.update(overrides)
    return occupation_add(actor=actor, **values)  # type: ignore[arg-type]


# --- occupation_add -------------------------------------------------------------------------


def test_province_official_adds_an_occupation(catalogue: CatalogueImport, cast: Cast) -> None:
    added = _add(cast.actor("province"))
    assert (added.tier, added.source, added.is_digital) == (4, CatalogSource.PUBLISHED, True)
    assert added.initials == "scsrgznxtyyy"
    event = AuditEvent.objects.get(action="occupation.add")
    assert event.object_id == str(added.pk)
    assert event.changes["after"]["published_by"] == "人社厅发〔2024〕13号"


def test_platform_admin_adds_an_occupation(catalogue: CatalogueImport, system: Actor) -> None:
    assert _add(system).code == "4-04-05-13"


@pytest.mark.parametrize("role", REFUSED)
def test_others_cannot_add_occupations(catalogue: CatalogueImport, cast: Cast, role: str) -> None:
    with pytest.raises(PermissionDenied, match="只有省级人社部门或平台管理员"):
        _add(cast.actor(role))
    assert not Occupation.objects.filter(code="4-04-05-13").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "4-4-05-13"}, "格式应为 D-DD-DD-DD"),
        ({"code": "4-04-05-00"}, "末两位不为 00"),
        ({"code": "4-04-06-13"}, "上级必须是小类 4-04-06-00"),
        ({"parent": "4-04-00-00"}, "上级必须是小类 4-04-05-00"),
        ({"code": "4-04-05-01"}, "职业编码 4-04-05-01 已存在（计算机程序设计员）"),
        ({"name": "网络主播S"}, "名称不要带 S/L 标识"),
        ({"name": "  "}, "请填写职业名称"),
        ({"published_by": ""}, "请填写发布该职业的文件"),
    ],
)
def test_occupation_add_validation(
    catalogue: CatalogueImport, cast: Cast, overrides: dict[str, object], message: str
) -> None:
    if isinstance(overrides.get("parent"), str):
        overrides["parent"] = occupation(str(overrides["parent"]))
    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _add(cast.actor("province"), **overrides)


def test_occupation_in_a_middle_class_own_minor(catalogue: CatalogueImport, cast: Cast) -> None:
    added = _add(
        cast.actor("province"),
        code="1-01-00-03",
        name="测试负责人",
        parent=occupation("1-01-00-00"),
    )
    assert added.parent == occupation("1-01-00-00")


# --- work_type_add -----------------------------------------------------------------------


def test_work_type_add(lathe: Occupation, cast: Cast) -> None:
    work_type = work_type_add(
        actor=cast.actor("province"),
        occupation=lathe,
        name="数控车工",
        code="6-18-01-01-01",
        published_by="人社厅发〔2018〕145号",
    )
    assert (work_type.initials, work_type.source) == ("skcg", CatalogSource.PUBLISHED)
    assert AuditEvent.objects.filter(action="work_type.add").count() == 1
    with pytest.raises(DomainError, match="下已有工种“数控车工”"):
        work_type_add(
            actor=cast.actor("province"),
            occupation=lathe,
            name="数控车工",
            code="",
            published_by="",
        )
    with pytest.raises(DomainError, match="工种编码 6-18-01-01-01 已被使用"):
        work_type_add(
            actor=cast.actor("province"),
            occupation=lathe,
            name="普通车工",
            code="6-18-01-01-01",
            published_by="",
        )


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("6-18-01-02-01", "数控车工", "工种编码应为职业编码加两到三位序号"),
        ("x", "数控车工", "工种编码应为职业编码加两到三位序号"),
        ("", "", "请填写工种名称"),
    ],
)
def test_work_type_add_validation(
    lathe: Occupation, cast: Cast, code: str, name: str, message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        work_type_add(
            actor=cast.actor("province"), occupation=lathe, name=name, code=code, published_by=""
        )


def test_work_types_only_under_occupations(catalogue: CatalogueImport, cast: Cast) -> None:
    with pytest.raises(DomainError, match="工种只能添加在职业"):
        work_type_add(
            actor=cast.actor("province"),
            occupation=occupation("6-18-01-00"),
            name="x",
            code="",
            published_by="",
        )


@pytest.mark.parametrize("role", REFUSED)
def test_others_cannot_add_work_types(lathe: Occupation, cast: Cast, role: str) -> None:
    with pytest.raises(PermissionDenied):
        work_type_add(
            actor=cast.actor(role), occupation=lathe, name="数控车工", code="", published_by=""
        )
    assert not WorkType.objects.exists()


# --- standard_create ---------------------------------------------------------------------


def _create(actor: Actor, occupation_: Occupation, **overrides: object) -> Standard:
    values: dict[str, object] = {
        "kind": StandardKind.NATIONAL,
        "title": "国家职业技能标准 车工（2018年版）",
        "document_number": "人社厅发〔2018〕145号",
        "year": 2018,
        "occupation": occupation_,
        "work_types": [],
    }
    values.update(overrides)
    return standard_create(actor=actor, **values)  # type: ignore[arg-type]


def test_standard_create(lathe: Occupation, cast: Cast) -> None:
    cnc = WorkType.objects.create(occupation=lathe, name="数控车工")
    standard = _create(cast.actor("province"), lathe, work_types=[cnc])
    assert list(standard.work_types.all()) == [cnc]
    assert not standard.is_demo
    event = AuditEvent.objects.get(action="standard.create")
    assert event.changes["after"]["work_types"] == ["数控车工"]
    with pytest.raises(DomainError, match="该职业已有同名同文号的标准"):
        _create(cast.actor("province"), lathe)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "other"}, "未知的标准类型"),
        ({"year": 1980}, "发布年份应在 1990 至"),
        ({"title": ""}, "标准名称"),
    ],
)
def test_standard_create_validation(
    lathe: Occupation, cast: Cast, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        _create(cast.actor("province"), lathe, **overrides)
    assert not Standard.objects.exists()


def test_standard_needs_an_occupation_and_its_own_work_types(lathe: Occupation, cast: Cast) -> None:
    with pytest.raises(DomainError, match="标准只能对应职业"):
        _create(cast.actor("province"), occupation("6-18-01-00"))
    welder = occupation("6-18-02-04")
    stranger = WorkType.objects.create(occupation=welder, name="电焊工")
    with pytest.raises(DomainError, match="工种不属于职业 车工：电焊工"):
        _create(cast.actor("province"), lathe, work_types=[stranger])


@pytest.mark.parametrize("role", REFUSED)
def test_others_cannot_create_standards(lathe: Occupation, cast: Cast, role: str) -> None:
    with pytest.raises(PermissionDenied):
        _create(cast.actor(role), lathe)


# --- standard_level_set ------------------------------------------------------------------


def _set(actor: Actor, standard: Standard, level: int = 4, **overrides: object) -> StandardLevel:
    values: dict[str, object] = {
        "eligibility_routes": national_template(level) if 1 <= level <= 5 else [],
        "theory_minutes": 90,
        "practical_minutes": 150,
        "review_minutes": 30 if level <= 2 else None,
    }
    values.update(overrides)
    return standard_level_set(actor=actor, standard=standard, level=level, **values)  # type: ignore[arg-type]


def test_standard_level_set_creates_then_updates(lathe_standard: Standard, cast: Cast) -> None:
    province = cast.actor("province")
    row = _set(province, lathe_standard)
    assert (row.theory_minutes, row.min_examiners, len(row.eligibility_routes)) == (90, 3, 4)
    updated = _set(province, lathe_standard, theory_minutes=120, min_examiners=5)
    assert updated.pk == row.pk
    assert StandardLevel.objects.get(pk=row.pk).theory_minutes == 120
    events = list(AuditEvent.objects.filter(action="standard_level.set").order_by("seq"))
    assert events[0].changes["before"] is None
    assert events[1].changes["before"]["theory_minutes"] == 90
    assert events[1].changes["after"]["min_examiners"] == 5


def test_levels_two_and_one_need_a_review(lathe_standard: Standard, cast: Cast) -> None:
    row = _set(cast.actor("province"), lathe_standard, level=2)
    assert row.review_minutes == 30
    assert row.needs_review


@pytest.mark.parametrize(
    ("level", "overrides", "message"),
    [
        (4, {"theory_minutes": 60}, "理论知识考试时间不少于 90 分钟"),
        (4, {"practical_minutes": 0}, "请填写操作技能考核时间"),
        (2, {"review_minutes": None}, "二级、一级须设综合评审，时间不少于 30 分钟"),
        (1, {"review_minutes": 20}, "二级、一级须设综合评审"),
        (4, {"review_minutes": 30}, "综合评审只适用于二级、一级"),
        (2, {"min_review_panel": 4}, "综合评审委员应为 3 人（含）以上单数"),
        (4, {"min_examiners": 4}, "考评人员应为 3 人（含）以上单数"),
        (4, {"min_examiners": 1}, "考评人员应为 3 人（含）以上单数"),
        (4, {"candidates_per_proctor": 20}, "监考人员与考生配比不得低于 1:15"),
        (4, {"min_proctors_per_room": 1}, "每个考场监考人员不少于 2 名"),
        (4, {"candidates_per_examiner": 0}, "考评人员与考生配比必须是正数"),
        (4, {"eligibility_routes": [{"prior_level": 3}]}, "第 1 条途径：已取得证书的等级"),
        (6, {"eligibility_routes": []}, "等级必须是 1 至 5"),
    ],
)
def test_standard_level_validation(
    lathe_standard: Standard, cast: Cast, level: int, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        _set(cast.actor("province"), lathe_standard, level=level, **overrides)
    assert not StandardLevel.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", REFUSED)
def test_others_cannot_set_levels(lathe_standard: Standard, cast: Cast, role: str) -> None:
    with pytest.raises(PermissionDenied):
        _set(cast.actor(role), lathe_standard)


# --- weight_table_set --------------------------------------------------------------------


@pytest.fixture
def level_four(lathe_standard: Standard, system: Actor) -> StandardLevel:
    return _set(system, lathe_standard)


THEORY = [
    ("1.1", "职业道德", Decimal(5)),
    ("1.2", "基础知识", Decimal(20)),
    ("2.1", "工艺准备", Decimal("33.33")),
    ("2.2", "工件加工", Decimal("41.67")),
]


def test_weight_table_set_and_replace(level_four: StandardLevel, cast: Cast) -> None:
    province = cast.actor("province")
    rows = weight_table_set(actor=province, standard_level=level_four, table="theory", rows=THEORY)
    assert [r.position for r in rows] == [1, 2, 3, 4]
    assert sum(r.percent for r in rows) == 100
    weight_table_set(
        actor=province,
        standard_level=level_four,
        table=WeightTable.THEORY,
        rows=[("1", "职业道德", Decimal(5)), ("2", "其余", Decimal(95))],
    )
    stored = WeightRow.objects.filter(standard_level=level_four, table="theory").order_by(
        "position"
    )
    assert [(w.name, w.percent) for w in stored] == [("职业道德", 5), ("其余", 95)]
    event = AuditEvent.objects.filter(action="weight_table.set").order_by("-seq").first()
    assert event is not None
    assert event.changes["before"][2] == ["2.1", "工艺准备", "33.33"]


def test_skill_table_is_separate(level_four: StandardLevel, cast: Cast) -> None:
    province = cast.actor("province")
    weight_table_set(actor=province, standard_level=level_four, table="theory", rows=THEORY)
    weight_table_set(
        actor=province,
        standard_level=level_four,
        table="skill",
        rows=[("1", "工件加工", Decimal(100))],
    )
    assert WeightRow.objects.filter(standard_level=level_four).count() == 5


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("1", "职业道德", Decimal(5)), ("2", "基础知识", Decimal(90))],
            "权重合计为 95%，应为 100%。",
        ),
        ([("1", "a", Decimal("60.5")), ("2", "b", Decimal(40))], "权重合计为 100.5%，应为 100%。"),
        ([("1", "a", Decimal("33.333")), ("2", "b", Decimal("66.667"))], "第 1 行"),
        ([("1", "a", Decimal(-10)), ("2", "b", Decimal(110))], "第 1 行"),
        ([("1", "a", Decimal(50)), ("1", "a", Decimal(50))], "第 2 行与前面的行重复"),
        ([("1", "", Decimal(100))], "第 1 行"),
        ([("1", "a", Decimal("NaN"))], "比重不是数字"),
        ([], "权重表至少需要一行"),
    ],
)
def test_weight_table_validation_keeps_the_old_rows(
    level_four: StandardLevel, cast: Cast, rows: list[tuple[str, str, Decimal]], message: str
) -> None:
    province = cast.actor("province")
    weight_table_set(actor=province, standard_level=level_four, table="theory", rows=THEORY)
    with pytest.raises(DomainError, match=message.replace(".", r"\.")):
        weight_table_set(actor=province, standard_level=level_four, table="theory", rows=rows)
    assert WeightRow.objects.filter(standard_level=level_four).count() == len(THEORY)


def test_unknown_table(level_four: StandardLevel, cast: Cast) -> None:
    with pytest.raises(DomainError, match="未知的权重表"):
        weight_table_set(
            actor=cast.actor("province"), standard_level=level_four, table="x", rows=THEORY
        )


@pytest.mark.parametrize("role", REFUSED)
def test_others_cannot_set_weights(level_four: StandardLevel, cast: Cast, role: str) -> None:
    with pytest.raises(PermissionDenied):
        weight_table_set(
            actor=cast.actor(role), standard_level=level_four, table="theory", rows=THEORY
        )
    assert not WeightRow.objects.exists()
