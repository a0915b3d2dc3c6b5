"""Grading of closed attempts (being written: objective items, two blind graders, stats)."""

from __future__ import annotations


def grade_objective(attempt_id: int) -> None:
    """Grade the objective answers of a closed attempt (to be written)."""
    raise NotImplementedError
