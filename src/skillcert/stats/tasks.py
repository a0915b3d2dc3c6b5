"""Background work for statistics: draining the stale-batch queue.

``mark_stale`` enqueues :func:`refresh_stats_task` when the changing transaction
commits (coalesced: one deferred run per few seconds). Running it twice is harmless: it
only rebuilds what is marked. ``manage.py rebuild_stats`` rebuilds everything;
``rebuild_stats --stale`` drains the queue (e.g. from cron, after a worker outage).
"""

from __future__ import annotations

from django_tasks import task

from skillcert.stats.aggregates import refresh_stale


@task()
def refresh_stats_task() -> int:
    """Refresh every batch marked stale (and student coverage where needed); returns
    how many batches were refreshed."""
    return refresh_stale()
