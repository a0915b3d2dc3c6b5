"""Simulated exam candidates for ``bench/exam_load.py``: an asyncio client on aiohttp.

Each candidate is one browser: its own connection pool (HTTP/1.1 keep-alive, at most two
connections), its own token and its own ledger of what it sent and what the server
acknowledged. Saves follow the exam client contract (``PUT .../answers/{position}`` with
``{answer, seq}``, ``seq`` growing per position):

* a save is **acknowledged** by a 200, or — only after a retry of a request whose
  response never arrived — by a 409 whose stored ``seq`` equals the one retried (the
  first try had been committed);
* a failed request (connection reset, timeout, 5xx) is retried with the same ``seq``;
* now and then a candidate re-sends an **old** ``seq`` for a position it has saved, with
  a different answer, which the server must refuse with 409 and the stored ``seq``;
* now and then two saves of one position (``seq`` k+1 and k+2) go out at once, on two
  connections; either order of arrival is legal, the newer must win.

Nothing here knows the database: ``bench/exam_load.py`` compares the ledgers with it.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

API = "/api/v1/exam"
RETRY_LIMIT = 12
# Seconds before a request counts as lost and is retried. Generous, so that the bench
# measures how long sign-ins really take: a retried sign-in whose first try went through
# needs a proctor (403), so a short timeout would lock candidates out. Saves are cheap
# to retry. (A reverse proxy in front would cut requests at its own timeout, often 60 s.)
TIMEOUTS = {"login": 300.0, "fetch": 300.0, "submit": 300.0}
SAVE_TIMEOUT = 60.0
KEEPALIVE = 75.0  # seconds an idle client connection is kept (a proxy's usual setting)


# ---------------------------------------------------------------- measurements


@dataclass
class Metrics:
    """Latencies (seconds) by request kind, and counters."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    finished: dict[str, list[float]] = field(default_factory=dict)  # completion times
    counts: dict[str, int] = field(default_factory=dict)

    def record(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        self.finished.setdefault(kind, []).append(time.monotonic())

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def n(self, name: str) -> int:
        return self.counts.get(name, 0)

    def between(self, kind: str, start: float, end: float) -> list[float]:
        """Latencies of ``kind`` requests that finished inside [start, end)."""
        pairs = zip(self.latencies.get(kind, []), self.finished.get(kind, []), strict=True)
        return [lat for lat, at in pairs if start <= at < end]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


# ---------------------------------------------------------------- one candidate


@dataclass
class Item:
    position: int
    type: str
    keys: list[str]


@dataclass
class Outcome:
    acknowledged: bool
    status: int  # last HTTP status, 0 when no response ever came
    stored_seq: int | None = None  # from a 409
    tries: int = 1


class Candidate:
    """One simulated examinee and the ledger of its saves."""

    def __init__(
        self, base: str, admission_number: str, id_number: str, metrics: Metrics, seed: int
    ) -> None:
        self.base = base
        self.admission_number = admission_number
        self.id_number = id_number
        self.metrics = metrics
        self.rng = random.Random(seed)
        self.token = ""
        self.items: dict[int, Item] = {}
        self.session: aiohttp.ClientSession | None = None
        self.sent: dict[int, int] = {}  # position -> highest seq sent
        self.acked: dict[int, tuple[int, Any]] = {}  # position -> (seq, answer) acknowledged
        self.history: dict[int, dict[int, Any]] = {}  # position -> seq -> answer sent
        self.ready = False  # signed in and holding the paper
        self.failure = ""

    # -- plumbing

    def open(self) -> None:
        connector = aiohttp.TCPConnector(limit=2, keepalive_timeout=KEEPALIVE)
        self.session = aiohttp.ClientSession(
            base_url=self.base,
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=SAVE_TIMEOUT),
            headers={"User-Agent": "skillcert-exam-load/1"},
        )
        # aiohttp silently re-sends an idempotent request (PUT, GET) once when a kept-alive
        # connection turns out closed; every retry must be ours, counted and judged.
        self.session._retry_connection = False

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def call(
        self, method: str, path: str, kind: str, body: Any = None
    ) -> tuple[int, Any, float]:
        """One HTTP request: (status, JSON body or None, seconds); status 0 when the
        response never arrived (reset, refused, timed out)."""
        assert self.session is not None
        started = time.monotonic()
        payload: Any = None
        try:
            async with self.session.request(
                method,
                path,
                json=body,
                headers=self._headers(),
                timeout=aiohttp.ClientTimeout(total=TIMEOUTS.get(kind, SAVE_TIMEOUT)),
            ) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.metrics.count(f"{kind}_error:{type(exc).__name__}")
            status, text = 0, ""
        if text:
            try:
                payload = json.loads(text)
            except ValueError:
                payload = text[:200]
        seconds = time.monotonic() - started
        if status:
            self.metrics.record(f"{kind}:{status}", seconds)
        return status, payload, seconds

    async def _retrying(
        self, method: str, path: str, kind: str, body: Any = None, *, tries: int = RETRY_LIMIT
    ) -> tuple[int, Any, int]:
        """Retry lost responses and 5xx with backoff; returns (status, body, tries)."""
        delay = 0.2
        for attempt in range(1, tries + 1):
            status, payload, _seconds = await self.call(method, path, kind, body)
            if status and status < 500:
                return status, payload, attempt
            self.metrics.count(f"{kind}_retry")
            await asyncio.sleep(delay * (0.5 + self.rng.random()))
            delay = min(delay * 2, 3.0)
        return status, payload, tries

    # -- the exam

    async def sign_in(self) -> bool:
        """Sign in and fetch the paper. A lost sign-in response is retried once the
        server is reachable again; a second sign-in of the same candidate then needs a
        proctor (403), which counts as a failure."""
        status, payload, _tries = await self._retrying(
            "POST",
            f"{API}/login",
            "login",
            {"admission_number": self.admission_number, "id_number": self.id_number},
        )
        if status != 200:
            self.failure = f"login {status} {payload}"
            return False
        self.token = str(payload["token"])
        return await self.fetch()

    async def fetch(self) -> bool:
        status, payload, _tries = await self._retrying("GET", f"{API}/attempt", "fetch")
        if status != 200:
            self.failure = f"fetch {status} {payload}"
            return False
        self.items = {
            int(i["position"]): Item(
                int(i["position"]), str(i["type"]), [str(o["key"]) for o in i["options"]]
            )
            for i in payload["items"]
        }
        for saved in payload["answers"]:  # a resumed attempt keeps its answers
            position, seq = int(saved["position"]), int(saved["seq"])
            self.sent[position] = max(self.sent.get(position, 0), seq)
        self.ready = bool(self.items)
        return self.ready

    async def submit(self) -> int:
        status, _payload, _tries = await self._retrying("POST", f"{API}/attempt/submit", "submit")
        return status

    def answer_for(self, item: Item, avoid: Any = None) -> Any:
        """A random well-formed answer, different from ``avoid`` where the type allows."""
        for _n in range(8):
            if item.type == "true_false":
                value: Any = [self.rng.choice("TF")]
            elif item.type == "multiple":
                value = sorted(self.rng.sample(item.keys, self.rng.randint(1, len(item.keys))))
            elif item.type == "short_answer":
                value = {"text": f"答案{self.rng.randrange(10**6)}"}
            else:
                value = [self.rng.choice(item.keys)]
            if value != avoid:
                return value
        return value

    async def save(self, position: int, answer: Any, seq: int) -> Outcome:
        """PUT one answer with retries; updates the ledger on acknowledgement."""
        self.history.setdefault(position, {})[seq] = answer
        self.sent[position] = max(self.sent.get(position, 0), seq)
        path = f"{API}/attempt/answers/{position}"
        status, payload, tries = await self._retrying(
            "PUT", path, "save", {"answer": answer, "seq": seq}
        )
        stored = int(payload["seq"]) if status == 409 and isinstance(payload, dict) else None
        acknowledged = status == 200 or (status == 409 and tries > 1 and stored == seq)
        if status == 409 and tries > 1 and stored == seq:
            self.metrics.count("save_ack_by_409_after_retry")
        if acknowledged and seq > self.acked.get(position, (0, None))[0]:
            self.acked[position] = (seq, answer)
        return Outcome(acknowledged, status, stored, tries)

    async def save_one(self) -> Outcome:
        item = self.items[self.rng.choice(list(self.items))]
        seq = self.sent.get(item.position, 0) + 1
        outcome = await self.save(item.position, self.answer_for(item), seq)
        self.metrics.count("save_ack" if outcome.acknowledged else f"save_refused:{outcome.status}")
        if outcome.status == 409 and not outcome.acknowledged:
            self.metrics.count("save_unexpected_409")
        return outcome

    async def save_pair(self) -> None:
        """Two saves of one position at once (seq k+1, k+2): the newer must be kept."""
        item = self.items[self.rng.choice(list(self.items))]
        first = self.sent.get(item.position, 0) + 1
        older = self.answer_for(item)
        newer = self.answer_for(item, avoid=older)
        results = await asyncio.gather(
            self.save(item.position, older, first), self.save(item.position, newer, first + 1)
        )
        self.metrics.count("pair_sent")
        for outcome in results:
            self.metrics.count("save_ack" if outcome.acknowledged else "pair_superseded")
        if not results[1].acknowledged:
            self.metrics.count("pair_newer_not_acknowledged")

    async def stale_probe(self) -> None:
        """Re-send an old (or equal) seq of a saved position with another answer: the
        server must answer 409 with the stored seq and keep what it has."""
        if not self.acked:
            return
        position = self.rng.choice(list(self.acked))
        acked_seq, acked_answer = self.acked[position]
        item = self.items[position]
        seq = self.rng.randint(1, acked_seq)
        status, payload, _seconds = await self.call(
            "PUT",
            f"{API}/attempt/answers/{position}",
            "stale",
            {"answer": self.answer_for(item, avoid=acked_answer), "seq": seq},
        )
        self.metrics.count("stale_sent")
        if status == 409 and isinstance(payload, dict) and int(payload["seq"]) >= acked_seq:
            self.metrics.count("stale_refused")
        elif status == 200:
            self.metrics.count("stale_accepted")  # an older write overwrote a newer one
        else:
            self.metrics.count(f"stale_other:{status}")


# ---------------------------------------------------------------- phases


async def paced(
    candidates: list[Candidate],
    seconds: float,
    interval: float,
    action: Callable[[Candidate], Awaitable[object]],
    *,
    seed: int = 1,
) -> float:
    """Every candidate runs ``action`` about every ``interval`` seconds (uniform 0.5–1.5×,
    first at a random point of the first interval; one at a time per candidate, and a
    late one does not catch up) until ``seconds`` have passed. Returns the start on the
    monotonic clock; requests still running at the end are waited for."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    until = start + seconds
    rng = random.Random(seed)

    async def one(candidate: Candidate, first: float) -> None:
        next_at = start + first
        while next_at < until:
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            await action(candidate)
            next_at = max(next_at + interval * candidate.rng.uniform(0.5, 1.5), loop.time())

    await asyncio.gather(*(one(c, rng.uniform(0, interval)) for c in candidates))
    return start


async def flat_out(
    candidates: list[Candidate], seconds: float, action: Callable[[Candidate], Awaitable[object]]
) -> float:
    """Each candidate repeats ``action`` back to back for ``seconds``; returns the start."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    until = start + seconds

    async def one(candidate: Candidate) -> None:
        while loop.time() < until:
            await action(candidate)

    await asyncio.gather(*(one(c) for c in candidates))
    return start


async def healthz(candidate: Candidate) -> None:
    await candidate.call("GET", "/healthz", "healthz")


def saving(p_stale: float, p_pair: float) -> Callable[[Candidate], Awaitable[None]]:
    async def act(candidate: Candidate) -> None:
        roll = candidate.rng.random()
        if roll < p_pair:
            await candidate.save_pair()
        else:
            await candidate.save_one()
        if candidate.rng.random() < p_stale:
            await candidate.stale_probe()

    return act


async def sign_in_all(candidates: list[Candidate], spread: float) -> tuple[float, float]:
    """Each candidate signs in and fetches the paper at a uniform random moment within
    ``spread`` seconds (0: all at once). Returns (start, moment the last one was ready)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    rng = random.Random(7)
    last = start

    async def one(candidate: Candidate, delay: float) -> None:
        nonlocal last
        await asyncio.sleep(delay)
        if await candidate.sign_in():
            last = max(last, loop.time())

    await asyncio.gather(*(one(c, rng.uniform(0, spread) if spread else 0.0) for c in candidates))
    return start, last
