"""Who reads which statistics (DESIGN.md step 10): one place for the dashboard's rules.

HR officials read their province or city; education officials the same region's
totals and students' figures but not institutions' credit; institution admins and exam
staff their own institution. Examiners, experts, supervisors and candidates read none.
"""

from __future__ import annotations

from skillcert.core.actors import Actor
from skillcert.core.choices import Role, ScopeLevel

DASHBOARD_ROLES = frozenset(
    {
        Role.PROVINCE_OFFICIAL,
        Role.CITY_OFFICIAL,
        Role.EDUCATION_OFFICIAL,
        Role.INSTITUTION_ADMIN,
        Role.EXAM_STAFF,
    }
)


def can_view_dashboard(actor: Actor) -> bool:
    return actor.is_platform_admin or actor.role in DASHBOARD_ROLES


def sees_institutions(actor: Actor) -> bool:
    """The per-institution table with credit: HR officials and institutions (their own)."""
    return can_view_dashboard(actor) and actor.role != Role.EDUCATION_OFFICIAL


def sees_students(actor: Actor) -> bool:
    """Students' coverage is regional (province or city), not an institution's."""
    return actor.is_platform_admin or (
        can_view_dashboard(actor) and actor.level in (ScopeLevel.PROVINCE, ScopeLevel.CITY)
    )


def may_filter_city(actor: Actor) -> bool:
    """Only province-level readers choose a city."""
    return actor.is_platform_admin or actor.level == ScopeLevel.PROVINCE
