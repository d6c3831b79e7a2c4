"""A seeded data set for report tests, its expected figures computed independently in plain
Python (never through ``hocvuso.organising.reports``), and a reader of the /report chat message.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising.reports import Row
from hocvuso.storage.organising import Unit
from tests.factories import Conversation, add_learner, add_units, plain

#: The ``clock`` fixture's moment: 09:00 on 23/11/2026 in Hà Nội.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
#: The tree: SO-A (PA1, PA2 with TO-A2X below it) and SO-B (PB1, and PB2 where nobody is).
#: Listed out of code order, so that rows sorted by code differ from rows in import order.
UNITS = (
    ("SO-B", "Sở B", None),
    ("SO-A", "Sở A", None),
    ("PA2", "Phòng A2", "SO-A"),
    ("PA1", "Phòng A1", "SO-A"),
    ("TO-A2X", "Tổ A2x", "PA2"),
    ("PB2", "Phòng B2 (chưa có ai)", "SO-B"),
    ("PB1", "Phòng B1", "SO-B"),
)
NAMES = {code: name for code, name, _ in UNITS}
PARENTS = {code: parent for code, _, parent in UNITS}
#: A unit code some learners still carry although no such unit exists (any more).
GONE = "DA-GIAI-THE"


@dataclass(frozen=True)
class Profile:
    learners: int
    certified: float  # chance to hold a level 1 certificate
    recent: float  # chance that a certificate was issued within the last 28 days


#: Per unit: how many learners and how they do, chosen so the rows show every outlook.
PROFILES: dict[str | None, Profile] = {
    "SO-A": Profile(6, 0.5, 0.5),
    "PA1": Profile(24, 0.95, 0.3),
    "PA2": Profile(18, 0.55, 0.7),
    "TO-A2X": Profile(14, 0.4, 0.5),
    "SO-B": Profile(9, 0.4, 0.0),
    "PB1": Profile(22, 0.2, 0.25),
    None: Profile(8, 0.5, 0.5),
    GONE: Profile(4, 0.5, 0.5),
}


@dataclass(frozen=True)
class Seeded:
    """One learner as written to the store. Blocked and erased learners still count: their
    anonymous aggregates stay (see ``LearnerStatus``)."""

    unit: str | None
    last_active: datetime | None
    certificates: dict[int, datetime] = field(default_factory=dict)
    status: str = "active"


def _certificates(rng: random.Random, profile: Profile, now: datetime) -> dict[int, datetime]:
    if rng.random() >= profile.certified:
        return {}
    recent = rng.random() < profile.recent
    seconds = rng.uniform(60, 27.9 * 86400) if recent else rng.uniform(28.1 * 86400, 90 * 86400)
    issued = {1: now - timedelta(seconds=seconds)}
    for level in (2, 3, 4):
        if rng.random() >= 0.55:
            break
        # A higher level comes later than the one below it, some time before now.
        before = issued[level - 1]
        issued[level] = before + (now - before) * rng.uniform(0.05, 0.95)
    return issued


def records(seed: int = 20261123, now: datetime = NOW) -> list[Seeded]:
    """Learners drawn with a seeded generator, plus hand-placed ones on every boundary."""
    rng = random.Random(seed)
    drawn: list[Seeded] = []
    for unit, profile in PROFILES.items():
        for _ in range(profile.learners):
            roll = rng.random()
            last_active = (
                None if roll < 0.1 else now - timedelta(seconds=rng.uniform(0, 30 * 86400))
            )
            status = rng.choice(("active",) * 8 + ("blocked", "erased"))
            drawn.append(Seeded(unit, last_active, _certificates(rng, profile, now), status))
    week, pace = timedelta(days=7), timedelta(days=28)
    tick = timedelta(microseconds=1)
    boundaries = [
        Seeded("TO-A2X", now - week),  # active: exactly 7 days ago counts
        Seeded("TO-A2X", now - week - tick),  # not active
        Seeded("TO-A2X", None, {1: now - pace}),  # certified exactly 28 days ago: in the pace
        Seeded("TO-A2X", None, {1: now - pace - tick}),  # just outside the pace
        Seeded("SO-A", now, {1: now - pace - tick, 2: now - timedelta(days=1)}),
        # Only a level 2 certificate (placed above level 1 by hand): counted at level 2 only.
        Seeded("PB1", now - timedelta(days=3), {2: now - timedelta(days=2)}),
    ]
    return drawn + boundaries


async def seed(
    sessions: async_sessionmaker[AsyncSession], data: list[Seeded], now: datetime = NOW
) -> dict[str, Unit]:
    """Write the tree and the learners; returns the units by code."""
    tree = await add_units(sessions, *UNITS)
    for number, learner in enumerate(data):
        await add_learner(
            sessions,
            unit=learner.unit,
            name=f"Học viên {number}",
            created_at=now - timedelta(days=120),
            last_active_at=learner.last_active,
            certified=sorted(learner.certificates.items()),
            status=learner.status,
        )
    return tree


# --- the expected figures, computed from the records alone ---------------------------------------
def subtree(code: str) -> set[str]:
    """``code`` and every unit below it, by walking the parents."""

    def under(unit: str) -> bool:
        current: str | None = unit
        while current is not None:
            if current == code:
                return True
            current = PARENTS[current]
        return False

    return {unit for unit in PARENTS if under(unit)}


@dataclass(frozen=True)
class Figures:
    code: str
    name: str
    joined: int
    active: int
    certified: tuple[int, int, int, int]
    recent: int
    certified_percent: float | None
    percent_of_target: float | None
    outlook: str
    when: date | None


def figures(
    code: str,
    name: str,
    members: list[Seeded],
    *,
    level: int,
    percent: int,
    deadline: date,
    now: datetime = NOW,
) -> Figures:
    joined = len(members)
    active = sum(1 for m in members if m.last_active and now - m.last_active <= timedelta(7))
    certified = tuple(sum(1 for m in members if n in m.certificates) for n in (1, 2, 3, 4))
    recent = sum(
        1
        for m in members
        if level in m.certificates and now - m.certificates[level] <= timedelta(28)
    )
    at_target = certified[level - 1]
    needed = -(-joined * percent // 100)  # ceiling, in integers
    today = now.astimezone(HANOI).date()
    when: date | None = None
    if joined and at_target >= needed:
        outlook = "reached"
    elif not joined or not recent:
        outlook = "no_activity"
    else:
        # ``recent`` in 28 days: the ``needed - at_target`` missing take this many days.
        when = today + timedelta(days=math.ceil((needed - at_target) * 28 / recent))
        outlook = "on_track" if when <= deadline else "late"
    return Figures(
        code,
        name,
        joined,
        active,
        (certified[0], certified[1], certified[2], certified[3]),
        recent,
        round(100 * at_target / joined, 1) if joined else None,
        round(100 * at_target / needed, 1) if needed else None,
        outlook,
        when,
    )


def expected_report(
    data: list[Seeded],
    root: str | None,
    *,
    level: int,
    percent: int,
    deadline: date,
    now: datetime = NOW,
) -> tuple[list[Figures], Figures]:
    """The rows (the root's own people first, then its children by code) and the total."""
    children = sorted(code for code, parent in PARENTS.items() if parent == root)
    buckets = [(root, {root})] if root is not None else []
    buckets += [(child, subtree(child)) for child in children]
    target = {"level": level, "percent": percent, "deadline": deadline, "now": now}
    rows = [
        figures(code, NAMES[code], [m for m in data if m.unit in units], **target)
        for code, units in buckets
    ]
    everyone = subtree(root) if root is not None else set(PARENTS)
    total = figures(root or "*", "Tổng cộng", [m for m in data if m.unit in everyone], **target)
    return rows, total


# --- reading the /report chat message -------------------------------------------------------------
@dataclass(frozen=True)
class ChatRow:
    name: str
    code: str
    joined: int
    active: int
    certified: tuple[int, int, int, int]
    percent_of_target: float | None
    outlook: str
    when: date | None
    certified_percent: float | None


#: The root unit's own row counts only the people directly in it, and says so.
DIRECT = " – trực thuộc trực tiếp"
ROW = re.compile(
    r"^(?P<name>.+) \((?P<code>[^()]+)\)\n"
    r"Tham gia: (?P<joined>\d+) · hoạt động 7 ngày: (?P<active>\d+)\n"
    r"Đạt chuẩn: C1: (?P<c1>\d+) · C2: (?P<c2>\d+) · C3: (?P<c3>\d+) · C4: (?P<c4>\d+)"
    r" · tỷ lệ cấp \d: (?P<rate>—|[\d,]+%)\n"
    r"Đạt (?P<percent>—|[\d,]+%) mục tiêu · dự báo: (?P<forecast>.+)$"
)
FORECASTS = (
    (re.compile(r"^đã đạt mục tiêu$"), "reached"),
    (re.compile(r"^kịp, dự kiến ngày (\d\d/\d\d/\d{4})$"), "on_track"),
    (re.compile(r"^không kịp \(dự kiến ngày (\d\d/\d\d/\d{4})\)$"), "late"),
    (re.compile(r"^không kịp \(chưa có người đạt chuẩn trong 28 ngày qua\)$"), "no_activity"),
    (re.compile(r"^chưa có người tham gia$"), "no_activity"),
)


def read_forecast(text: str) -> tuple[str, date | None]:
    for pattern, outlook in FORECASTS:
        match = pattern.match(text)
        if match:
            if not match.groups():
                return outlook, None
            day, month, year = (int(part) for part in match.group(1).split("/"))
            return outlook, date(year, month, day)
    raise AssertionError(f"not a forecast: {text!r}")


@dataclass(frozen=True)
class ChatReport:
    title: str
    rows: list[ChatRow]
    total: ChatRow
    #: Paragraphs that are no row: "… và N đơn vị khác", suggestions.
    notes: list[str]


def read_percent(text: str) -> float | None:
    """``62,5%`` (Vietnamese decimal comma) as 62.5; ``—`` as None."""
    return None if text == "—" else float(text.rstrip("%").replace(",", "."))


def read_chat_report(text: str) -> ChatReport:
    """The /report message (plain text) as figures: title, rows, total, other paragraphs."""
    title, *blocks = text.split("\n\n")
    assert title.startswith("📊"), f"not a report: {text[:200]!r}"
    rows: list[ChatRow] = []
    notes: list[str] = []
    for block in blocks:
        match = ROW.match(block)
        if not match:
            notes.append(block)
            continue
        outlook, when = read_forecast(match["forecast"])
        rows.append(
            ChatRow(
                match["name"].removesuffix(DIRECT),
                match["code"],
                int(match["joined"]),
                int(match["active"]),
                (int(match["c1"]), int(match["c2"]), int(match["c3"]), int(match["c4"])),
                read_percent(match["percent"]),
                outlook,
                when,
                read_percent(match["rate"]),
            )
        )
    *rows, total = rows
    return ChatReport(title, rows, total, notes)


def actual(row: Row) -> Figures:
    """A row of the report under test, in the shape of the expected figures."""
    return Figures(
        row.code,
        row.name,
        row.joined,
        row.active,
        (row.certified[0], row.certified[1], row.certified[2], row.certified[3]),
        row.recent,
        row.certified_percent,
        row.percent_of_target,
        row.forecast.outlook.value,
        row.forecast.when,
    )


def as_chat(row: Figures, name: str | None = None) -> ChatRow:
    """What the chat shows of an expected row."""
    return ChatRow(
        name or row.name,
        row.code,
        row.joined,
        row.active,
        row.certified,
        row.percent_of_target,
        row.outlook,
        row.when,
        row.certified_percent,
    )


async def chat_report(conversation: Conversation, command: str = "/report") -> ChatReport:
    """Send ``command`` and read the one report message among the replies."""
    await conversation.send(command)
    texts = [plain(reply.text) for reply in conversation.last.replies]
    found = [text for text in texts if text.startswith("📊")]
    assert len(found) == 1, texts
    return read_chat_report(found[0])
