"""Reading the province's supervision parameters."""

from __future__ import annotations

from skillcert.core.models import Region
from skillcert.supervision.models import SupervisionPolicy


def policy_for(province: Region | str) -> SupervisionPolicy:
    """The province's parameters; the defaults are stored on first use."""
    code = province if isinstance(province, str) else province.code
    policy, _created = SupervisionPolicy.objects.get_or_create(province_id=code)
    return policy
