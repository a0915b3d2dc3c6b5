"""May an institution evaluate an occupation (work type) at a level on a day?

:func:`scope_allows` is the one answer later apps use (batch plans, enrollment,
certificates). It refuses with a stable ``code`` and a reason in Chinese that names the
occupation, work type and level. Checks run in this order: the institution's directory
status, the filing's validity dates, the level cap of its school type, then its scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import Q
from django.utils.translation import gettext as _

from skillcert.catalog.models import Occupation, WorkType
from skillcert.core.choices import SkillLevel
from skillcert.core.models import ProvincePolicy
from skillcert.institutions.choices import DirectoryStatus, InstitutionType
from skillcert.institutions.models import Filing, Institution, ScopeEntry


class ScopeCode(StrEnum):
    """Stable codes of :class:`ScopeDecision` for API clients and tests."""

    OK = "ok"
    UNFILED = "unfiled"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    OUT_OF_SCOPE = "out_of_scope"
    LEVEL_OUT_OF_SCOPE = "level_out_of_scope"
    OVER_LEVEL_CAP = "over_level_cap"


@dataclass(frozen=True)
class ScopeDecision:
    """The answer of :func:`scope_allows`; ``reason`` is empty when allowed."""

    allowed: bool
    reason: str
    code: str
    entry: ScopeEntry | None = None


def province_policy(province_code: str) -> ProvincePolicy:
    """The province's policy, or an unsaved one with the defaults: reading never writes."""
    policy = ProvincePolicy.objects.filter(province_id=province_code).first()
    return policy or ProvincePolicy(province_id=province_code)


# 沪人社职〔2022〕102号 附件 一(三): 职业本科、独立设置的高职学校、本科高职学院 ≤ 三级,
# 中等职业学校 ≤ 四级. Technical schools, enterprises and social organisations are uncapped.
_HIGHER_CAPPED = frozenset(
    {
        InstitutionType.HIGHER_VOCATIONAL,
        InstitutionType.VOCATIONAL_UNDERGRADUATE,
        InstitutionType.UNDERGRADUATE,
    }
)


def level_cap(institution_type: str, policy: ProvincePolicy) -> int | None:
    """The highest level (smallest number) this type may evaluate, or None when uncapped."""
    if institution_type == InstitutionType.SECONDARY_VOCATIONAL:
        return policy.secondary_vocational_level_cap
    if institution_type in _HIGHER_CAPPED:
        return policy.higher_vocational_level_cap
    return None


def within_cap(level: int, cap: int | None) -> bool:
    # Levels count down (5 is the lowest): a cap of 4 allows 5 and 4.
    return cap is None or level >= cap


def subject_label(occupation: Occupation, work_type: WorkType | None, level: int | None) -> str:
    """e.g. 车工（6-18-01-01）三级/高级工, or 车工（6-18-01-01）·数控车工 三级/高级工."""
    text = f"{occupation.name}（{occupation.code}）"
    if work_type is not None:
        text += f"·{work_type.name} "
    if level is not None:
        text += SkillLevel(level).label
    return text.strip()


def level_range_label(lowest_level: int, highest_level: int) -> str:
    if lowest_level == highest_level:
        return str(SkillLevel(lowest_level).label)
    return _("%(low)s至%(high)s") % {
        "low": SkillLevel(lowest_level).label,
        "high": SkillLevel(highest_level).label,
    }


def scope_allows(
    institution: Institution,
    occupation: Occupation,
    work_type: WorkType | None,
    level: int,
    on_date: date,
) -> ScopeDecision:
    """Whether ``institution`` may evaluate the occupation (work type) at ``level`` on
    ``on_date``. An entry without a work type covers the whole occupation; an entry for a
    work type covers only that work type."""
    subject = subject_label(occupation, work_type, level)
    filing = Filing.objects.filter(institution=institution).first()
    if filing is None or institution.status == DirectoryStatus.UNFILED:
        text = _("该机构尚未备案，不能开展 %(subject)s 的认定。")
        return _refuse(ScopeCode.UNFILED, text % {"subject": subject})
    refusal = _status_refusal(institution, filing, subject) or _date_refusal(
        filing, on_date, subject
    )
    if refusal is not None:
        return refusal
    cap = level_cap(institution.type, province_policy(institution.organisation.province_id))
    if cap is not None and not within_cap(level, cap):
        text = _("%(type)s只能开展%(cap)s及以下等级的认定，不能开展 %(subject)s 的认定。")
        values = {
            "type": institution.get_type_display(),
            "cap": SkillLevel(cap).label,
            "subject": subject,
        }
        return _refuse(ScopeCode.OVER_LEVEL_CAP, text % values)
    return _entry_decision(filing, occupation, work_type, level, on_date, subject)


def _refuse(code: ScopeCode, reason: str) -> ScopeDecision:
    return ScopeDecision(allowed=False, reason=reason, code=code.value)


def _status_refusal(institution: Institution, filing: Filing, subject: str) -> ScopeDecision | None:
    status = institution.status
    values = {"subject": subject}
    if status == DirectoryStatus.SUSPENDED:
        if institution.rectification_due:
            values["due"] = institution.rectification_due.isoformat()
            text = _("该机构已被暂停评价（整改期限至%(due)s），不能开展 %(subject)s 的认定。")
        else:
            text = _("该机构已被暂停评价，不能开展 %(subject)s 的认定。")
        return _refuse(ScopeCode.SUSPENDED, text % values)
    if status == DirectoryStatus.REVOKED:
        text = _("该机构已被取消备案，不能开展 %(subject)s 的认定。")
        return _refuse(ScopeCode.REVOKED, text % values)
    if status == DirectoryStatus.EXPIRED:
        return _expired(filing, subject)
    return None


def _expired(filing: Filing, subject: str) -> ScopeDecision:
    text = _("该机构备案已于%(until)s到期，不能开展 %(subject)s 的认定。")
    return _refuse(
        ScopeCode.EXPIRED, text % {"until": filing.valid_until.isoformat(), "subject": subject}
    )


def _date_refusal(filing: Filing, on_date: date, subject: str) -> ScopeDecision | None:
    if on_date < filing.valid_from:
        text = _("该机构备案自%(start)s起生效，%(day)s不能开展 %(subject)s 的认定。")
        values = {
            "start": filing.valid_from.isoformat(),
            "day": on_date.isoformat(),
            "subject": subject,
        }
        return _refuse(ScopeCode.NOT_YET_VALID, text % values)
    # Expired by date even when the daily expiry task has not run yet.
    if on_date > filing.valid_until:
        return _expired(filing, subject)
    return None


def _entry_decision(
    filing: Filing,
    occupation: Occupation,
    work_type: WorkType | None,
    level: int,
    on_date: date,
    subject: str,
) -> ScopeDecision:
    covers_work_type = Q(work_type__isnull=True)
    if work_type is not None:
        covers_work_type |= Q(work_type=work_type)
    entries = list(
        ScopeEntry.objects.filter(
            covers_work_type,
            filing=filing,
            occupation=occupation,
            is_active=True,
            granted_on__lte=on_date,
        ).order_by("highest_level", "pk")
    )
    if not entries:
        return _refuse(ScopeCode.OUT_OF_SCOPE, _("该机构未备案 %(subject)s") % {"subject": subject})
    for entry in entries:
        if entry.covers(level):
            return ScopeDecision(allowed=True, reason="", code=ScopeCode.OK.value, entry=entry)
    ranges = "、".join(level_range_label(e.lowest_level, e.highest_level) for e in entries)
    text = _("该机构备案的 %(what)s 等级范围为%(ranges)s，不含%(level)s。")
    values = {
        "what": subject_label(occupation, work_type, None),
        "ranges": ranges,
        "level": SkillLevel(level).label,
    }
    return _refuse(ScopeCode.LEVEL_OUT_OF_SCOPE, text % values)
