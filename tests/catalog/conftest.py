"""The 大典 is imported once for the whole tests/catalog package and removed afterwards.

The import (~2,050 rows) is committed outside the per-test transactions, so every test
here sees the real catalogue and rolls back only its own changes. It writes no audit
event and is deleted when the package is done, so other apps' tests start from an empty
catalogue and an empty audit chain.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from skillcert.catalog.choices import StandardKind
from skillcert.catalog.importer import ImportReport, import_catalog
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WeightRow, WorkType
from skillcert.core.actors import Actor


@dataclass
class CatalogueImport:
    report: ImportReport
    seconds: float


def _delete_catalogue() -> None:
    WeightRow.objects.all().delete()
    StandardLevel.objects.all().delete()
    Standard.objects.all().delete()
    WorkType.objects.all().delete()
    for tier in (4, 3, 2, 1):  # parents are PROTECTed: children first
        Occupation.objects.filter(tier=tier).delete()


@pytest.fixture(scope="package")
def catalogue_import(django_db_setup: Any, django_db_blocker: Any) -> Iterator[CatalogueImport]:
    with django_db_blocker.unblock():
        _delete_catalogue()
        started = time.monotonic()
        report = import_catalog(actor=Actor.system("tests"), audit=False)
        loaded = CatalogueImport(report=report, seconds=time.monotonic() - started)
    yield loaded
    with django_db_blocker.unblock():
        _delete_catalogue()


@pytest.fixture
def catalogue(catalogue_import: CatalogueImport, db: None) -> CatalogueImport:
    """The imported catalogue, inside a test transaction."""
    return catalogue_import


@pytest.fixture
def system() -> Actor:
    return Actor.system("tests")


def occupation(code: str) -> Occupation:
    return Occupation.objects.get(code=code)


@pytest.fixture
def lathe(catalogue: CatalogueImport) -> Occupation:
    """车工 6-18-01-01."""
    return occupation("6-18-01-01")


@pytest.fixture
def lathe_standard(lathe: Occupation) -> Standard:
    """A bare standard for 车工 (no levels yet), created without the services."""
    return Standard.objects.create(
        kind=StandardKind.NATIONAL,
        title="国家职业技能标准 车工（测试）",
        document_number="测试〔2026〕1号",
        year=2018,
        occupation=lathe,
    )
