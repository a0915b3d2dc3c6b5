"""The registry: every record type has its class and basis, every model of the system is
classified (a new model must be), and the batch lookups lead to a batch."""

from __future__ import annotations

import pytest
from django.apps import apps

from skillcert.archives.choices import RecordType, RetentionClass
from skillcert.archives.registry import (
    MODEL_CLASSES,
    NOTICE_TYPES,
    REGISTRY,
    SPECS,
    batch_bound_models,
    retention_years,
)
from skillcert.batches.models import Batch
from skillcert.core.models import ProvincePolicy

# 云人社函〔2023〕1号 二(三) 1–3, as the notice lists them.
LONG = {
    "applications", "evidence", "pledges", "candidate_roster", "certified_roster",
    "examiner_roster", "supervisor_roster",
}  # fmt: skip
DATA = {"video", "electronic_data"}
PROCESS = {
    "plan_notice", "theory_papers", "score_sheets", "results_notice", "certificate_summary",
    "change_requests", "session_arrangements", "signin_sheets", "session_records",
}  # fmt: skip


def skillcert_models() -> list[str]:
    return sorted(
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("skillcert.") and not m._meta.abstract
    )


def test_every_record_type_has_one_spec_in_the_notice_order() -> None:
    assert [s.record_type for s in SPECS] == list(RecordType)
    assert set(REGISTRY) == set(RecordType.values)
    assert {t.value for t in NOTICE_TYPES} == LONG | DATA | PROCESS
    assert len(NOTICE_TYPES) == 18


@pytest.mark.parametrize("record_type", sorted(LONG | DATA | PROCESS))
def test_the_notice_types_have_the_notices_class(record_type: str) -> None:
    spec = REGISTRY[record_type]
    expected = (
        RetentionClass.LONG_TERM
        if record_type in LONG
        else RetentionClass.DATA
        if record_type in DATA
        else RetentionClass.PROCESS
    )
    assert spec.retention_class == expected
    assert spec.basis.startswith("云人社函〔2023〕1号 二(三)")
    assert str(spec.description)


def test_the_types_beyond_the_list() -> None:
    assert REGISTRY["supervision_records"].retention_class == RetentionClass.PROCESS
    assert REGISTRY["violation_records"].retention_class == RetentionClass.LONG_TERM


def test_years_come_from_the_province_policy() -> None:
    policy = ProvincePolicy(retention_data_years=7, retention_process_years=4)
    assert REGISTRY["video"].years(policy) == 7
    assert REGISTRY["signin_sheets"].years(policy) == 4
    assert REGISTRY["applications"].years(policy) is None
    assert retention_years(RetentionClass.LONG_TERM, policy) is None
    # The defaults: ≥5 and ≥3 years; Sichuan's 2 years is covered by the 3.
    defaults = ProvincePolicy()
    assert (REGISTRY["video"].years(defaults), REGISTRY["plan_notice"].years(defaults)) == (5, 3)


def test_every_model_of_the_system_is_classified() -> None:
    """A new model fails here until MODEL_CLASSES says what it is."""
    models = skillcert_models()
    missing = [label for label in models if label not in MODEL_CLASSES]
    assert not missing, f"classify these models in archives/registry.py: {missing}"
    stale = [label for label in MODEL_CLASSES if label not in models]
    assert not stale, f"no such models: {stale}"


@pytest.mark.parametrize("label", sorted(MODEL_CLASSES))
def test_each_class_is_exactly_one_kind(label: str) -> None:
    entry = MODEL_CLASSES[label]
    kinds = [
        entry.record_type is not None,
        entry.retention_class is not None,
        bool(entry.not_a_record),
    ]
    assert kinds.count(True) == 1, label
    if entry.retention_class is not None:
        assert entry.note, f"{label}: say what the record is"


def test_the_specs_name_models_that_belong_to_their_type() -> None:
    for spec in SPECS:
        for label in spec.models:
            assert apps.get_model(label) is not None
            entry = MODEL_CLASSES[label]
            assert entry.record_type is not None, f"{label} is named by {spec.record_type}"


@pytest.mark.django_db
def test_every_batch_lookup_leads_to_a_batch() -> None:
    for label, path in batch_bound_models().items():
        model = apps.get_model(label)
        lookup = f"{path}__status" if path else "status"
        # Builds the SQL: an invalid lookup raises FieldError here.
        str(model._base_manager.filter(**{lookup: "archived"}).query)
        if path:
            field = model._meta.get_field(path.split("__")[0])
            assert field.is_relation
    assert batch_bound_models()["batches.Batch"] == ""
    assert Batch._meta.label in batch_bound_models()
