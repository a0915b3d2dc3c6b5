"""The lifelong skill record (技能银行账户, 粤人社函〔2021〕76号 五(二)): what each reader
sees of one person, and the audited look-up by name and ID number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from skillcert.certificates.tokens import verification_url
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.enrollment.models import Person
from skillcert.results.choices import ResultsStatus
from skillcert.results.models import BatchResults
from skillcert.stats import lifelong
from tests.certificates.matrix_pages import keys_for_test
from tests.conftest import Cast, Refused
from tests.stats.builders_lifelong import LifelongWorld, build_lifelong

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    return keys_for_test(settings, tmp_path / "keys")


@pytest.fixture
def lw(cast: Cast) -> LifelongWorld:
    return build_lifelong(cast)


def _seen(lw: LifelongWorld, role: str, person: Person | None = None) -> dict[str, set[int]]:
    record = lifelong.skill_record(actor=lw.cast.actor(role), person=person or lw.person)
    return {
        "certificates": {line.certificate.pk for line in record.certificates},
        "results": {line.result.pk for line in record.results},
        "training": {t.pk for t in record.training},
        "held": {h.pk for h in record.held},
    }


def test_the_person_sees_everything_of_their_own_and_nothing_else(lw: LifelongWorld) -> None:
    assert _seen(lw, "candidate") == {
        "certificates": {lw.certificate.pk},
        "results": {lw.result.pk},
        "training": {lw.training_a.pk, lw.training_b.pk},
        "held": {lw.held.pk},
    }
    record = lifelong.skill_record(actor=lw.cast.actor("candidate"), person=lw.person)
    line = record.certificates[0]
    assert line.current is not None
    assert line.current.version == 1
    assert [v.version for v in line.versions] == [1]
    assert line.verification_url == verification_url(lw.certificate.number, 1)
    assert record.masked_id == lw.person.id_number.masked
    assert record.results[0].outcome_label == "合格"
    assert [c.label for c in record.results[0].components] == ["理论知识考试", "操作技能考核"]


def test_the_person_may_not_read_another_record(lw: LifelongWorld, refused: Refused) -> None:
    refused(
        PermissionDenied,
        lambda: lifelong.skill_record(actor=lw.cast.actor("candidate"), person=lw.other),
    )


def test_results_stay_hidden_from_the_person_until_published(lw: LifelongWorld) -> None:
    BatchResults.objects.filter(batch=lw.ck.batch).update(status=ResultsStatus.SCORING)
    assert _seen(lw, "candidate")["results"] == set()
    assert _seen(lw, "institution_a")["results"] == {lw.result.pk}


@pytest.mark.parametrize(
    ("role", "training", "sees_a"),
    [
        ("province", {"a", "b"}, True),
        ("city_a", {"a"}, True),
        ("institution_a", {"a"}, True),
        ("city_b", {"b"}, False),
        ("institution_b", {"b"}, False),
    ],
)
def test_each_reader_sees_the_items_of_their_scope(
    lw: LifelongWorld, role: str, training: set[str], sees_a: bool
) -> None:
    keys = {"a": lw.training_a.pk, "b": lw.training_b.pk}
    seen = _seen(lw, role)
    assert seen["training"] == {keys[k] for k in training}
    assert seen["certificates"] == ({lw.certificate.pk} if sees_a else set())
    assert seen["results"] == ({lw.result.pk} if sees_a else set())
    # Declared certificates follow the person's applications (all at institution A).
    assert seen["held"] == ({lw.held.pk} if sees_a else set())


def test_other_persons_items_never_appear(lw: LifelongWorld) -> None:
    seen = _seen(lw, "institution_a")
    assert lw.other_training.pk not in seen["training"]
    other = _seen(lw, "institution_a", lw.other)
    assert other["training"] == {lw.other_training.pk}
    assert lw.certificate.pk not in other["certificates"]
    assert lw.result.pk not in other["results"]


@pytest.mark.parametrize("role", ["city_b", "institution_b"])
def test_a_person_with_nothing_in_the_region_is_out_of_reach(
    lw: LifelongWorld, role: str, refused: Refused
) -> None:
    assert not lifelong.can_read_record(lw.cast.actor(role), lw.other)
    refused(
        PermissionDenied, lambda: lifelong.skill_record(actor=lw.cast.actor(role), person=lw.other)
    )


@pytest.mark.parametrize("role", ["education", "examiner", "anonymous"])
def test_education_officials_examiners_and_strangers_are_refused(
    lw: LifelongWorld, role: str, refused: Refused
) -> None:
    refused(
        PermissionDenied, lambda: lifelong.skill_record(actor=lw.cast.actor(role), person=lw.person)
    )


# --- the look-up -------------------------------------------------------------------------


def _lookup(lw: LifelongWorld, role: str, name: str, number: str) -> Person | None:
    return lifelong.skill_record_lookup(
        actor=lw.cast.actor(role), full_name=name, id_type=lw.person.id_type, id_number=number
    )


def test_a_lookup_finds_the_person_and_is_audited(lw: LifelongWorld) -> None:
    number = lw.id_number(lw.person)
    found = _lookup(lw, "city_a", f" {lw.person.full_name} ", number.lower())
    assert found == lw.person
    event = AuditEvent.objects.filter(action="stats.skill_record_lookup").latest("seq")
    assert event.changes["found"] is True
    assert event.object_id == str(lw.person.pk)
    assert event.actor_id == lw.cast.users["city_a"].pk
    assert number not in str(event.changes)
    assert number not in event.object_label


def test_a_wrong_pair_finds_nothing_without_saying_which_part(lw: LifelongWorld) -> None:
    number = lw.id_number(lw.person)
    wrong_name = _lookup(lw, "city_a", "某某某", number)
    unknown = _lookup(lw, "city_a", lw.person.full_name, lw.id_number(lw.other))
    # The other person is out of city B's reach: the same answer as an unknown pair.
    out_of_reach = _lookup(lw, "city_b", lw.other.full_name, lw.id_number(lw.other))
    assert wrong_name is None
    assert unknown is None
    assert out_of_reach is None
    events = AuditEvent.objects.filter(action="stats.skill_record_lookup").order_by("seq")
    assert [e.changes["found"] for e in events] == [False, False, False]
    assert all(e.object_id == "" for e in events)


def test_a_malformed_number_is_refused(lw: LifelongWorld, refused: Refused) -> None:
    refused(
        DomainError, lambda: _lookup(lw, "city_a", lw.person.full_name, "123"), code="invalid_id"
    )


@pytest.mark.parametrize("role", ["candidate", "examiner", "education"])
def test_only_officials_and_institutions_look_up(
    lw: LifelongWorld, role: str, refused: Refused
) -> None:
    refused(
        PermissionDenied,
        lambda: _lookup(lw, role, lw.person.full_name, lw.id_number(lw.person)),
    )


def test_a_person_known_only_by_training_is_in_the_institutions_reach(
    lw: LifelongWorld,
) -> None:
    # Institution B never had an application from the person: the course alone links them.
    assert (
        not Person.objects.for_actor(lw.cast.actor("institution_b"))
        .filter(pk=lw.person.pk)
        .exists()
    )
    assert lifelong.can_read_record(lw.cast.actor("institution_b"), lw.person)
    found = _lookup(lw, "institution_b", lw.person.full_name, lw.id_number(lw.person))
    assert found == lw.person
