"""The certificates tests' world: a level-5 车工 batch whose results the centre approved.

``build_issuable(cast, passed=…, failed=…)`` builds on the results world
(``tests.results.conftest.build_results``): the candidates' scores are entered, the
results computed, published on Friday 27 September 2024, filed during publicity and
approved by city A's centre after it. The first ``passed`` candidates pass, the rest
fail. ``ck.admin`` is institution A's admin, ``ck.centre`` city A's official.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from skillcert.batches.models import Batch
from skillcert.certificates.models import Certificate
from skillcert.core.actors import Actor
from skillcert.enrollment.models import Application
from skillcert.results import filing, publication
from tests.conftest import Cast
from tests.results.conftest import ResultsKit, build_results
from tests.results.test_composite import computed
from tests.results.test_objections import AFTER_PUBLICITY, DURING
from tests.results.test_publication import FRIDAY


@dataclass
class CertKit:
    rk: ResultsKit
    passed: list[Application]
    failed: list[Application]

    @property
    def batch(self) -> Batch:
        return self.rk.batch

    @property
    def admin(self) -> Actor:
        return self.rk.admin

    @property
    def centre(self) -> Actor:
        return self.rk.centre

    @property
    def cast(self) -> Cast:
        return self.rk.cast

    def numbers(self) -> list[str]:
        return sorted(Certificate.objects.filter(batch=self.batch).values_list("number", flat=True))


def build_issuable(cast: Cast, *, passed: int = 3, failed: int = 1) -> CertKit:
    rk = build_results(cast, passed + failed)
    theory = ["80"] * (passed + failed)
    practical = ["70"] * passed + ["40"] * failed
    computed(rk, theory, practical)
    publication.results_publish(actor=rk.admin, batch=rk.batch, today=FRIDAY)
    filing.results_file(actor=rk.admin, batch=rk.batch, today=DURING)
    filing.results_approve(actor=rk.centre, batch=rk.batch, today=AFTER_PUBLICITY)
    return CertKit(rk=rk, passed=rk.candidates[:passed], failed=rk.candidates[passed:])


@pytest.fixture
def ck(cast: Cast) -> CertKit:
    return build_issuable(cast)
