"""Load the 2022 职业分类大典 (tiers 1–4) into :class:`Occupation`, idempotently.

``csco2022_occupations.csv`` (catalog/data, MIT) is the source of record; the few
defects it has are repaired here and named in the report (data/README.md). The
occstructor tree (no licence, so not shipped) is only cross-checked when it is found.

A second run writes nothing: rows are compared field by field and only the ones that
differ are updated. Rows that officials added (``source=published``) are never touched.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from pypinyin import Style, lazy_pinyin

from skillcert.catalog.choices import CatalogSource, OccupationTier
from skillcert.catalog.models import Occupation
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record

DATA_DIR = Path(__file__).resolve().parent / "data"
CSV_NAME = "csco2022_occupations.csv"
SUPPLEMENT_NAME = "csco2022_supplement.csv"
TREE_NAME = "occupation_tree_2022_occstructor.json"
# The shared data folder next to the checkout; used for the cross-check only, when present.
SHARED_DATA_DIR = Path(settings.BASE_DIR).parent / "shared" / "data"

CODE_RE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
# 2022 大典 markers after the name: S 数字职业, L 绿色职业, L/S both (national-rules.md §5).
MARKER_RE = re.compile(r"\s*(L/S|L|S)$")
# Stray spaces between Chinese characters (e.g. "皮革、 毛皮"); ASCII words keep theirs.
CJK_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")

# The fields an import owns; anything else (is_active, published_by) is left alone.
SYNCED_FIELDS = [
    "name",
    "tier",
    "parent",
    "is_digital",
    "is_green",
    "gbm_code",
    "definition",
    "tasks",
    "initials",
]


def split_marker(raw: str) -> tuple[str, bool, bool]:
    """``(name, is_green, is_digital)`` from a 大典 name such as ``电子商务师S``."""
    name = CJK_SPACE_RE.sub("", raw.strip())
    found = MARKER_RE.search(name)
    if found is None:
        return name, False, False
    marker = found.group(1)
    return name[: found.start()], "L" in marker, "S" in marker


def pinyin_initials(name: str) -> str:
    """Lower-case pinyin initials, letters and digits only: 车工 → ``cg``."""
    letters = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum())[:64]


def gbm_code(code: str, tier: int) -> str:
    """The GB/T 6565 code printed beside 中类 and 小类: the code's first five digits."""
    if tier not in (OccupationTier.MIDDLE, OccupationTier.MINOR):
        return ""
    return code.replace("-", "")[:5]


def parent_codes(code: str) -> list[str]:
    """Possible parents, nearest first: 小类, 中类, 大类 (minus the code itself)."""
    major, middle, minor, _ = code.split("-")
    chain = [f"{major}-{middle}-{minor}-00", f"{major}-{middle}-00-00", f"{major}-00-00-00"]
    return [c for c in chain if c != code]


@dataclass(frozen=True)
class SourceRow:
    tier: int
    code: str
    name: str
    is_green: bool = False
    is_digital: bool = False
    definition: str = ""
    tasks: str = ""


@dataclass
class SourceCatalogue:
    """The rows to load, and what was repaired on the way."""

    rows: list[SourceRow]
    duplicates: list[str] = field(default_factory=list)
    reclassified: list[str] = field(default_factory=list)
    supplemented: list[str] = field(default_factory=list)

    def count(self, tier: int) -> int:
        return sum(1 for row in self.rows if row.tier == tier)


@dataclass
class CrossCheck:
    """Differences between the CSV (as loaded) and the occstructor tree."""

    path: Path
    only_in_csv: list[str]
    only_in_tree: list[str]
    name_differences: list[str]
    gbm_differences: list[str]


@dataclass
class ImportReport:
    source: SourceCatalogue
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_published: list[str] = field(default_factory=list)
    cross_check: CrossCheck | None = None
    tree_note: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        s = self.source
        out = [
            "职业分类大典（2022）导入："
            f"大类 {s.count(1)}，中类 {s.count(2)}，小类 {s.count(3)}，职业 {s.count(4)}。",
            f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}，"
            f"保留官方后续发布的记录 {len(self.kept_published)}。",
        ]
        if s.duplicates:
            out.append("去除重复编码：" + "；".join(s.duplicates))
        if s.reclassified:
            out.append("按下级职业改为小类：" + "；".join(s.reclassified))
        if s.supplemented:
            out.append("补充缺失的小类：" + "；".join(s.supplemented))
        if self.kept_published:
            out.append("未覆盖（官方发布）：" + "、".join(self.kept_published))
        out.extend(self._cross_check_lines())
        return out

    def _cross_check_lines(self) -> list[str]:
        check = self.cross_check
        if check is None:
            return [self.tree_note]
        return [
            f"与 {check.path} 交叉核对：",
            f"  仅在 CSV 中（{len(check.only_in_csv)}）：" + ("、".join(check.only_in_csv) or "无"),
            f"  仅在层级树中（{len(check.only_in_tree)}）："
            + ("、".join(check.only_in_tree) or "无"),
            f"  名称不同（{len(check.name_differences)}）："
            + ("；".join(check.name_differences) or "无"),
            f"  GBM 代码不同（{len(check.gbm_differences)}）："
            + ("；".join(check.gbm_differences) or "无"),
        ]


# --- reading the sources -------------------------------------------------------------


def read_source(data_dir: Path) -> SourceCatalogue:
    """The CSV's rows, de-duplicated and repaired, plus the supplement's missing 小类."""
    with (data_dir / CSV_NAME).open(encoding="utf-8-sig", newline="") as handle:
        raw = [_csv_row(record) for record in csv.DictReader(handle)]
    catalogue = SourceCatalogue(rows=[])
    catalogue.rows = _deduplicate(raw, catalogue.duplicates)
    _reclassify_parents(catalogue)
    _supplement(catalogue, _supplement_path(data_dir))
    catalogue.rows.sort(key=lambda row: (row.tier, row.code))
    return catalogue


def _csv_row(record: dict[str, str]) -> SourceRow:
    code = record["code"].strip()
    if not CODE_RE.match(code):
        raise ValueError(f"bad occupation code in {CSV_NAME}: {code!r}")
    name, is_green, is_digital = split_marker(record["name"])
    return SourceRow(
        tier=int(record["level"]),
        code=code,
        name=name,
        is_green=is_green,
        is_digital=is_digital,
        definition=(record.get("definition") or "").strip(),
        tasks=(record.get("tasks") or "").strip(),
    )


def _deduplicate(rows: list[SourceRow], notes: list[str]) -> list[SourceRow]:
    """One row per code: the most specific tier wins, then the first occurrence."""
    kept: dict[str, SourceRow] = {}
    for row in rows:
        seen = kept.get(row.code)
        if seen is None:
            kept[row.code] = row
            continue
        winner = row if row.tier > seen.tier else seen
        kept[row.code] = winner
        notes.append(
            f"{row.code} {winner.name}（重复行：{OccupationTier(seen.tier).label}/"
            f"{OccupationTier(row.tier).label}，保留{OccupationTier(winner.tier).label}）"
        )
    return list(kept.values())


def _reclassify_parents(catalogue: SourceCatalogue) -> None:
    """A ``-00`` 职业 row with occupations under it is really their 小类 (6-20-03-00)."""
    minors = {r.code for r in catalogue.rows if r.tier == OccupationTier.MINOR}
    prefixes = {
        r.code[:7]
        for r in catalogue.rows
        if r.tier == OccupationTier.OCCUPATION and r.code[-2:] != "00"
    }
    for index, row in enumerate(catalogue.rows):
        if (
            row.tier == OccupationTier.OCCUPATION
            and row.code.endswith("-00")
            and row.code[5:7] != "00"
            and row.code[:7] in prefixes
            and row.code not in minors
        ):
            catalogue.rows[index] = SourceRow(
                tier=OccupationTier.MINOR, code=row.code, name=row.name
            )
            catalogue.reclassified.append(f"{row.code} {row.name}")


def _supplement_path(data_dir: Path) -> Path:
    own = data_dir / SUPPLEMENT_NAME
    return own if own.exists() else DATA_DIR / SUPPLEMENT_NAME


def _supplement(catalogue: SourceCatalogue, path: Path) -> None:
    present = {row.code for row in catalogue.rows}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            row = _csv_row(record)
            if row.code not in present:
                catalogue.rows.append(row)
                catalogue.supplemented.append(f"{row.code} {row.name}")


def find_tree(data_dir: Path, tree: Path | None = None) -> Path | None:
    """The occstructor tree: the given file, else in ``data_dir``, else in ../shared/data."""
    if tree is not None:
        return tree
    for folder in (data_dir, SHARED_DATA_DIR):
        if (folder / TREE_NAME).exists():
            return folder / TREE_NAME
    return None


def read_tree(path: Path) -> dict[tuple[int, str], tuple[str, str]]:
    """``{(tier, D-DD-DD-DD): (name, gbm)}`` from the occstructor export."""
    nodes: dict[tuple[int, str], tuple[str, str]] = {}
    stack: list[dict[str, Any]] = list(json.loads(path.read_text(encoding="utf-8"))["data"])
    while stack:
        node = stack.pop()
        parts = str(node["seq"]).split("-")
        code = "-".join(parts + ["00"] * (4 - len(parts)))
        nodes[(int(node["level"]), code)] = (str(node["name"]), str(node.get("gbm") or ""))
        stack.extend(node.get("children") or [])
    return nodes


def _comparable(name: str) -> str:
    return CJK_SPACE_RE.sub("", name).replace("(", "（").replace(")", "）")


def cross_check(
    catalogue: SourceCatalogue, tree: dict[tuple[int, str], tuple[str, str]], path: Path
) -> CrossCheck:
    ours = {(row.tier, row.code): row.name for row in catalogue.rows}
    occupation_codes = {code for tier, code in ours if tier == OccupationTier.OCCUPATION}
    middle_codes = {code for tier, code in tree if tier == OccupationTier.MIDDLE}

    def represented(key: tuple[int, str]) -> bool:
        tier, code = key
        if tier == OccupationTier.MINOR:
            # 小类 "1-01-00" shares the 中类's code; an undivided 小类 is its -00 occupation.
            return code in middle_codes or code in occupation_codes or key in ours
        return key in ours

    def label(key: tuple[int, str], name: str) -> str:
        return f"{key[1]} {name}（{OccupationTier(key[0]).label}）"

    only_csv = [label(k, n) for k, n in sorted(ours.items()) if k not in tree]
    only_tree = [label(k, v[0]) for k, v in sorted(tree.items()) if not represented(k)]
    names = [
        f"{code} {name} ≠ {tree[(tier, code)][0]}"
        for (tier, code), name in sorted(ours.items())
        if (tier, code) in tree and _comparable(name) != _comparable(tree[(tier, code)][0])
    ]
    gbm = [
        f"{code} 树中 {value[1]}，按编码应为 {gbm_code(code, tier)}"
        for (tier, code), value in sorted(tree.items())
        if gbm_code(code, tier) and value[1] != gbm_code(code, tier)
    ]
    return CrossCheck(path, only_csv, only_tree, names, gbm)


# --- writing ---------------------------------------------------------------------------


def import_catalog(
    *,
    actor: Actor,
    data_dir: Path | None = None,
    tree: Path | None = None,
    audit: bool = True,
) -> ImportReport:
    """Create or update the 大典 rows; one transaction, one audit event when anything changed.

    ``audit=False`` is for the test suite's shared fixture only, which must leave the
    audit chain empty for other apps' tests.
    """
    folder = data_dir or DATA_DIR
    report = ImportReport(source=read_source(folder))
    tree_path = find_tree(folder, tree)
    if tree_path is not None and tree_path.exists():
        report.cross_check = cross_check(report.source, read_tree(tree_path), tree_path)
    else:
        report.tree_note = f"未找到层级树 {TREE_NAME}（许可证未声明，未随项目分发），跳过交叉核对。"
    with transaction.atomic():
        _write(report)
        if audit and report.changed:
            audit_record(
                actor=actor,
                action="catalog.import",
                changes={
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "kept_published": report.kept_published,
                },
            )
    return report


def _write(report: ImportReport) -> None:
    existing = {o.code: o for o in Occupation.objects.all()}
    ids = {code: (o.pk, o.tier) for code, o in existing.items()}
    for tier in OccupationTier.values:
        rows = [row for row in report.source.rows if row.tier == tier]
        new, changed = _diff(rows, existing, ids, report)
        for occupation in new:
            # Field checks without the per-row queries of full_clean (unique code, parent
            # existence): codes are unique by construction and parents come from `ids`.
            occupation.clean_fields(exclude=["parent"])
        Occupation.objects.bulk_create(new, batch_size=500)
        if changed:
            Occupation.objects.bulk_update(changed, SYNCED_FIELDS, batch_size=500)
        report.created += len(new)
        report.updated += len(changed)
        if new:
            created = Occupation.objects.filter(code__in=[o.code for o in new])
            ids.update({code: (pk, tier) for code, pk in created.values_list("code", "pk")})


def _diff(
    rows: list[SourceRow],
    existing: dict[str, Occupation],
    ids: dict[str, tuple[int, int]],
    report: ImportReport,
) -> tuple[list[Occupation], list[Occupation]]:
    new: list[Occupation] = []
    changed: list[Occupation] = []
    for row in rows:
        values = _values(row, ids)
        current = existing.get(row.code)
        if current is None:
            new.append(Occupation(code=row.code, source=CatalogSource.CSCO2022, **values))
        elif current.source == CatalogSource.PUBLISHED:
            report.kept_published.append(f"{current.code} {current.name}")
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            current.clean_fields(exclude=["parent"])
            changed.append(current)
        else:
            report.unchanged += 1
    return new, changed


def _values(row: SourceRow, ids: dict[str, tuple[int, int]]) -> dict[str, Any]:
    parent_id = next(
        (
            ids[code][0]
            for code in parent_codes(row.code)
            if code in ids and ids[code][1] < row.tier
        ),
        None,
    )
    return {
        "name": row.name,
        "tier": row.tier,
        "parent_id": parent_id if row.tier > OccupationTier.MAJOR else None,
        "is_digital": row.is_digital,
        "is_green": row.is_green,
        "gbm_code": gbm_code(row.code, row.tier),
        "definition": row.definition,
        "tasks": row.tasks,
        "initials": pinyin_initials(row.name),
    }
