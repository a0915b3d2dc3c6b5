from __future__ import annotations

from django import template

from skillcert.core.choices import SkillLevel

register = template.Library()


@register.simple_tag
def level_range(lowest: int, highest: int) -> str:
    """五级/初级工、四级/中级工 … for a range that counts down from ``lowest`` to ``highest``."""
    return "、".join(str(SkillLevel(level).label) for level in range(lowest, highest - 1, -1))


@register.filter
def level_label(level: int | None) -> str:
    return str(SkillLevel(level).label) if level else "—"
