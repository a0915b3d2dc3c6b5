"""Kinds used by statistics and the lifelong skill record (DESIGN.md step 10)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("在训")
    COMPLETED = "completed", _("结业合格")
    NOT_PASSED = "not_passed", _("结业不合格")
    WITHDRAWN = "withdrawn", _("中途退训")
