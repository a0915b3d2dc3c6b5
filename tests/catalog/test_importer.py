"""The 大典 import on the real CSV: counts, repairs, markers, idempotence, officials' rows.

Observed on csco2022_occupations.csv (sha256 7fe23251…): 2,051 data rows →
8 大类, 72 中类, 340 小类, 1,631 职业 = 2,051 rows loaded:
* 4 duplicated codes, one row each kept (2-03-01-00 as 职业; 4-12-04-02, 5-03-00-00, 6-20-05-03);
* 6-20-03-00 moved from 职业 to 小类 (occupations 6-20-03-01..03 sit under it);
* 4 missing 小类 supplied by csco2022_supplement.csv;
* 1,634 level-4 rows − 2 duplicates − 1 reclassified = 1,631 occupations;
* markers on the loaded rows: 134 green (L), 95 digital (S), 23 both.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from skillcert.catalog import importer
from skillcert.catalog.choices import CatalogSource, OccupationTier
from skillcert.catalog.importer import (
    DATA_DIR,
    cross_check,
    import_catalog,
    pinyin_initials,
    read_source,
    read_tree,
    split_marker,
)
from skillcert.catalog.models import Occupation
from skillcert.catalog.services import occupation_add
from skillcert.core.actors import Actor
from skillcert.core.models import AuditEvent
from tests.catalog.conftest import CatalogueImport, occupation
from tests.conftest import Cast

TIER_COUNTS = {1: 8, 2: 72, 3: 340, 4: 1631}
TOTAL = 2051


def test_first_import_counts(catalogue: CatalogueImport) -> None:
    report = catalogue.report
    assert (report.created, report.updated, report.unchanged) == (TOTAL, 0, 0)
    assert {tier: report.source.count(tier) for tier in TIER_COUNTS} == TIER_COUNTS
    for tier, count in TIER_COUNTS.items():
        assert Occupation.objects.filter(tier=tier).count() == count
    assert catalogue.seconds < 10


def test_repairs_are_reported(catalogue: CatalogueImport) -> None:
    source = catalogue.report.source
    assert [note.split()[0] for note in source.duplicates] == [
        "2-03-01-00",
        "4-12-04-02",
        "5-03-00-00",
        "6-20-05-03",
    ]
    assert source.reclassified == ["6-20-03-00 金属加工机械制造人员"]
    assert [note.split()[0] for note in source.supplemented] == [
        "1-06-01-00",
        "2-01-04-00",
        "2-02-32-00",
        "5-02-03-00",
    ]
    assert occupation("2-03-01-00").tier == OccupationTier.OCCUPATION
    assert occupation("2-03-01-00").definition.startswith("从事土壤质量评价")
    assert occupation("6-20-03-00").tier == OccupationTier.MINOR


def test_markers_become_flags(catalogue: CatalogueImport) -> None:
    both = occupation("6-18-01-13")
    assert (both.name, both.is_green, both.is_digital) == ("增材制造设备操作员", True, True)
    digital = occupation("4-04-05-01")
    assert (digital.name, digital.is_green, digital.is_digital) == ("计算机程序设计员", False, True)
    green = occupation("5-02-03-01")
    assert (green.name, green.is_green, green.is_digital) == ("护林员", True, False)
    assert Occupation.objects.filter(is_green=True).count() == 134
    assert Occupation.objects.filter(is_digital=True).count() == 95
    assert Occupation.objects.filter(is_green=True, is_digital=True).count() == 23
    names = Occupation.objects.values_list("name", flat=True)
    assert not [n for n in names if n.endswith(("S", "L")) or " " in n]


def test_split_marker() -> None:
    assert split_marker("网络主播 S") == ("网络主播", False, True)
    assert split_marker("大地测量员L/S") == ("大地测量员", True, True)
    assert split_marker("护林员L") == ("护林员", True, False)
    assert split_marker("车工") == ("车工", False, False)
    assert split_marker("皮革、 毛皮制品") == ("皮革、毛皮制品", False, False)


def test_pinyin_initials() -> None:
    assert pinyin_initials("车工") == "cg"
    assert pinyin_initials("管理（工业）工程技术人员") == "glgygcjsry"


def test_parents_gbm_and_initials(catalogue: CatalogueImport) -> None:
    lathe = Occupation.objects.select_related("parent__parent__parent").get(code="6-18-01-01")
    chain = [lathe.parent, lathe.parent.parent, lathe.parent.parent.parent]  # type: ignore[union-attr]
    assert [o.code for o in chain if o] == ["6-18-01-00", "6-18-00-00", "6-00-00-00"]
    assert lathe.parent.gbm_code == "61801"  # type: ignore[union-attr]
    assert occupation("6-18-00-00").gbm_code == "61800"
    assert lathe.gbm_code == ""
    assert lathe.initials == "cg"
    # 1-01-00-01: the 小类 "1-01-00" shares its 中类's code, so the 中类 is the parent.
    assert occupation("1-01-00-01").parent == occupation("1-01-00-00")
    assert occupation("1-06-01-02").parent == occupation("1-06-01-00")  # supplied 小类
    assert not Occupation.objects.filter(tier__gt=1, parent__isnull=True).exists()
    assert not Occupation.objects.filter(tier=1, parent__isnull=False).exists()


def test_second_import_changes_nothing(catalogue: CatalogueImport, system: Actor) -> None:
    events = AuditEvent.objects.count()
    report = import_catalog(actor=system)
    assert (report.created, report.updated, report.unchanged) == (0, 0, TOTAL)
    assert AuditEvent.objects.count() == events


def test_import_repairs_edited_rows_and_is_audited(
    catalogue: CatalogueImport, system: Actor
) -> None:
    Occupation.objects.filter(code="6-18-01-01").update(name="车工（改）", is_green=True)
    report = import_catalog(actor=system)
    assert (report.created, report.updated) == (0, 1)
    lathe = occupation("6-18-01-01")
    assert (lathe.name, lathe.is_green) == ("车工", False)
    event = AuditEvent.objects.get(action="catalog.import")
    assert event.changes["updated"] == 1


def test_officials_additions_survive_a_reimport(
    catalogue: CatalogueImport, cast: Cast, system: Actor
) -> None:
    added = occupation_add(
        actor=cast.actor("province"),
        code="4-04-05-13",
        name="生成式人工智能系统应用员",
        parent=occupation("4-04-05-00"),
        is_digital=True,
        is_green=False,
        definition="",
        published_by="人社厅发〔2024〕13号",
    )
    # An official's correction of a 2022 row is marked published: the import keeps it.
    Occupation.objects.filter(code="4-13-04-04").update(
        name="研学旅行指导师", source=CatalogSource.PUBLISHED
    )
    report = import_catalog(actor=system)
    assert (report.created, report.updated) == (0, 0)
    assert report.kept_published == ["4-13-04-04 研学旅行指导师"]
    assert occupation("4-13-04-04").name == "研学旅行指导师"
    assert Occupation.objects.get(pk=added.pk).name == "生成式人工智能系统应用员"


def test_command_prints_the_report(catalogue: CatalogueImport) -> None:
    out = io.StringIO()
    call_command("import_catalog", stdout=out)
    text = out.getvalue()
    assert "大类 8，中类 72，小类 340，职业 1631" in text
    assert f"新增 0，更新 0，未变 {TOTAL}" in text


def test_command_refuses_a_folder_without_the_csv(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"csco2022_occupations\.csv"):
        call_command("import_catalog", "--path", str(tmp_path), stdout=io.StringIO())


def test_cross_check_is_skipped_without_the_tree(
    catalogue: CatalogueImport, system: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "SHARED_DATA_DIR", tmp_path)
    report = import_catalog(actor=system)
    assert report.cross_check is None
    assert "跳过交叉核对" in report.lines()[-1]


def _node(
    seq: str, name: str, level: int, gbm: str = "", children: list[object] | None = None
) -> dict[str, object]:
    return {"seq": seq, "gbm": gbm, "name": name, "level": level, "children": children or []}


def test_cross_check_reports_codes_names_and_gbm(tmp_path: Path) -> None:
    tree = {
        "data": [
            _node(
                "6",
                "生产制造及有关人员",
                1,
                children=[
                    _node(
                        "6-18",
                        "机械制造基础加工人员",
                        2,
                        "61800",
                        [
                            _node(
                                "6-18-01",
                                "机械冷加工人员",
                                3,
                                "6181",
                                [
                                    _node("6-18-01-01", "车床工", 4),
                                    _node("6-18-01-99", "新工种", 4),
                                ],
                            )
                        ],
                    )
                ],
            )
        ]
    }
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    check = cross_check(read_source(DATA_DIR), read_tree(path), path)
    assert check.only_in_tree == ["6-18-01-99 新工种（职业）"]
    assert "6-18-01-02 铣工（职业）" in check.only_in_csv
    assert check.name_differences == ["6-18-01-01 车工 ≠ 车床工"]
    assert check.gbm_differences == ["6-18-01-00 树中 6181，按编码应为 61801"]


SHARED_TREE = importer.SHARED_DATA_DIR / importer.TREE_NAME


@pytest.mark.skipif(not SHARED_TREE.exists(), reason="the occstructor tree is not shipped")
def test_cross_check_against_the_shared_tree() -> None:
    check = cross_check(read_source(DATA_DIR), read_tree(SHARED_TREE), SHARED_TREE)
    assert [s.split()[0] for s in check.only_in_csv] == [
        "2-02-32-01",
        "2-02-32-02",
        "4-05-02-01",
        "4-05-02-02",
    ]
    only_tree = {s.split()[0] for s in check.only_in_tree}
    assert {"4-04-05-09", "4-04-05-10", "4-04-05-11", "6-04-06-07", "6-09-03-05"} <= only_tree
    assert "4-13-04-04 研学旅游指导师 ≠ 研学旅行指导师" in check.name_differences
    assert len(check.name_differences) == 8
    assert check.gbm_differences == ["3-03-00-00 树中 3030，按编码应为 30300"]
