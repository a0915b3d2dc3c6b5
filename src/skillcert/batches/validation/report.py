"""The plan check's answer: a checklist of items with errors and warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class Check:
    """The checklist's items, in the order the page shows them."""

    SCOPE = "scope"
    WEIGHTS = "weights"
    DATES = "dates"
    COMPONENTS = "components"
    DURATIONS = "durations"
    ROOMS = "rooms"
    PROCTORS = "proctors"
    EXAMINERS = "examiners"
    REVIEW_PANEL = "review_panel"
    SUPERVISOR = "supervisor"
    EXAM_STAFF = "exam_staff"
    ROTATION = "rotation"


CHECK_LABELS: dict[str, Promise] = {
    Check.SCOPE: gettext_lazy("备案范围、有效期与等级上限"),
    Check.WEIGHTS: gettext_lazy("各科权重"),
    Check.DATES: gettext_lazy("报名与考核日期"),
    Check.COMPONENTS: gettext_lazy("考核科目场次"),
    Check.DURATIONS: gettext_lazy("考核时长"),
    Check.ROOMS: gettext_lazy("考场与座位"),
    Check.PROCTORS: gettext_lazy("理论考试监考人员"),
    Check.EXAMINERS: gettext_lazy("操作技能考评人员"),
    Check.REVIEW_PANEL: gettext_lazy("综合评审委员"),
    Check.SUPERVISOR: gettext_lazy("内部质量督导员"),
    Check.EXAM_STAFF: gettext_lazy("考务人员"),
    Check.ROTATION: gettext_lazy("考评员轮换"),
}


@dataclass(frozen=True)
class PlanIssue:
    """One finding: the checklist item, a stable code and a message for the user."""

    check: str
    code: str
    message: str


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    errors: tuple[PlanIssue, ...]
    warnings: tuple[PlanIssue, ...]

    @property
    def passed(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class PlanCheck:
    """The answer of :func:`batch_validate`: errors block filing, warnings do not."""

    errors: tuple[PlanIssue, ...]
    warnings: tuple[PlanIssue, ...]
    checks: tuple[str, ...]  # the items that were checked, in order

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def codes(self) -> set[str]:
        return {issue.code for issue in self.errors}

    @property
    def warning_codes(self) -> set[str]:
        return {issue.code for issue in self.warnings}

    def items(self) -> list[CheckItem]:
        """The checklist, one item per check with its errors and warnings."""
        return [
            CheckItem(
                key=key,
                label=str(CHECK_LABELS[key]),
                errors=tuple(i for i in self.errors if i.check == key),
                warnings=tuple(i for i in self.warnings if i.check == key),
            )
            for key in self.checks
        ]


@dataclass
class Collector:
    errors: list[PlanIssue] = field(default_factory=list)
    warnings: list[PlanIssue] = field(default_factory=list)

    def error(self, check: str, code: str, message: str) -> None:
        issue = PlanIssue(check, code, message)
        if issue not in self.errors:
            self.errors.append(issue)

    def warning(self, check: str, code: str, message: str) -> None:
        issue = PlanIssue(check, code, message)
        if issue not in self.warnings:
            self.warnings.append(issue)
