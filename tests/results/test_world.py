from skillcert.batches.choices import BatchStatus
from skillcert.core.choices import Role
from tests.results.conftest import ResultsKit


def test_world_has_examiner_accounts_and_an_assessed_batch(rk: ResultsKit) -> None:
    assert len(rk.examiners) == 3
    assert all(rk.examiner(i).role == Role.EXAMINER for i in range(3))
    assert rk.examiners[0].user_id == rk.examiner(0).user_id
    assert rk.assessed().status == BatchStatus.ASSESSED
    assert len(rk.candidates) == 4
