"""What an early-warning rule reports: the scan (``alerts.alerts_scan``) turns each finding
into an :class:`~skillcert.supervision.models.Alert` row keyed by (rule, key)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from skillcert.core.models import Region
from skillcert.supervision.models import SupervisionPolicy


@dataclass(frozen=True)
class Evidence:
    """One line of evidence: a label, the record it rests on, and what it shows."""

    label: str
    object_type: str = ""  # "app_label.model", e.g. "batches.batch"
    object_id: int | str = ""
    value: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "type": self.object_type,
            "id": self.object_id,
            "value": self.value,
        }


@dataclass(frozen=True)
class AlertFinding:
    """A rule fired for one subject. ``key`` is stable across scans for the same subject
    (e.g. ``"batch:12"``, ``"sitting:4:203.0.113.7"``)."""

    rule: str  # an AlertRule value
    key: str
    institution_id: int
    title: str
    severity: str  # an AlertSeverity value
    batch_id: int | None = None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)


class Rule(Protocol):
    """A rule reads the province's records as of ``now`` and returns what fires."""

    def __call__(
        self, province: Region, policy: SupervisionPolicy, now: datetime
    ) -> list[AlertFinding]: ...
