"""Every write to the catalogue: new occupations and work types, standards, levels, weights.

The catalogue is national reference data; provincial officials and platform admins
maintain it. Each service is one transaction that checks permission, validates, writes
and records an audit event (STYLE.md 2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.catalog.choices import CatalogSource, OccupationTier, StandardKind, WeightTable
from skillcert.catalog.eligibility import Route, validate_routes
from skillcert.catalog.importer import MARKER_RE, pinyin_initials
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WeightRow, WorkType
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import Role, ScopeLevel, SkillLevel
from skillcert.core.errors import DomainError, PermissionDenied

CODE_RE = re.compile(r"^(\d)-(\d{2})-(\d{2})-(\d{2})$")
HUNDRED = Decimal(100)

# National standards §1.9 (DESIGN.md "Rules with numbers").
MIN_THEORY_MINUTES = 90
MIN_REVIEW_MINUTES = 30
MAX_CANDIDATES_PER_PROCTOR = 15  # 监考人员与考生配比不低于 1:15
MIN_PROCTORS_PER_ROOM = 2  # 每个考场不少于 2 名监考人员
MIN_PANEL = 3  # 考评人员、综合评审委员为 3 人（含）以上单数


def can_edit_catalog(actor: Actor) -> bool:
    """Provincial officials and platform admins maintain the catalogue and the standards."""
    if actor.is_platform_admin:
        return True
    return actor.role == Role.PROVINCE_OFFICIAL and actor.level == ScopeLevel.PROVINCE


def _require_editor(actor: Actor) -> None:
    if not can_edit_catalog(actor):
        raise PermissionDenied(_("只有省级人社部门或平台管理员可以维护职业目录和标准。"))


def _clean(obj: Model, **kwargs: Any) -> None:
    """``full_clean`` with Django's messages, each after its field's name, as one DomainError."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise DomainError(_field_messages(obj, exc)) from exc


def _field_messages(obj: Model, exc: ValidationError) -> str:
    parts: list[str] = []
    for name, messages in exc.message_dict.items():
        if name == NON_FIELD_ERRORS:
            parts.extend(messages)
            continue
        field = obj._meta.get_field(name)
        label = str(getattr(field, "verbose_name", name))
        parts.extend(f"{label}：{message}" for message in messages)
    return "；".join(parts)


# --- occupations and work types ----------------------------------------------------------


def expected_parent(code: str) -> tuple[str, int]:
    """The code and tier of the node a new occupation must sit under (its 小类, or the
    中类 for codes like 1-01-00-03 whose 小类 shares the 中类's code)."""
    match = CODE_RE.match(code)
    if match is None or match.group(4) == "00":
        raise DomainError(
            _("职业编码格式应为 D-DD-DD-DD，且末两位不为 00（例如 4-04-05-13）：%(code)s")
            % {"code": code}
        )
    major, middle, minor, _occ = match.groups()
    if minor == "00":  # e.g. 1-01-00-03: the 中类 is its own single 小类
        return f"{major}-{middle}-00-00", OccupationTier.MIDDLE
    return f"{major}-{middle}-{minor}-00", OccupationTier.MINOR


def _check_name(name: str, what: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError(_("请填写%(what)s名称。") % {"what": what})
    if MARKER_RE.search(name):
        raise DomainError(_("名称不要带 S/L 标识，请勾选“数字职业”“绿色职业”。"))
    return name


@transaction.atomic
def occupation_add(
    *,
    actor: Actor,
    code: str,
    name: str,
    parent: Occupation,
    is_digital: bool,
    is_green: bool,
    definition: str,
    published_by: str,
) -> Occupation:
    """Add an occupation published after the 2022 大典 (人社部 new-occupation notices)."""
    _require_editor(actor)
    code = code.strip()
    name = _check_name(name, _("职业"))
    parent_code, parent_tier = expected_parent(code)
    if parent.code != parent_code or parent.tier != parent_tier:
        raise DomainError(
            _("职业 %(code)s 的上级必须是%(tier)s %(parent)s，而不是 %(given)s。")
            % {
                "code": code,
                "tier": OccupationTier(parent_tier).label,
                "parent": parent_code,
                "given": str(parent),
            }
        )
    existing = Occupation.objects.filter(code=code).first()
    if existing is not None:
        raise DomainError(
            _("职业编码 %(code)s 已存在（%(name)s）。") % {"code": code, "name": existing.name}
        )
    if not published_by.strip():
        raise DomainError(_("请填写发布该职业的文件。"))
    occupation = Occupation(
        code=code,
        name=name,
        tier=OccupationTier.OCCUPATION,
        parent=parent,
        is_digital=is_digital,
        is_green=is_green,
        definition=definition.strip(),
        initials=pinyin_initials(name),
        source=CatalogSource.PUBLISHED,
        published_by=published_by.strip(),
    )
    _clean(occupation)
    occupation.save()
    audit_record(
        actor=actor,
        action="occupation.add",
        obj=occupation,
        changes={"after": {"code": code, "name": name, "published_by": occupation.published_by}},
    )
    return occupation


@transaction.atomic
def work_type_add(
    *, actor: Actor, occupation: Occupation, name: str, code: str, published_by: str
) -> WorkType:
    """Add a 工种 under an occupation; the code (optional) extends the occupation's code."""
    _require_editor(actor)
    if occupation.tier != OccupationTier.OCCUPATION:
        raise DomainError(_("工种只能添加在职业（细类）之下。"))
    name = _check_name(name, _("工种"))
    code = code.strip()
    if code and not re.fullmatch(re.escape(occupation.code) + r"-\d{2,3}", code):
        raise DomainError(
            _("工种编码应为职业编码加两到三位序号，例如 %(example)s。")
            % {"example": f"{occupation.code}-01"}
        )
    if WorkType.objects.filter(occupation=occupation, name=name).exists():
        raise DomainError(
            _("职业 %(occ)s 下已有工种“%(name)s”。") % {"occ": occupation.name, "name": name}
        )
    if code and WorkType.objects.filter(occupation=occupation, code=code).exists():
        raise DomainError(_("工种编码 %(code)s 已被使用。") % {"code": code})
    work_type = WorkType(
        occupation=occupation,
        name=name,
        code=code,
        initials=pinyin_initials(name),
        source=CatalogSource.PUBLISHED,
        published_by=published_by.strip(),
    )
    _clean(work_type)
    work_type.save()
    audit_record(
        actor=actor,
        action="work_type.add",
        obj=work_type,
        changes={"after": {"occupation": occupation.code, "name": name, "code": code}},
    )
    return work_type


# --- standards ---------------------------------------------------------------------------


@transaction.atomic
def standard_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    document_number: str,
    year: int,
    occupation: Occupation,
    work_types: Sequence[WorkType],
    is_demo: bool = False,
) -> Standard:
    """Record a national skill standard or a filed evaluation specification."""
    _require_editor(actor)
    if kind not in StandardKind.values:
        raise DomainError(_("未知的标准类型：%(kind)s") % {"kind": kind})
    if occupation.tier != OccupationTier.OCCUPATION:
        raise DomainError(_("标准只能对应职业（细类），不能对应大类、中类或小类。"))
    strangers = [w.name for w in work_types if w.occupation_id != occupation.pk]
    if strangers:
        raise DomainError(
            _("工种不属于职业 %(occ)s：%(names)s")
            % {"occ": occupation.name, "names": "、".join(strangers)}
        )
    this_year = timezone.localdate().year
    if not 1990 <= year <= this_year + 1:
        raise DomainError(_("发布年份应在 1990 至 %(max)s 年之间。") % {"max": this_year + 1})
    title, document_number = title.strip(), document_number.strip()
    if Standard.objects.filter(
        occupation=occupation, title=title, document_number=document_number
    ).exists():
        raise DomainError(
            _("该职业已有同名同文号的标准：%(title)s（%(doc)s）。")
            % {"title": title, "doc": document_number}
        )
    standard = Standard(
        kind=kind,
        title=title,
        document_number=document_number,
        year=year,
        occupation=occupation,
        is_demo=is_demo,
    )
    _clean(standard)
    standard.save()
    standard.work_types.set(work_types)
    audit_record(
        actor=actor,
        action="standard.create",
        obj=standard,
        changes={
            "after": {
                "kind": kind,
                "title": title,
                "document_number": document_number,
                "year": year,
                "occupation": occupation.code,
                "work_types": [w.name for w in work_types],
                "is_demo": is_demo,
            }
        },
    )
    return standard


LEVEL_FIELDS = (
    "eligibility_routes",
    "theory_minutes",
    "practical_minutes",
    "review_minutes",
    "candidates_per_proctor",
    "min_proctors_per_room",
    "candidates_per_examiner",
    "min_examiners",
    "min_review_panel",
)


@transaction.atomic
def standard_level_set(
    *,
    actor: Actor,
    standard: Standard,
    level: int,
    eligibility_routes: list[Route],
    theory_minutes: int,
    practical_minutes: int,
    review_minutes: int | None,
    candidates_per_proctor: int = 15,
    min_proctors_per_room: int = 2,
    candidates_per_examiner: int = 5,
    min_examiners: int = 3,
    min_review_panel: int = 3,
) -> StandardLevel:
    """Create or replace what ``standard`` says for ``level``: routes, durations, staffing."""
    _require_editor(actor)
    values: dict[str, Any] = {
        "eligibility_routes": eligibility_routes,
        "theory_minutes": theory_minutes,
        "practical_minutes": practical_minutes,
        "review_minutes": review_minutes,
        "candidates_per_proctor": candidates_per_proctor,
        "min_proctors_per_room": min_proctors_per_room,
        "candidates_per_examiner": candidates_per_examiner,
        "min_examiners": min_examiners,
        "min_review_panel": min_review_panel,
    }
    problems = _level_problems(level, values)
    if problems:
        raise DomainError("；".join(problems))
    row = StandardLevel.objects.select_for_update().filter(standard=standard, level=level).first()
    before = {name: getattr(row, name) for name in LEVEL_FIELDS} if row else None
    if row is None:
        row = StandardLevel(standard=standard, level=level, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    _clean(row, exclude=["standard"])
    if before is None:
        row.save()
    else:
        row.save(update_fields=list(LEVEL_FIELDS))
    audit_record(
        actor=actor,
        action="standard_level.set",
        obj=row,
        changes={"level": level, "before": before, "after": values},
    )
    return row


def _level_problems(level: int, v: dict[str, Any]) -> list[str]:
    """The national standards' §1.9 floors, and the routes' schema."""
    if level not in SkillLevel.values:
        return [_("等级必须是 1 至 5。")]
    problems = list(validate_routes(level, v["eligibility_routes"]))
    if v["theory_minutes"] < MIN_THEORY_MINUTES:
        problems.append(_("理论知识考试时间不少于 %(n)s 分钟。") % {"n": MIN_THEORY_MINUTES})
    if v["practical_minutes"] < 1:
        problems.append(_("请填写操作技能考核时间。"))
    if level <= SkillLevel.TWO:
        if v["review_minutes"] is None or v["review_minutes"] < MIN_REVIEW_MINUTES:
            problems.append(
                _("二级、一级须设综合评审，时间不少于 %(n)s 分钟。") % {"n": MIN_REVIEW_MINUTES}
            )
        if not _odd_panel(v["min_review_panel"]):
            problems.append(_("综合评审委员应为 3 人（含）以上单数。"))
    elif v["review_minutes"] is not None:
        problems.append(_("综合评审只适用于二级、一级。"))
    if not 1 <= v["candidates_per_proctor"] <= MAX_CANDIDATES_PER_PROCTOR:
        problems.append(_("监考人员与考生配比不得低于 1:15。"))
    if v["min_proctors_per_room"] < MIN_PROCTORS_PER_ROOM:
        problems.append(_("每个考场监考人员不少于 2 名。"))
    if v["candidates_per_examiner"] < 1:
        problems.append(_("考评人员与考生配比必须是正数。"))
    if not _odd_panel(v["min_examiners"]):
        problems.append(_("考评人员应为 3 人（含）以上单数。"))
    return problems


def _odd_panel(size: int) -> bool:
    return size >= MIN_PANEL and size % 2 == 1


WeightInput = tuple[str, str, Decimal]


@transaction.atomic
def weight_table_set(
    *,
    actor: Actor,
    standard_level: StandardLevel,
    table: str,
    rows: Sequence[WeightInput],
) -> list[WeightRow]:
    """Replace one 权重表 of a level; the shares must add up to exactly 100%."""
    _require_editor(actor)
    if table not in WeightTable.values:
        raise DomainError(_("未知的权重表：%(table)s") % {"table": table})
    new = _weight_rows(standard_level, table, rows)
    current = WeightRow.objects.filter(standard_level=standard_level, table=table)
    before = [[w.code, w.name, str(w.percent)] for w in current.order_by("position")]
    current.delete()
    WeightRow.objects.bulk_create(new)
    audit_record(
        actor=actor,
        action="weight_table.set",
        obj=standard_level,
        changes={
            "table": table,
            "before": before,
            "after": [[w.code, w.name, str(w.percent)] for w in new],
        },
    )
    return new


def _weight_rows(
    standard_level: StandardLevel, table: str, rows: Sequence[WeightInput]
) -> list[WeightRow]:
    if not rows:
        raise DomainError(_("权重表至少需要一行。"))
    built: list[WeightRow] = []
    names: set[tuple[str, str]] = set()
    for position, (code, name, percent) in enumerate(rows, start=1):
        key = (code.strip(), name.strip())
        if key in names:
            raise DomainError(
                _("第 %(n)s 行与前面的行重复：%(name)s") % {"n": position, "name": name}
            )
        names.add(key)
        row = WeightRow(
            standard_level=standard_level,
            table=table,
            position=position,
            code=key[0],
            name=key[1],
            percent=_percent(percent, position),
        )
        try:
            row.full_clean(exclude=["standard_level"], validate_unique=False)
        except ValidationError as exc:
            raise DomainError(
                _("第 %(n)s 行：%(msg)s") % {"n": position, "msg": _field_messages(row, exc)}
            ) from exc
        built.append(row)
    total = sum((row.percent for row in built), Decimal(0))
    if total != HUNDRED:
        raise DomainError(_("权重合计为 %(sum)s%%，应为 100%%。") % {"sum": _fmt(total)})
    return built


def _percent(value: Any, position: int) -> Decimal:
    try:
        percent = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise DomainError(_("第 %(n)s 行：比重不是数字。") % {"n": position}) from exc
    if not percent.is_finite():
        raise DomainError(_("第 %(n)s 行：比重不是数字。") % {"n": position})
    return percent


def _fmt(value: Decimal) -> str:
    """100.00 → 100, 95.50 → 95.5 (for messages)."""
    return format(value.normalize(), "f")
