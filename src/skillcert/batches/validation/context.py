"""What the checks read about one plan, the numbers they apply, and labels for messages."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch, Session, StaffAssignment
from skillcert.core.choices import SkillLevel
from skillcert.core.models import ProvincePolicy
from skillcert.institutions.models import StaffMember
from skillcert.institutions.scope import subject_label


@dataclass(frozen=True)
class Requirements:
    """The stricter of the province policy and the standard's level (national standards §1.9)."""

    theory_minutes: int
    practical_minutes: int
    review_minutes: int
    candidates_per_proctor: int
    min_proctors_per_room: int
    candidates_per_examiner: int
    min_examiners: int
    min_review_panel: int
    max_consecutive_batches: int

    @classmethod
    def of(cls, batch: Batch, policy: ProvincePolicy) -> Requirements:
        level = batch.standard_level
        return cls(
            theory_minutes=max(policy.theory_min_minutes, level.theory_minutes),
            practical_minutes=level.practical_minutes,
            review_minutes=max(policy.review_min_minutes, level.review_minutes or 0),
            candidates_per_proctor=max(
                1, min(policy.candidates_per_proctor, level.candidates_per_proctor)
            ),
            min_proctors_per_room=max(policy.min_proctors_per_room, level.min_proctors_per_room),
            candidates_per_examiner=max(
                1, min(policy.candidates_per_examiner, level.candidates_per_examiner)
            ),
            min_examiners=max(policy.min_examiners, level.min_examiners),
            min_review_panel=max(policy.min_review_panel, level.min_review_panel),
            max_consecutive_batches=policy.examiner_max_consecutive_batches,
        )

    def proctors_for(self, capacity: int) -> int:
        # ≥1 proctor per N candidates and ≥2 per room (national standards §1.9).
        return max(self.min_proctors_per_room, math.ceil(capacity / self.candidates_per_proctor))

    def examiners_for(self, candidates: int) -> int:
        # ≥3 examiners and ≥1 per 5 candidates, an odd number (national standards §1.9).
        return smallest_odd_at_least(
            max(self.min_examiners, math.ceil(candidates / self.candidates_per_examiner))
        )


def smallest_odd_at_least(n: int) -> int:
    return n if n % 2 else n + 1


def local_day(session: Session) -> date:
    return timezone.localdate(session.starts_at)


@dataclass
class PlanData:
    """What one check reads, loaded once."""

    batch: Batch
    need: Requirements
    sessions: list[Session]
    assignments: list[StaffAssignment]

    def by_component(self, component: str) -> list[Session]:
        return [s for s in self.sessions if s.component == component]

    def staff(self, role: str, sessions: Iterable[Session] | None = None) -> list[StaffMember]:
        """Distinct staff in ``role`` for the batch, or for any of ``sessions`` (batch-wide
        assignments count for every session)."""
        ids = None if sessions is None else {s.pk for s in sessions}
        found: dict[int, StaffMember] = {}
        for a in self.assignments:
            if a.role == role and (ids is None or a.session_id is None or a.session_id in ids):
                found.setdefault(a.staff_id, a.staff)
        return list(found.values())


def overlap_window(sessions: list[Session]) -> tuple[Q, bool]:
    """A filter for sessions that may overlap ``sessions`` (and whether there are any)."""
    if not sessions:
        return Q(pk__in=[]), False
    start = min(s.starts_at for s in sessions)
    end = max(s.ends_at for s in sessions)
    # No session lasts a day; the exact overlap is decided in Python.
    return Q(starts_at__lt=end, starts_at__gt=start - timedelta(days=1)), True


def subject(batch: Batch) -> str:
    return subject_label(batch.occupation, batch.work_type, batch.level)


def session_label(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    return f"{Component(session.component).label}（{start:%Y-%m-%d %H:%M}）"


def level_label(level: int) -> str:
    return str(SkillLevel(level).label)


def number_label(value: Decimal) -> str:
    return f"{value.normalize():f}"
