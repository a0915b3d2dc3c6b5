"""Access-matrix entries for the early-warning pages (read by tests/core/test_access_matrix),
and the one-alert world the page tests share.

``alert_of_a(cast)`` opens one alert about institution A through the scan service, with a
rule whose finding the test gives (the rules themselves are tested elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from skillcert.core.actors import Actor
from skillcert.core.models import Region
from skillcert.institutions.models import Institution
from skillcert.supervision.alert_types import AlertFinding, Evidence
from skillcert.supervision.alerts import alerts_scan
from skillcert.supervision.choices import AlertRule, AlertSeverity
from skillcert.supervision.models import Alert, SupervisionPolicy
from tests.conftest import CAST_ROLES, Cast
from tests.institutions.factories import InstitutionFactory

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def institution_a(c: Cast) -> Institution:
    found = Institution.objects.filter(organisation=c.orgs["institution_a"]).first()
    if found is not None:
        return found
    made: Institution = InstitutionFactory(  # type: ignore[no-untyped-call,assignment]
        organisation=c.orgs["institution_a"], supervisor=c.orgs["centre_a"]
    )
    return made


def alert_of_a(c: Cast, key: str = "institution:a", title: str = "矩阵测试预警") -> Alert:
    """An open alert about institution A, made by a scan."""
    institution = institution_a(c)
    finding = AlertFinding(
        rule=AlertRule.OUT_OF_SCOPE,
        key=key,
        institution_id=institution.pk,
        title=title,
        severity=AlertSeverity.SERIOUS,
        evidence=(
            Evidence(
                label="评价机构",
                object_type="institutions.institution",
                object_id=institution.pk,
                value=institution.name,
            ),
            Evidence(label="说明", value="测试"),
        ),
    )

    def rule(province: Region, policy: SupervisionPolicy, now: datetime) -> list[AlertFinding]:
        return [finding]

    province = Region.objects.get(code=institution.organisation.province_id)
    alerts_scan(actor=Actor.system("test"), province=province, rules=[rule])
    return Alert.objects.get(rule=AlertRule.OUT_OF_SCOPE, key=key)


def _alert(c: Cast) -> dict[str, Any]:
    cached: int | None = getattr(c, "_alert_pk", None)
    if cached is None:
        cached = alert_of_a(c).pk
        c._alert_pk = cached  # type: ignore[attr-defined]
    return {"pk": cached}


POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
# HR officials only: education officials, institutions, examiners and candidates are refused.
OFFICIALS_ONLY = {
    **dict.fromkeys(CAST_ROLES, 403),
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 200,
}
# One alert about institution A: its city and the province; city B does not see it.
ALERT_READERS = {**OFFICIALS_ONLY, "city_b": 404}


def supervision_alerts_matrix() -> dict[str, Entry]:
    return {
        "supervision-alerts": (lambda c: {}, OFFICIALS_ONLY),
        "supervision-alerts-export": (lambda c: {}, OFFICIALS_ONLY),
        "supervision-alerts-scan": (lambda c: {}, POST_ONLY),
        "supervision-alert-detail": (_alert, ALERT_READERS),
        "supervision-alert-assign": (_alert, POST_ONLY),
        "supervision-alert-close": (_alert, POST_ONLY),
    }
