"""Early-warning rules over exam data: identical wrong answers between candidates of one
sitting, several candidates on one device or network address, and check-ins outside the
site's radius. Each rule reads one province as of ``now`` and returns an
:class:`~skillcert.supervision.alert_types.AlertFinding` per subject that fires.

Only the province's sessions (of batches of institutions whose organisation is in the
province) that started within the last :data:`LOOKBACK_DAYS` days are read. Evidence
names records and facts, never anything relative to ``now``, so a finding stays the same
while its facts do.
"""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.models import Session
from skillcert.core.models import Region
from skillcert.enrollment.models import SeatAssignment
from skillcert.exams.choices import CLOSED_ATTEMPT, AttemptEventKind, CheckInRole
from skillcert.exams.models import Answer, Attempt, AttemptEvent, CheckIn, Sitting
from skillcert.itembank.choices import OBJECTIVE_TYPES
from skillcert.itembank.models import PaperItem
from skillcert.supervision.alert_types import AlertFinding, Evidence
from skillcert.supervision.choices import AlertRule, AlertSeverity
from skillcert.supervision.models import SupervisionPolicy

SITTING = "exams.sitting"
SESSION = "batches.session"
ATTEMPT = "exams.attempt"
CHECKIN = "exams.checkin"
APPLICATION = "enrollment.application"

# Sessions older than this are past supervision by warning (practice: a little over a
# year, so a scan still sees last year's sessions of the same occupation).
LOOKBACK_DAYS = 400
# Events the candidate's own client reports or causes; the server's (time-out) and the
# proctor's carry no address of the candidate's device.
CANDIDATE_EVENT_KINDS = frozenset(
    {
        AttemptEventKind.LOGIN,
        AttemptEventKind.RELOGIN,
        AttemptEventKind.RECONNECT,
        AttemptEventKind.FOCUS_LOST,
        AttemptEventKind.FOCUS_BACK,
        AttemptEventKind.SUBMIT,
    }
)
TITLE_MAX = 200
VALUE_MAX = 300
HUNDRED = Decimal(100)


def _sessions(province: Region, now: datetime) -> QuerySet[Session]:
    """The province's sessions that started within the look-back window."""
    return Session.objects.filter(
        batch__institution__organisation__province_id=province.code,
        starts_at__gte=now - timedelta(days=LOOKBACK_DAYS),
    )


def _session_label(session: Session) -> str:
    """Batch code, component, local start and room: enough to find the session."""
    return f"{session.batch.code} {session}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _seat_text(seat: SeatAssignment) -> str:
    return _("准考证号 %(number)s，座位 %(seat)s") % {
        "number": seat.application.admission_number or "—",
        "seat": seat.seat_number,
    }


def _percent(part: int, whole: int) -> str:
    share = (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{share}%"


# ---------------------------------------------------------------- identical answers


def _normal(response: object) -> tuple[str, ...] | None:
    """An objective response as a sorted tuple of keys; None when blank or malformed."""
    if not isinstance(response, list) or not response:
        return None
    if not all(isinstance(key, str) for key in response):
        return None
    return tuple(sorted(set(response)))


@dataclass
class _Sheet:
    """One attempt's objective answers: paper item → (response, correct)."""

    answers: dict[int, tuple[tuple[str, ...], bool]] = field(default_factory=dict)


def answer_patterns(
    province: Region, policy: SupervisionPolicy, now: datetime
) -> list[AlertFinding]:
    """Pairs of candidates in one theory sitting who gave the same wrong answers.

    同一考场试卷雷同 is cheating (技能人才评价违纪违规行为处理工作指引; national-rules
    §6.1). Identical right answers are expected of two good candidates, so only wrong
    ones count: over the objective items both candidates answered, leaving out those both
    answered right, the share answered with the same wrong keys must reach
    ``policy.answer_similarity``, on at least ``policy.answer_pattern_min_items`` items.
    Closed attempts only, so a finding does not move while candidates are still writing.
    Pairs are counted per sitting from groups of (item, wrong response), never by
    comparing every answer with every other.
    """
    sittings = (
        Sitting.objects.filter(session__in=_sessions(province, now))
        .annotate(closed=Count("attempts", filter=Q(attempts__status__in=CLOSED_ATTEMPT)))
        .filter(closed__gte=2)
        .select_related("session__batch", "session__room")
        .order_by("pk")
    )
    found: list[AlertFinding] = []
    for sitting in sittings:
        found.extend(_similar_pairs(sitting, policy))
    return found


def _answer_keys(sitting: Sitting) -> dict[int, tuple[tuple[str, ...], int]]:
    """Objective paper items of the sitting's attempts: id → (key, position in paper)."""
    papers = Attempt.objects.filter(sitting=sitting).values("paper_id")
    rows = PaperItem.objects.filter(
        paper_id__in=papers, item__type__in=OBJECTIVE_TYPES
    ).values_list("pk", "position", "item__answer")
    keys: dict[int, tuple[tuple[str, ...], int]] = {}
    for pk, position, answer in rows:
        key = _normal(answer)
        if key is not None:
            keys[pk] = (key, position)
    return keys


def _similar_pairs(sitting: Sitting, policy: SupervisionPolicy) -> list[AlertFinding]:
    keys = _answer_keys(sitting)
    rows = Answer.objects.filter(
        attempt__sitting=sitting,
        attempt__status__in=CLOSED_ATTEMPT,
        paper_item_id__in=list(keys),
        response__isnull=False,
    ).values_list("attempt_id", "paper_item_id", "response")
    sheets: dict[int, _Sheet] = defaultdict(_Sheet)
    wrong: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
    for attempt_id, paper_item_id, response in rows:
        normal = _normal(response)
        if normal is None:
            continue
        correct = normal == keys[paper_item_id][0]
        sheets[attempt_id].answers[paper_item_id] = (normal, correct)
        if not correct:
            wrong[(paper_item_id, normal)].append(attempt_id)
    shared: Counter[tuple[int, int]] = Counter()
    for group in wrong.values():
        if len(group) > 1:
            shared.update(combinations(sorted(group), 2))
    pairs: list[tuple[int, int, list[int], int]] = []
    for (first, second), same in sorted(shared.items()):
        if same < policy.answer_pattern_min_items:
            continue
        one, other = sheets[first].answers, sheets[second].answers
        common = one.keys() & other.keys()
        # Items both answered, less those both answered right.
        compared = sum(1 for item in common if not (one[item][1] and other[item][1]))
        if Decimal(same) < policy.answer_similarity * compared:
            continue
        positions = sorted(
            keys[item][1] for item in common if not one[item][1] and one[item] == other[item]
        )
        pairs.append((first, second, positions, compared))
    if not pairs:
        return []
    attempts = Attempt.objects.select_related("seat__application").in_bulk(
        {pk for first, second, _p, _c in pairs for pk in (first, second)}
    )
    return [
        _pattern_finding(sitting, attempts[first], attempts[second], positions, compared)
        for first, second, positions, compared in pairs
    ]


def _pattern_finding(
    sitting: Sitting, first: Attempt, second: Attempt, positions: list[int], compared: int
) -> AlertFinding:
    session = sitting.session
    label = _session_label(session)
    same = len(positions)
    share = _percent(same, compared)
    title = _(
        "%(session)s：准考证号 %(a)s 与 %(b)s 答题雷同（相同错误答案 %(n)s 题，占 %(share)s）"
    )
    listed = "、".join(str(position) for position in positions)
    return AlertFinding(
        rule=AlertRule.ANSWER_PATTERN,
        key=f"answers:{sitting.pk}:{first.pk}:{second.pk}",
        institution_id=session.batch.institution_id,
        batch_id=session.batch_id,
        title=_clip(
            title
            % {
                "session": label,
                "a": first.seat.application.admission_number or "—",
                "b": second.seat.application.admission_number or "—",
                "n": same,
                "share": share,
            },
            TITLE_MAX,
        ),
        severity=AlertSeverity.SERIOUS,
        evidence=(
            Evidence(label=_("机考场次"), object_type=SITTING, object_id=sitting.pk, value=label),
            *_candidate_lines(first),
            *_candidate_lines(second),
            Evidence(
                label=_("相同错误答案"),
                value=_("%(n)s 题，占双方非同时答对题目 %(compared)s 题的 %(share)s")
                % {"n": same, "compared": compared, "share": share},
            ),
            Evidence(
                label=_("雷同错题（试卷题号）"),
                value=_clip(_("第 %(list)s 题") % {"list": listed}, VALUE_MAX),
            ),
        ),
    )


def _candidate_lines(attempt: Attempt) -> tuple[Evidence, Evidence]:
    seat = attempt.seat
    return (
        Evidence(
            label=_("作答"), object_type=ATTEMPT, object_id=attempt.pk, value=_seat_text(seat)
        ),
        Evidence(
            label=_("报名"),
            object_type=APPLICATION,
            object_id=seat.application_id,
            value=seat.application.admission_number or "",
        ),
    )


# ---------------------------------------------------------------- shared devices


@dataclass
class _Use:
    """What one candidate did from one address: the records and the clients named."""

    attempts: set[int] = field(default_factory=set)
    checkins: set[int] = field(default_factory=set)
    agents: set[str] = field(default_factory=set)
    first: datetime | None = None

    def seen(self, at: datetime) -> None:
        self.first = at if self.first is None else min(self.first, at)


def shared_devices(
    province: Region, policy: SupervisionPolicy, now: datetime
) -> list[AlertFinding]:
    """``policy.shared_device_candidates`` or more candidates of one sitting whose exam
    client or own check-in came from the same address (云人社函〔2023〕1号 三(二):
    人脸识别、考场定位打卡 as warnings). Check-ins a desk recorded for candidates are left
    out: the desk's device serves everyone by design. Empty addresses are ignored."""
    sessions = _sessions(province, now)
    # (sitting, address) → seat → use
    uses: dict[tuple[int, str], dict[int, _Use]] = defaultdict(lambda: defaultdict(_Use))
    events = (
        AttemptEvent.objects.filter(
            attempt__sitting__session__in=sessions,
            kind__in=CANDIDATE_EVENT_KINDS,
            client_address__isnull=False,
        )
        .values("attempt__sitting_id", "client_address", "attempt__seat_id", "attempt_id")
        .annotate(first=Min("at"))
        .order_by()
    )
    for event in events:
        if event["client_address"]:
            use = uses[(event["attempt__sitting_id"], event["client_address"])][
                event["attempt__seat_id"]
            ]
            use.attempts.add(event["attempt_id"])
            use.seen(event["first"])
    agents = (
        AttemptEvent.objects.filter(
            attempt__sitting__session__in=sessions,
            kind__in=CANDIDATE_EVENT_KINDS,
            client_address__isnull=False,
        )
        .exclude(user_agent="")
        .values_list("attempt__sitting_id", "client_address", "attempt__seat_id", "user_agent")
        .distinct()
        .order_by()
    )
    for sitting_id, address, seat_id, agent in agents:
        if address:
            uses[(sitting_id, address)][seat_id].agents.add(agent)
    checkins = CheckIn.objects.filter(
        session__in=sessions,
        session__sitting__isnull=False,
        role=CheckInRole.CANDIDATE,
        seat__isnull=False,
        recorded_by_label="",
        client_address__isnull=False,
    ).values_list("session__sitting", "client_address", "seat_id", "pk", "at")
    for sitting_id, address, seat_id, pk, at in checkins:
        if address and sitting_id is not None and seat_id is not None:
            use = uses[(sitting_id, address)][seat_id]
            use.checkins.add(pk)
            use.seen(at)
    flagged = {
        subject: by_seat
        for subject, by_seat in uses.items()
        if len(by_seat) >= policy.shared_device_candidates
    }
    if not flagged:
        return []
    sittings = Sitting.objects.select_related("session__batch", "session__room__site").in_bulk(
        {sitting_id for sitting_id, _address in flagged}
    )
    flagged = {
        (sitting_id, address): by_seat
        for (sitting_id, address), by_seat in flagged.items()
        if not _venue_network(sittings[sitting_id], address)
    }
    seats = SeatAssignment.objects.select_related("application").in_bulk(
        {seat_id for by_seat in flagged.values() for seat_id in by_seat}
    )
    return [
        _device_finding(sittings[sitting_id], address, by_seat, seats)
        for (sitting_id, address), by_seat in sorted(flagged.items())
    ]


def _venue_network(sitting: Sitting, address: str) -> bool:
    """The address is one of the venue's own outgoing networks (a computer room behind
    one address), which the site lists."""
    room = sitting.session.room
    networks = room.site.network_addresses if room is not None else []
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks or []:
        try:
            if ip in ipaddress.ip_network(str(network), strict=False):
                return True
        except ValueError:
            continue
    return False


def _device_finding(
    sitting: Sitting, address: str, by_seat: dict[int, _Use], seats: dict[int, SeatAssignment]
) -> AlertFinding:
    session = sitting.session
    label = _session_label(session)
    lines: list[Evidence] = [
        Evidence(label=_("机考场次"), object_type=SITTING, object_id=sitting.pk, value=label),
        Evidence(label=_("终端地址"), value=address),
    ]
    agents: set[str] = set()
    ordered = sorted(by_seat.items(), key=lambda entry: seats[entry[0]].seat_number)
    for seat_id, use in ordered:
        seat = seats[seat_id]
        agents |= use.agents
        text = _seat_text(seat)
        if use.first is not None:
            text += _("，首次 %(at)s") % {"at": f"{timezone.localtime(use.first):%H:%M:%S}"}
        for attempt_id in sorted(use.attempts):
            lines.append(
                Evidence(label=_("作答"), object_type=ATTEMPT, object_id=attempt_id, value=text)
            )
        for checkin_id in sorted(use.checkins):
            lines.append(
                Evidence(label=_("签到"), object_type=CHECKIN, object_id=checkin_id, value=text)
            )
    if agents:
        lines.append(
            Evidence(label=_("终端标识"), value=_clip("；".join(sorted(agents)), VALUE_MAX))
        )
    title = _("%(session)s：%(n)s 名考生使用同一终端或网络地址 %(address)s")
    return AlertFinding(
        rule=AlertRule.SHARED_DEVICE,
        key=f"device:{sitting.pk}:{address}",
        institution_id=session.batch.institution_id,
        batch_id=session.batch_id,
        title=_clip(title % {"session": label, "n": len(by_seat), "address": address}, TITLE_MAX),
        severity=AlertSeverity.WARNING,
        evidence=tuple(lines),
    )


# ---------------------------------------------------------------- geofence


def geofence_signins(
    province: Region, policy: SupervisionPolicy, now: datetime
) -> list[AlertFinding]:
    """Check-ins outside the site's radius, of candidates and staff, one finding per
    session (云人社函〔2023〕1号 三(二) 考场定位打卡). A check-in without a location is not
    one outside the radius and is left out."""
    rows = (
        CheckIn.objects.filter(session__in=_sessions(province, now), within_radius=False)
        .select_related("session__batch", "session__room__site", "seat__application", "staff")
        .order_by("session_id", "at", "pk")
    )
    by_session: dict[int, list[CheckIn]] = defaultdict(list)
    for row in rows:
        by_session[row.session_id].append(row)
    return [_geofence_finding(checkins) for _session_id, checkins in sorted(by_session.items())]


def _checkin_text(checkin: CheckIn) -> str:
    if checkin.seat is not None:
        who = _("考生 %(seat)s") % {"seat": _seat_text(checkin.seat)}
    elif checkin.staff is not None:
        who = _("%(role)s %(name)s") % {
            "role": CheckInRole(checkin.role).label,
            "name": checkin.staff.full_name,
        }
    else:
        who = str(CheckInRole(checkin.role).label)
    distance = "—" if checkin.distance_m is None else str(checkin.distance_m)
    return _("%(who)s：%(at)s 签到，距考点 %(distance)s 米") % {
        "who": who,
        "at": f"{timezone.localtime(checkin.at):%Y-%m-%d %H:%M}",
        "distance": distance,
    }


def _geofence_finding(checkins: list[CheckIn]) -> AlertFinding:
    session = checkins[0].session
    site = session.room.site
    label = _session_label(session)
    staff = sum(1 for checkin in checkins if checkin.role == CheckInRole.STAFF)
    title = _("%(session)s：%(n)s 人次签到位置不在考点范围内（半径 %(radius)s 米）")
    return AlertFinding(
        rule=AlertRule.GEOFENCE,
        key=f"geofence:{session.pk}",
        institution_id=session.batch.institution_id,
        batch_id=session.batch_id,
        title=_clip(
            title % {"session": label, "n": len(checkins), "radius": site.radius_m}, TITLE_MAX
        ),
        # Staff away from the site, or several candidates: more than a phone's bad fix.
        severity=AlertSeverity.WARNING if staff or len(checkins) > 1 else AlertSeverity.NOTICE,
        evidence=(
            Evidence(label=_("场次"), object_type=SESSION, object_id=session.pk, value=label),
            Evidence(
                label=_("考点"),
                value=_("%(site)s，定位打卡半径 %(radius)s 米")
                % {"site": site.name, "radius": site.radius_m},
            ),
            *(
                Evidence(
                    label=_("签到"),
                    object_type=CHECKIN,
                    object_id=checkin.pk,
                    value=_checkin_text(checkin),
                )
                for checkin in checkins
            ),
        ),
    )
