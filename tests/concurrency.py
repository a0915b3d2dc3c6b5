"""Real parallel connections for the PostgreSQL concurrency tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call at once, each in its own thread and database connection; returns
    each call's result or the exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # inspected by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def race_errors(calls: list[Callable[[], object]]) -> list[BaseException]:
    """The exceptions raised when ``calls`` run at once (see :func:`race`)."""
    return [r for r in race(calls) if isinstance(r, BaseException)]
