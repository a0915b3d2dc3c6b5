"""The one masking helper for lists, exports and public pages."""

from __future__ import annotations


def mask(kind: str, value: str) -> str:
    """Mask personal data: ``530102********1234`` for IDs, ``138****5678`` for phones."""
    if not value:
        return ""
    if kind == "phone":
        keep_head, keep_tail = (3, 4) if len(value) >= 11 else (2, 2)
    elif len(value) >= 15:
        keep_head, keep_tail = 6, 4
    else:
        # Passports and permits are short: keep a little at each end.
        keep_head, keep_tail = 2, 2
    if len(value) <= keep_head + keep_tail:
        return "*" * len(value)
    hidden = len(value) - keep_head - keep_tail
    return value[:keep_head] + "*" * hidden + value[-keep_tail:]


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳修 → 欧**: used on public announcements."""
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)
