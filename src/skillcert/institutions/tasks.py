"""Background work for institutions: the daily expiry of filings.

Scheduled daily (``manage.py expire_filings`` from cron, or ``expire_filings_task`` enqueued
by a scheduler); running it twice on a day is harmless.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from skillcert.core.actors import Actor
from skillcert.institutions.services.lifecycle import filings_expire


@task()
def expire_filings_task() -> int:
    """Expire the filings that ended before today; returns how many institutions changed."""
    return filings_expire(actor=Actor.system("expire_filings"), today=timezone.localdate())
