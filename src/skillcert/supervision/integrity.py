"""Integrity records (诚信档案) and the bars they carry (川人社办发〔2020〕20号 五 and 六;
云人社函〔2023〕1号 一(四)).

A bar is a non-lifted BARRED record of a person, found by the blind index of their ID
number, so it reaches every institution and every registry row of that person. The
application and staffing services call :func:`require_not_barred` before they act.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from skillcert.core.errors import DomainError
from skillcert.institutions.models import Institution
from skillcert.supervision.choices import EffectKind, SubjectKind
from skillcert.supervision.models import IntegrityRecord


def _bars(id_number_index: str, on: date) -> QuerySet[IntegrityRecord]:
    return IntegrityRecord.objects.filter(
        id_number_index=id_number_index,
        kind=EffectKind.BARRED,
        lifted_at__isnull=True,
        starts_on__lte=on,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def active_bar(
    id_number_index: str, *, on: date, subject_kind: str | None = None
) -> IntegrityRecord | None:
    """The bar covering ``on`` that ends last (a non-lifted BARRED record), or None.
    ``subject_kind`` narrows it to candidates' or staff members' bars."""
    if not id_number_index:
        return None
    bars = _bars(id_number_index, on)
    if subject_kind:
        bars = bars.filter(subject_kind=subject_kind)
    return bars.order_by("-ends_on", "-pk").first()


def require_not_barred(id_number_index: str, *, on: date, as_staff: bool) -> None:
    """Refuse a barred person: as a candidate (技能人才评价违纪违规行为处理工作指引: 严重 →
    当年不得参加, 特别严重 → 数年不得参加) or as staff (川人社办发〔2020〕20号 六: 取消资格，
    不得参与评价工作)."""
    kind = SubjectKind.STAFF if as_staff else SubjectKind.CANDIDATE
    bar = active_bar(id_number_index, on=on, subject_kind=kind)
    if bar is None:
        return
    until = bar.ends_on.isoformat() if bar.ends_on else _("长期")
    if as_staff:
        message = _(
            "该人员因违纪违规被取消考评或督导资格，%(until)s前不得参与职业技能等级认定工作"
            "（处理决定%(number)s）。"
        )
        code = "staff_barred"
    else:
        message = _("该人员因违纪违规，%(until)s前不得参加职业技能等级认定（处理决定%(number)s）。")
        code = "candidate_barred"
    raise DomainError(message % {"until": until, "number": bar.case.number}, code=code)


def records_for_institution(institution: Institution) -> QuerySet[IntegrityRecord]:
    """Every entry about the institution itself and about people at it, newest first.
    Callers facing requests narrow it with ``for_actor`` first."""
    return IntegrityRecord.objects.filter(institution=institution).select_related("case")


def records_for_person(id_number_index: str) -> QuerySet[IntegrityRecord]:
    """Every entry of one person (candidate or staff), at any institution."""
    if not id_number_index:
        return IntegrityRecord.objects.none()
    return IntegrityRecord.objects.filter(id_number_index=id_number_index).select_related(
        "case", "institution"
    )
