"""The lifelong skill record (技能银行账户): every certificate, result, training course and
declared certificate of one person, as far as the reader's scope reaches.

粤人社函〔2021〕76号 五(二): a lifelong skill bank account records each worker's training
and evaluation; DESIGN.md step 10 lists all their certificates and results in it.

Who reads whose record: the person themself (everything of their own); institution staff
the persons who applied to or trained at their institution; HR officials of a city or the
province the persons with records in their region. Every list is read through
``for_actor``, so an official or institution sees only the items of their own scope.
Education officials read coverage statistics, not individual records, and examiners act
for themselves only: both are refused other people's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from skillcert.batches.choices import Component
from skillcert.certificates.models import Certificate, CertificateVersion
from skillcert.certificates.tokens import verification_url
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import ScopeLevel
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.identifiers import validate_id
from skillcert.core.masking import mask
from skillcert.core.personal import id_index
from skillcert.enrollment.models import HeldCertificate, Person
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES
from skillcert.results.choices import ComponentState, Outcome, ResultsStatus, ViolationGrade
from skillcert.results.models import ComponentScore, Result
from skillcert.results.selectors import latest_of, score_text
from skillcert.stats.models import TrainingRecord

# Who may look up other people's records: HR officials and institution staff.
LOOKUP_ROLES = AUTHORITY_ROLES | STAFF_ROLES


@dataclass(frozen=True)
class CertificateLine:
    certificate: Certificate
    versions: list[CertificateVersion]
    current: CertificateVersion | None
    verification_url: str


@dataclass(frozen=True)
class ComponentLine:
    label: str
    text: str  # "85.00", or the state's label (缺考, 成绩无效, 待评分)
    passed: bool | None


@dataclass(frozen=True)
class ResultLine:
    result: Result
    components: list[ComponentLine]
    outcome_label: str
    void_grade_label: str

    @property
    def total(self) -> Decimal | None:
        return self.result.total


@dataclass(frozen=True)
class SkillRecord:
    """One person's record as one reader may see it."""

    person: Person
    masked_id: str
    certificates: list[CertificateLine]
    results: list[ResultLine]
    training: list[TrainingRecord]
    held: list[HeldCertificate]

    @property
    def is_empty(self) -> bool:
        return not (self.certificates or self.results or self.training or self.held)


# --- who may read whose record -------------------------------------------------------------


def may_look_up(actor: Actor) -> bool:
    """HR officials and institution staff look people up (platform admins too)."""
    return actor.is_platform_admin or actor.role in LOOKUP_ROLES


def persons_for(actor: Actor) -> QuerySet[Person]:
    """The persons whose record ``actor`` may open: applicants and trainees in the
    reader's scope, or the reader's own person."""
    if actor.is_platform_admin:
        return Person.objects.all()
    if actor.role in LOOKUP_ROLES:
        applied = Person.objects.for_actor(actor).values("pk")
        trained = TrainingRecord.objects.for_actor(actor).values("person_id")
        return Person.objects.filter(Q(pk__in=applied) | Q(pk__in=trained))
    if actor.level == ScopeLevel.PERSON and actor.user_id is not None:
        return Person.objects.filter(user_id=actor.user_id)
    return Person.objects.none()


def own_person(actor: Actor) -> Person | None:
    """The signed-in person's own Person (acting for themselves), or None."""
    if actor.level != ScopeLevel.PERSON or actor.user_id is None:
        return None
    return Person.objects.filter(user_id=actor.user_id).first()


def can_read_record(actor: Actor, person: Person) -> bool:
    return persons_for(actor).filter(pk=person.pk).exists()


# --- the record ----------------------------------------------------------------------------


def _certificates(actor: Actor, person: Person) -> list[CertificateLine]:
    found = (
        Certificate.objects.for_actor(actor)
        .filter(person=person)
        .prefetch_related(
            Prefetch("versions", queryset=CertificateVersion.objects.order_by("version"))
        )
        .order_by("-issue_date", "number")
    )
    lines: list[CertificateLine] = []
    for certificate in found:
        versions = list(certificate.versions.all())
        current = next((v for v in versions if v.version == certificate.version), None)
        lines.append(
            CertificateLine(
                certificate=certificate,
                versions=versions,
                current=current,
                verification_url=verification_url(certificate.number, certificate.version),
            )
        )
    return lines


def _results_query(actor: Actor, person: Person) -> QuerySet[Result]:
    found = Result.objects.for_actor(actor).filter(application__person=person)
    if actor.level == ScopeLevel.PERSON:
        # A candidate sees a result once its batch's results are published, never before
        # (as on 我的成绩).
        found = found.filter(application__batch__results__published_at__isnull=False).exclude(
            application__batch__results__status=ResultsStatus.SCORING
        )
    return found.select_related(
        "application__batch__occupation",
        "application__batch__work_type",
        "application__batch__institution__organisation",
    ).prefetch_related(
        Prefetch("application__component_scores", queryset=ComponentScore.objects.all())
    )


def _result_line(result: Result) -> ResultLine:
    batch = result.application.batch
    standing = latest_of(result.application.component_scores.all())
    components: list[ComponentLine] = []
    for component in batch.components:
        row = standing.get(component)
        passed: bool | None = None
        if row is not None and row.state == ComponentState.SCORED and row.score is not None:
            passed = row.score >= batch.pass_mark_for(component)
        components.append(
            ComponentLine(
                label=str(Component(component).label), text=score_text(row), passed=passed
            )
        )
    return ResultLine(
        result=result,
        components=components,
        outcome_label=str(Outcome(result.outcome).label),
        void_grade_label=str(ViolationGrade(result.void_grade).label) if result.void_grade else "",
    )


def _results(actor: Actor, person: Person) -> list[ResultLine]:
    found = _results_query(actor, person).order_by("-application__batch__created_at", "-pk")
    return [_result_line(result) for result in found]


def training_for(actor: Actor) -> QuerySet[TrainingRecord]:
    """The training records in the actor's scope, newest first."""
    return (
        TrainingRecord.objects.for_actor(actor)
        .select_related("person", "institution__organisation", "occupation")
        .order_by("-started_on", "-pk")
    )


def skill_record(*, actor: Actor, person: Person) -> SkillRecord:
    """The person's record as ``actor`` may see it (粤人社函〔2021〕76号 五(二)).

    Raises PermissionDenied when the person is outside the actor's reach."""
    if not can_read_record(actor, person):
        raise PermissionDenied(_("您无权查看该人员的技能档案。"))
    held = (
        HeldCertificate.objects.for_actor(actor)
        .filter(person=person)
        .select_related("occupation", "work_type")
        .order_by("-issued_on", "pk")
    )
    return SkillRecord(
        person=person,
        masked_id=mask("id", person.id_number.plain),
        certificates=_certificates(actor, person),
        results=_results(actor, person),
        training=list(training_for(actor).filter(person=person)),
        held=list(held),
    )


# --- looking a person up -------------------------------------------------------------------


def not_found_message() -> str:
    return _("未查询到该人员的技能档案，请核对姓名和证件号码。")


@transaction.atomic
def skill_record_lookup(
    *, actor: Actor, full_name: str, id_type: str, id_number: str
) -> Person | None:
    """The person with this name and ID number in the actor's reach, or None.

    A wrong name, an unknown number and a person outside the reader's scope all give
    None, so the answer never tells which part was wrong. Every look-up, found or not,
    is audited with the masked number only."""
    if not may_look_up(actor):
        raise PermissionDenied(_("只有人社部门和评价机构人员可以查询人员技能档案。"))
    name = "".join(full_name.split())
    if not name:
        raise DomainError(_("请填写姓名。"), code="required")
    try:
        facts = validate_id(id_type, id_number)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid_id") from exc
    candidate = persons_for(actor).filter(id_number_index=id_index(id_type, facts.number)).first()
    found = candidate if candidate and "".join(candidate.full_name.split()) == name else None
    audit_record(
        actor=actor,
        action="stats.skill_record_lookup",
        obj=found,
        changes={"found": found is not None, "id_type": id_type, "id": mask("id", facts.number)},
    )
    return found
