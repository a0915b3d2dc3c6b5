"""The demo standards: real occupations, valid tables, national-template routes, idempotent."""

from __future__ import annotations

import io

from django.core.management import call_command

from skillcert.catalog.choices import CatalogSource
from skillcert.catalog.demo import DEMO_STANDARDS, seed_catalog_demo, skill_rows, theory_rows
from skillcert.catalog.eligibility import national_template
from skillcert.catalog.models import Standard, StandardLevel, WeightRow
from skillcert.core.models import AuditEvent
from tests.catalog.conftest import CatalogueImport, occupation


def test_demo_occupations_are_real_catalogue_rows(catalogue: CatalogueImport) -> None:
    assert len(DEMO_STANDARDS) >= 5
    for spec in DEMO_STANDARDS:
        row = occupation(spec.code)
        assert (row.name, row.tier, row.source) == (spec.name, 4, CatalogSource.CSCO2022)


def test_demo_tables_add_up() -> None:
    for spec in DEMO_STANDARDS:
        for level in spec.levels:
            assert sum(p for *_, p in theory_rows(spec, level)) == 100, (spec.name, level)
            assert sum(p for *_, p in skill_rows(spec, level)) == 100, (spec.name, level)
            assert theory_rows(spec, level)[0][1:] == ("基本要求·职业道德", 5)


def test_seed_catalog_demo(catalogue: CatalogueImport) -> None:
    standards = seed_catalog_demo()
    assert len(standards) == len(DEMO_STANDARDS) == Standard.objects.filter(is_demo=True).count()
    lathe = Standard.objects.get(occupation__code="6-18-01-01")
    assert lathe.title == "国家职业技能标准 车工（2018年版）"
    assert lathe.document_number.startswith("演示数据")
    assert [w.name for w in lathe.work_types.all()] == ["数控车工"]
    assert sorted(lathe.levels.values_list("level", flat=True)) == [1, 2, 3, 4, 5]
    for level in StandardLevel.objects.filter(standard__is_demo=True):
        assert level.eligibility_routes == national_template(level.level)
        assert (level.review_minutes is not None) == (level.level <= 2)
        for table in ("theory", "skill"):
            rows = WeightRow.objects.filter(standard_level=level, table=table)
            assert sum(r.percent for r in rows) == 100
    total_levels = sum(len(spec.levels) for spec in DEMO_STANDARDS)
    assert StandardLevel.objects.filter(standard__is_demo=True).count() == total_levels


def test_seed_catalog_demo_is_idempotent(catalogue: CatalogueImport) -> None:
    seed_catalog_demo()
    counts = (Standard.objects.count(), StandardLevel.objects.count(), WeightRow.objects.count())
    events = AuditEvent.objects.count()
    seed_catalog_demo()
    after = (Standard.objects.count(), StandardLevel.objects.count(), WeightRow.objects.count())
    assert after == counts
    assert AuditEvent.objects.count() == events


def test_seed_demo_command_includes_the_catalogue(catalogue: CatalogueImport) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    assert Standard.objects.filter(is_demo=True).count() == len(DEMO_STANDARDS)
