"""The filing conditions of 川人社办发〔2020〕20号 附件1, computed from the registry.

Shown pass/fail on the application and required in full for approval. For an addition the
per-occupation conditions cover the new lines; for a renewal, the scope already granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import gettext as _

from skillcert.catalog.models import Occupation, WorkType
from skillcert.institutions.choices import (
    REQUIRED_MATERIALS_BY_KIND,
    FilingKind,
    MaterialKind,
    StaffKind,
)
from skillcert.institutions.models import (
    FilingApplication,
    Institution,
    ScopeEntry,
    Site,
    StaffMember,
)
from skillcert.institutions.scope import (
    level_cap,
    level_range_label,
    province_policy,
    subject_label,
    within_cap,
)


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    passed: bool
    detail: str = ""


class _Line(NamedTuple):
    """A requested scope line or, for a renewal, a granted entry."""

    occupation: Occupation
    work_type: WorkType | None
    lowest_level: int
    highest_level: int
    item_bank_source: str | None  # None: a granted entry keeps its filed item bank

    @property
    def label(self) -> str:
        levels = level_range_label(self.lowest_level, self.highest_level)
        return f"{subject_label(self.occupation, self.work_type, None)} {levels}"


def required_materials(kind: str) -> tuple[MaterialKind, ...]:
    return REQUIRED_MATERIALS_BY_KIND[kind]


def missing_materials(application: FilingApplication) -> list[MaterialKind]:
    uploaded = set(application.materials.values_list("kind", flat=True))
    return [kind for kind in required_materials(application.kind) if kind not in uploaded]


def filing_conditions(application: FilingApplication) -> list[Condition]:
    """Every condition with its result, in the order of 附件1."""
    institution = application.institution
    policy = province_policy(institution.organisation.province_id)
    lines = _lines(application)
    conditions = [_scope(application, lines)]
    # 附件1 二: 每个职业（工种）考评人员不得少于3人 (the number comes from the policy).
    conditions += [
        _examiners(institution, line, policy.min_examiners_per_occupation) for line in lines
    ]
    cap = level_cap(institution.type, policy)
    conditions += [
        _sites(institution),
        _monitoring(institution),
        _item_bank(lines),
        _level_cap(institution, lines, cap),
        _staff(institution, StaffKind.STAFF, "staff", _("具有专职工作人员")),
        _staff(institution, StaffKind.EXPERT, "experts", _("具有专家队伍")),
        _staff(institution, StaffKind.SUPERVISOR, "supervisors", _("具有质量督导人员")),
        _materials(application),
    ]
    return conditions


def _lines(application: FilingApplication) -> list[_Line]:
    if application.kind == FilingKind.RENEWAL:
        entries = ScopeEntry.objects.filter(
            filing__institution_id=application.institution_id, is_active=True
        ).select_related("occupation", "work_type")
        return [
            _Line(e.occupation, e.work_type, e.lowest_level, e.highest_level, None) for e in entries
        ]
    return [
        _Line(
            line.occupation,
            line.work_type,
            line.lowest_level,
            line.highest_level,
            line.item_bank_source,
        )
        for line in application.scope_lines.select_related("occupation", "work_type").order_by("pk")
    ]


def _scope(application: FilingApplication, lines: list[_Line]) -> Condition:
    label = _("申请评价的职业（工种）")
    if application.kind == FilingKind.RENEWAL:
        label = _("延续备案的职业（工种）")
    detail = _("共%(n)d项") % {"n": len(lines)} if lines else _("尚未填写")
    return Condition("scope", label, bool(lines), detail)


def _examiners(institution: Institution, line: _Line, minimum: int) -> Condition:
    qualified = Q(
        qualifications__occupation=line.occupation,
        qualifications__highest_level__lte=line.highest_level,
    )
    # A whole-occupation line needs whole-occupation examiners; a work-type line also
    # accepts examiners qualified for the whole occupation.
    if line.work_type is None:
        qualified &= Q(qualifications__work_type__isnull=True)
    else:
        qualified &= Q(qualifications__work_type__isnull=True) | Q(
            qualifications__work_type=line.work_type
        )
    count = (
        StaffMember.objects.filter(
            qualified, institution=institution, kind=StaffKind.EXAMINER, is_active=True
        )
        .values("pk")
        .distinct()
        .count()
    )
    label = _("%(line)s：考评人员不少于%(n)d人") % {"line": line.label, "n": minimum}
    detail = _("现有%(count)d人可考评至该等级") % {"count": count}
    work_type_key = line.work_type.pk if line.work_type else 0
    key = f"examiners:{line.occupation.pk}:{work_type_key}"
    return Condition(key, label, count >= minimum, detail)


def _sites(institution: Institution) -> Condition:
    count = Site.objects.filter(institution=institution, is_active=True).count()
    detail = _("启用场地%(n)d个") % {"n": count}
    return Condition("sites", _("具有与评价相适应的场地"), count > 0, detail)


def _monitoring(institution: Institution) -> Condition:
    count = Site.objects.filter(
        institution=institution, is_active=True, has_video_monitoring=True
    ).count()
    detail = _("配备视频监控的场地%(n)d个") % {"n": count}
    return Condition("monitoring", _("具有网络视频监控设备"), count > 0, detail)


def _item_bank(lines: list[_Line]) -> Condition:
    missing = [line.label for line in lines if line.item_bank_source == ""]
    detail = _("未说明命题资源：%(lines)s") % {"lines": "；".join(missing)} if missing else ""
    label = _("建立与所认定职业（工种）相对应的题库")
    return Condition("item_bank", label, bool(lines) and not missing, detail)


def _level_cap(institution: Institution, lines: list[_Line], cap: int | None) -> Condition:
    # 沪人社职〔2022〕102号 附件 一(三): the school type bounds the levels.
    label = _("申请等级不超过学校培养层次对应的等级")
    if cap is None:
        return Condition("level_cap", label, True, _("该类型机构不限等级"))
    over = [line.label for line in lines if not within_cap(line.highest_level, cap)]
    detail = _("%(type)s最高可评%(cap)s") % {
        "type": institution.get_type_display(),
        "cap": level_range_label(cap, cap),
    }
    if over:
        detail += _("；超出：%(lines)s") % {"lines": "；".join(over)}
    return Condition("level_cap", label, not over, detail)


def _staff(institution: Institution, kind: StaffKind, key: str, label: str) -> Condition:
    count = StaffMember.objects.filter(institution=institution, kind=kind, is_active=True).count()
    return Condition(key, label, count > 0, _("在册%(n)d人") % {"n": count})


def _materials(application: FilingApplication) -> Condition:
    missing = missing_materials(application)
    detail = (
        _("缺少：%(kinds)s") % {"kinds": "、".join(str(k.label) for k in missing)}
        if missing
        else ""
    )
    return Condition("materials", _("申请材料齐全（附件2）"), not missing, detail)
