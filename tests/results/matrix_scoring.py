"""Access-matrix entries for these results URLs (read by tests/core/test_access_matrix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import CAST_ROLES, Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]

POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
# Sheets, panels and progress: institution A's staff and the HR authorities over it read
# them (staff may see each examiner's totals); education officials, though in scope, do
# not; examiners and candidates do not see the batch at all.
READERS = {
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 404,
    "education": 403,
    "institution_a": 200,
    "institution_b": 404,
    "examiner": 404,
    "candidate": 404,
}
# The examiner's own scoring pages: only the panel member; others who can see the panel
# get the forbidden page, the rest 404.
PANEL_MEMBER = {
    "anonymous": 302,
    "province": 403,
    "city_a": 403,
    "city_b": 404,
    "education": 403,
    "institution_a": 403,
    "institution_b": 404,
    "examiner": 200,
    "candidate": 404,
}
EXAMINERS = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302, "examiner": 200}


def _world(c: Cast) -> dict[str, int]:
    """A batch of institution A with a ready sheet and a panel of three on which the cast
    examiner sits, a draft of theirs, a declared link and a flagged score (built once)."""
    cached: dict[str, int] | None = getattr(c, "_results_scoring", None)
    if cached is None:
        from skillcert.results import links, scoring
        from skillcert.results.models import ComponentScore
        from tests.results.conftest import build_results
        from tests.results.scoring_support import ready_panel, ready_sheet

        rk = build_results(c, 2)
        member = rk.examiners[0]
        member.user = c.users["examiner"]
        member.save(update_fields=["user"])
        sheet = ready_sheet(rk)
        panel = ready_panel(rk)
        first, second = rk.candidates
        scoring.examiner_sheet(
            actor=c.actor("examiner"), panel=panel, application=first, sheet=sheet
        )
        link = links.link_declare(
            actor=rk.admin, staff=rk.kit.experts[0], person=second.person, kind="relative"
        )
        flagged = ComponentScore.objects.create(
            application=second, component="practical", state="rescore", source="panel"
        )
        item = sheet.items.order_by("position").first()
        assert item is not None
        cached = {
            "batch": rk.batch.pk,
            "sheet": sheet.pk,
            "item": item.pk,
            "panel": panel.pk,
            "member": panel.members.order_by("pk").first().pk,  # type: ignore[union-attr]
            "place": panel.candidates.order_by("pk").first().pk,  # type: ignore[union-attr]
            "application": first.pk,
            "link": link.pk,
            "score": flagged.pk,
        }
        c._results_scoring = cached  # type: ignore[attr-defined]
    return cached


def _kw(**names: str) -> Callable[[Cast], dict[str, Any]]:
    """kwargs from the world: ``_kw(batch_pk="batch")``."""
    return lambda c: {kwarg: _world(c)[key] for kwarg, key in names.items()}


_CANDIDATE = {"panel_pk": "panel", "application_pk": "application"}


def results_scoring_matrix() -> dict[str, Entry]:
    return {
        "results-sheets": (_kw(batch_pk="batch"), READERS),
        "results-sheets-from-weights": (_kw(batch_pk="batch"), POST_ONLY),
        "results-sheets-create": (_kw(batch_pk="batch"), POST_ONLY),
        "results-sheets-remove": (_kw(sheet_pk="sheet"), POST_ONLY),
        "results-sheets-item-add": (_kw(sheet_pk="sheet"), POST_ONLY),
        "results-sheets-item-update": (_kw(item_pk="item"), POST_ONLY),
        "results-sheets-item-remove": (_kw(item_pk="item"), POST_ONLY),
        "results-panels": (_kw(batch_pk="batch"), READERS),
        "results-panels-create": (_kw(batch_pk="batch"), POST_ONLY),
        "results-panels-remove": (_kw(panel_pk="panel"), POST_ONLY),
        "results-panels-member-add": (_kw(panel_pk="panel"), POST_ONLY),
        "results-panels-member-remove": (_kw(member_pk="member"), POST_ONLY),
        "results-panels-candidates-assign": (_kw(panel_pk="panel"), POST_ONLY),
        "results-panels-candidate-remove": (_kw(place_pk="place"), POST_ONLY),
        "results-panels-link-declare": (_kw(batch_pk="batch"), POST_ONLY),
        "results-panels-link-remove": (_kw(link_pk="link"), POST_ONLY),
        "results-scoring-progress": (_kw(batch_pk="batch"), READERS),
        "results-scoring-rescore": (_kw(score_pk="score"), POST_ONLY),
        "results-scoring-accept-spread": (_kw(score_pk="score"), POST_ONLY),
        "results-scoring-mine": (lambda c: {}, EXAMINERS),
        "results-scoring-sheet": (_kw(**_CANDIDATE), PANEL_MEMBER),
        "results-scoring-save": (_kw(**_CANDIDATE, sheet_pk="sheet"), POST_ONLY),
        "results-scoring-confirm": (_kw(**_CANDIDATE, sheet_pk="sheet"), PANEL_MEMBER),
    }
