"""The officials' supervision desk counts what waits in their own scope only."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from skillcert.institutions.models import Institution
from skillcert.supervision.choices import AlertRule, AlertSeverity, AlertStatus
from skillcert.supervision.models import Alert
from tests.conftest import Cast
from tests.institutions.factories import InstitutionFactory


def _alert(institution_org_key: str, cast: Cast, status: str = AlertStatus.OPEN) -> Alert:
    org = cast.orgs[institution_org_key]
    institution = Institution.objects.filter(organisation=org).first() or InstitutionFactory(
        organisation=org, supervisor=org.parent
    )
    now = timezone.now()
    return Alert.objects.create(
        rule=AlertRule.LATE_PLAN_FILING,
        key=f"batch:{institution.pk}:{status}",
        province_id="530000",
        institution=institution,
        severity=AlertSeverity.WARNING,
        title="逾期未报备",
        status=status,
        first_seen_at=now - timedelta(days=1),
        last_seen_at=now,
    )


def test_the_desk_counts_open_alerts_in_scope(cast: Cast) -> None:
    _alert("institution_a", cast)
    _alert("institution_a", cast, AlertStatus.CLOSED)
    url = reverse("supervision-desk")
    page = cast.client("city_a").get(url)
    assert page.status_code == 200
    assert page.context["alerts_open"] == 1
    assert "认定计划逾期未报备：1" in page.content.decode()
    # City B's official sees none of city A's.
    assert cast.client("city_b").get(url).context["alerts_open"] == 0
    assert cast.client("province").get(url).context["alerts_open"] == 1


def test_the_desk_refuses_everyone_but_hr_officials(cast: Cast) -> None:
    url = reverse("supervision-desk")
    for name in ("education", "institution_a", "examiner", "candidate"):
        assert cast.client(name).get(url).status_code == 403, name
    assert cast.client("anonymous").get(url).status_code == 302
