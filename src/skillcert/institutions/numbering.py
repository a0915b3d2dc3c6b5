"""Numbers the province hands out when it approves a filing.

**Filing number** (备案编号, printed on the 备案回执 of 川人社办发〔2020〕20号 附件3 第4项):
11 characters ``PPCYYYYNNNN`` — ``PP`` the province's two-digit GB/T 2260 prefix,
``C`` the institution category letter (``Y`` employer-type, ``S`` social organisation,
人社鉴发〔2019〕2号), ``YYYY`` the year of approval, ``NNNN`` the serial within that
prefix from 0001. ``53Y20260001`` is the first employer-type institution Yunnan filed
in 2026. The notices prescribe no format; this one is ours.

**Site serial** (站点序列码, positions 8–13 of the certificate number, 人社鉴发〔2019〕2号):
six digits assigned by the province in order, from ``000001``; each province counts
on its own.

Both come from a :class:`~skillcert.institutions.models.SerialCounter` row read and bumped
under ``SELECT … FOR UPDATE``, so concurrent approvals wait for each other and never
share a number; a rolled-back approval gives its number back.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from skillcert.core.errors import DomainError
from skillcert.institutions.models import SerialCounter

FILING_NUMBER_RE = re.compile(r"^\d{2}[YS]\d{4}\d{4}$")
SITE_SERIAL_RE = re.compile(r"^\d{6}$")


def next_value(key: str, limit: int) -> int:
    """The next value of counter ``key`` (1, 2, …), locked until the transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are allocated inside the approving transaction")
    counter = _locked_counter(key)
    if counter.last_value >= limit:
        raise DomainError(_("编号已用尽（%(key)s），请联系平台管理员。") % {"key": key})
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


def _locked_counter(key: str) -> SerialCounter:
    counter = SerialCounter.objects.select_for_update().filter(key=key).first()
    if counter is not None:
        return counter
    try:
        # A concurrent first allocation inserts the same key: the loser waits for the
        # winner's commit, gets the IntegrityError and then locks the committed row.
        with transaction.atomic():
            SerialCounter.objects.create(key=key, last_value=0)
    except IntegrityError:
        pass
    return SerialCounter.objects.select_for_update().get(key=key)


def filing_number_allocate(*, province_code: str, category: str, year: int) -> str:
    prefix = f"{province_code[:2]}{category}{year:04d}"
    return f"{prefix}{next_value(f'filing:{prefix}', 9999):04d}"


def site_serial_allocate(*, province_code: str) -> str:
    province = province_code[:2]
    return f"{next_value(f'site:{province}', 999_999):06d}"
