"""Supervision models, one module per area (DESIGN.md lifecycle step 8)."""

from skillcert.supervision.models.alerts import Alert
from skillcert.supervision.models.cases import Appeal, CaseEffect, IntegrityRecord, ViolationCase
from skillcert.supervision.models.complaints import Complaint, ComplaintFile
from skillcert.supervision.models.credit import CreditScore
from skillcert.supervision.models.inspections import (
    DrawRecord,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionEvidence,
    InspectionPlan,
    SupervisionNote,
)
from skillcert.supervision.models.policy import SupervisionPolicy
from skillcert.supervision.models.pool import CheckItem, PoolMember

__all__ = [
    "Alert",
    "Appeal",
    "CaseEffect",
    "CheckItem",
    "Complaint",
    "ComplaintFile",
    "CreditScore",
    "DrawRecord",
    "Finding",
    "Inspection",
    "InspectionAssignment",
    "InspectionEvidence",
    "InspectionPlan",
    "IntegrityRecord",
    "PoolMember",
    "SupervisionNote",
    "SupervisionPolicy",
    "ViolationCase",
]
