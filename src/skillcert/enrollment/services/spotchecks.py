"""The authority's spot checks of eligibility (云人社函〔2023〕1号 二(一): 加大对参评人员
申报资格的抽查力度 — 户籍、学历、专业、工作岗位及年限、持有上一级证书).

A draw takes a share of a batch's submitted and approved applications at random. The
population (application ids in id order) and a seed from ``secrets`` are stored, and the
sample is ``random.Random(seed).sample(population, k)``, so anyone can replay the draw
and get the same ids (:func:`spot_check_replay`). ``k`` is ⌈share × n⌉, at least one.
"""

from __future__ import annotations

import math
import random
import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import ProvincePolicy
from skillcert.enrollment.choices import APPLICATION_IN_PLAY, SpotCheckResult
from skillcert.enrollment.models import Application, SpotCheck, SpotCheckDraw
from skillcert.enrollment.permissions import can_spot_check
from skillcert.enrollment.services.base import clean_or_raise

DEFAULT_SHARE = Decimal(10)


def _require_authority(actor: Actor, batch: Batch) -> None:
    if not can_spot_check(actor, batch):
        raise PermissionDenied(_("只有该机构的属地人社部门可以抽查报名资格。"))


def default_share(batch: Batch) -> Decimal:
    """The province policy's share (云人社函〔2023〕1号 二(一)); 10% without a policy."""
    province_id = batch.institution.organisation.province_id
    policy = ProvincePolicy.objects.filter(province_id=province_id).first()
    return Decimal(policy.spot_check_percent) if policy else DEFAULT_SHARE


def sample_size(share_percent: Decimal, population: int) -> int:
    if population == 0:
        return 0
    wanted = math.ceil(share_percent * population / Decimal(100))
    return min(population, max(1, wanted))


def _share(value: Decimal | int | str | None, batch: Batch) -> Decimal:
    if value is None or value == "":
        return default_share(batch)
    try:
        share = Decimal(str(value))
    except InvalidOperation as exc:
        raise DomainError(_("抽查比例必须是数字。"), code="invalid_share") from exc
    if not Decimal(0) < share <= Decimal(100):
        raise DomainError(_("抽查比例必须大于0且不超过100。"), code="invalid_share")
    return share.quantize(Decimal("0.01"))


def _draw(seed: str, population: list[int], k: int) -> list[int]:
    # Reproducible by design: the seed is random (secrets) and recorded with the draw.
    return random.Random(seed).sample(population, k)  # noqa: S311


@transaction.atomic
def spot_check_draw(
    *, actor: Actor, batch: Batch, share_percent: Decimal | int | str | None = None
) -> SpotCheckDraw:
    """Draw a share of the batch's submitted and approved applications for checking."""
    _require_authority(actor, batch)
    locked = Batch.objects.select_for_update().select_related("institution__organisation")
    batch = locked.get(pk=batch.pk)
    share = _share(share_percent, batch)
    population = list(
        Application.objects.filter(batch=batch, status__in=APPLICATION_IN_PLAY)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not population:
        raise DomainError(_("该批次没有可抽查的报名申请。"), code="empty_population")
    seed = secrets.token_hex(16)
    selected = _draw(seed, population, sample_size(share, len(population)))
    organisation = actor.organisation or batch.institution.organisation
    draw = SpotCheckDraw(
        batch=batch,
        share_percent=share,
        seed=seed,
        population=population,
        selected=selected,
        drawn_by_label=actor.label[:128],
        drawn_by_organisation=organisation,
    )
    clean_or_raise(draw)
    draw.save()
    SpotCheck.objects.bulk_create(SpotCheck(draw=draw, application_id=pk) for pk in selected)
    audit_record(
        actor=actor,
        action="spot_check.draw",
        obj=draw,
        organisation=batch.institution.organisation,
        changes={
            "batch": batch.code,
            "share_percent": str(share),
            "seed": seed,
            "population": len(population),
            "selected": selected,
        },
    )
    return draw


def spot_check_replay(draw: SpotCheckDraw) -> list[int]:
    """Recompute the sample from the recorded seed and population; equals ``selected``."""
    population = [int(pk) for pk in draw.population]
    return _draw(draw.seed, population, sample_size(Decimal(draw.share_percent), len(population)))


@transaction.atomic
def spot_check_record(*, actor: Actor, check: SpotCheck, result: str, note: str) -> SpotCheck:
    """Record what checking one drawn application found; a problem needs a note."""
    batch = check.draw.batch
    _require_authority(actor, batch)
    locked = SpotCheck.objects.select_for_update().get(pk=check.pk)
    if locked.result != SpotCheckResult.PENDING:
        raise InvalidTransition(_("该抽查记录已登记结果。"), code="already_recorded")
    if result not in (SpotCheckResult.CONFIRMED, SpotCheckResult.PROBLEM):
        raise DomainError(_("请选择核查结果。"), code="invalid_result")
    note = note.strip()
    if result == SpotCheckResult.PROBLEM and not note:
        raise DomainError(_("发现问题时请填写核查说明。"), code="note_required")
    locked.result, locked.note = result, note
    locked.checked_by_label = actor.label[:128]
    locked.checked_at = timezone.now()
    locked.save(update_fields=["result", "note", "checked_by_label", "checked_at"])
    audit_record(
        actor=actor,
        action="spot_check.record",
        obj=locked,
        organisation=batch.institution.organisation,
        changes={"application": locked.application_id, "result": result, "note": note},
    )
    return locked
