"""The public results announcement (成绩公示): no login, masked names and ID numbers only,
shown during and after the publicity period, never before publication."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from skillcert.core.masking import mask, mask_name
from skillcert.results.models import BatchResults
from tests.results.conftest import ResultsKit
from tests.results.matrix_pages import PRACTICAL, THEORY, published_world, scored_world


def _detail(published: BatchResults) -> str:
    return reverse("public-results-detail", kwargs={"pk": published.pk})


def test_announcement_lists_and_shows_masked_rows_to_anyone(rk: ResultsKit) -> None:
    published = published_world(rk)
    client = Client()
    listing = client.get(reverse("public-results")).content.decode()
    assert rk.batch.code in listing
    assert _detail(published) in listing
    response = client.get(_detail(published))
    assert response.status_code == 200
    html = response.content.decode()
    assert "公示期至" in html
    assert f"{published.publicity_ends:%Y-%m-%d}" in html
    assert "公示中" in html
    for index, application in enumerate(rk.candidates):
        full_id = rk.exam.id_numbers[application.pk]
        name = application.person.full_name
        assert mask("id", full_id) in html
        assert mask_name(name) in html
        assert full_id not in html
        assert full_id[6:14] not in html  # not even the birth date part
        assert name not in html
        assert f"{THEORY[index]:.2f}" in html
        assert f"{PRACTICAL[index]:.2f}" in html
    assert html.count("不合格") == 1  # the candidate who failed the practical part


def test_nothing_personal_outside_the_table(rk: ResultsKit) -> None:
    """Every rendered string of the page: no full ID number, no phone, no full name."""
    published = published_world(rk)
    html = Client().get(_detail(published)).content.decode()
    for application in rk.candidates:
        person = application.person
        assert rk.exam.id_numbers[application.pk] not in html
        assert person.full_name not in html
        if person.phone:
            assert str(person.phone.plain) not in html  # type: ignore[union-attr]


def test_not_public_before_publication(rk: ResultsKit) -> None:
    results = scored_world(rk)
    client = Client()
    assert client.get(_detail(results)).status_code == 404
    assert rk.batch.code not in client.get(reverse("public-results")).content.decode()


def test_still_public_after_the_publicity_period(rk: ResultsKit) -> None:
    published = published_world(rk, today=timezone.localdate() - timedelta(days=40))
    assert published.publicity_ends is not None
    assert published.publicity_ends < timezone.localdate()
    response = Client().get(_detail(published))
    assert response.status_code == 200
    html = response.content.decode()
    assert "公示期已满" in html
    assert f"{published.publicity_ends:%Y-%m-%d}" in html


def test_the_page_shows_the_frozen_announcement(rk: ResultsKit) -> None:
    """Rows are those frozen at publication: a later score change elsewhere does not leak
    into the public page unless the services rewrite the row."""
    published = published_world(rk)
    BatchResults.objects.filter(pk=published.pk).update(
        announcement=[
            {
                "admission_number": "X-1",
                "name": "张*",
                "id": "530102********1234",
                "outcome": "passed",
                "outcome_label": "合格",
                "scores": {"theory": "88.00", "practical": "77.00"},
                "full_id": "530102199001011234",
            }
        ]
    )
    html = Client().get(_detail(published)).content.decode()
    assert "X-1" in html
    assert "88.00" in html
    assert "77.00" in html
    # Only the masked columns are rendered, whatever else a row might carry.
    assert "530102199001011234" not in html
    assert rk.candidates[0].admission_number not in html


def test_signed_in_users_see_the_same_public_page(rk: ResultsKit) -> None:
    published = published_world(rk)
    for role in ("candidate", "institution_b", "city_b"):
        response = rk.cast.client(role).get(_detail(published))
        assert response.status_code == 200
        assert rk.exam.id_numbers[rk.candidates[0].pk] not in response.content.decode()


def test_an_unknown_announcement_is_404(rk: ResultsKit) -> None:
    assert Client().get(reverse("public-results-detail", kwargs={"pk": 999})).status_code == 404
