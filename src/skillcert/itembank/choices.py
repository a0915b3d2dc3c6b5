"""Kinds and states of items and papers (DESIGN.md lifecycle step 4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    SINGLE = "single", _("单项选择题")
    MULTIPLE = "multiple", _("多项选择题")
    TRUE_FALSE = "true_false", _("判断题")
    SHORT_ANSWER = "short_answer", _("简答题")  # graded by hand


OBJECTIVE_TYPES = frozenset({ItemType.SINGLE, ItemType.MULTIPLE, ItemType.TRUE_FALSE})


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # being written
    REVIEWED = "reviewed", _("已审核")  # checked by a second expert
    ACTIVE = "active", _("启用")  # may be drawn into papers
    RETIRED = "retired", _("停用")  # kept for papers that used it, never drawn again


class PaperStatus(models.TextChoices):
    ASSEMBLED = "assembled", _("已组卷")
    SEALED = "sealed", _("已封存")  # content hash recorded; no change after this
