"""The supervision part of the demo province, in the order each part needs the others:
the pools and the spot-check list, a published inspection, cases, complaints, a scan
for early warnings, and last the credit that reads all of them."""

from __future__ import annotations

from collections.abc import Callable

from skillcert.supervision.demo_alerts import seed_alerts_demo
from skillcert.supervision.demo_cases import seed_cases_demo
from skillcert.supervision.demo_complaints import seed_complaints_demo
from skillcert.supervision.demo_credit import seed_credit_demo
from skillcert.supervision.demo_inspections import seed_inspections_demo
from skillcert.supervision.demo_pool import seed_pool_demo

STEPS: tuple[Callable[[], str | None], ...] = (
    seed_pool_demo,
    seed_inspections_demo,
    seed_cases_demo,
    seed_complaints_demo,
    seed_alerts_demo,
    seed_credit_demo,
)


def seed_supervision_demo() -> list[str]:
    """Run every step (each is idempotent); the lines they report, for seed_demo."""
    return [line for step in STEPS if (line := step()) is not None]
