"""How much content a pack holds: lessons and questions per level, area and role."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group
from rich.table import Table

from hocvuso.content.lint_rules import exam_pool_needed
from hocvuso.content.loader import Pack
from hocvuso.content.schema import ROLES


@dataclass
class Counts:
    lessons: int = 0
    questions: int = 0  # lesson questions
    exam: int = 0  # exam-pool questions


@dataclass
class LevelStats:
    level: int
    exam_size: int
    exam_needed: int
    totals: Counts = field(default_factory=Counts)
    areas: dict[str, Counts] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)  # lessons a learner of the role sees


@dataclass
class PackStats:
    pack_id: str
    version: str
    areas: list[str]
    levels: list[LevelStats]

    @property
    def totals(self) -> Counts:
        return Counts(
            sum(s.totals.lessons for s in self.levels),
            sum(s.totals.questions for s in self.levels),
            sum(s.totals.exam for s in self.levels),
        )


def pack_stats(pack: Pack) -> PackStats:
    areas = [area.id for area in pack.header.areas]
    levels = []
    for info in sorted(pack.header.levels, key=lambda i: i.level):
        stats = LevelStats(info.level, info.exam.size, exam_pool_needed(info.exam.size))
        stats.areas = {area: Counts() for area in areas}
        for ref in pack.lessons_for(info.level):
            stats.areas.setdefault(ref.area, Counts()).lessons += 1
        for q in pack.questions.values():
            if q.level != info.level:
                continue
            counts = stats.areas.setdefault(q.area, Counts())
            if q.lesson_id is None:
                counts.exam += 1
            else:
                counts.questions += 1
        stats.totals = Counts(
            sum(c.lessons for c in stats.areas.values()),
            sum(c.questions for c in stats.areas.values()),
            sum(c.exam for c in stats.areas.values()),
        )
        stats.roles = {role: len(pack.lessons_for(info.level, role)) for role in ROLES}
        levels.append(stats)
    return PackStats(pack.header.id, pack.header.version, areas, levels)


def _cell(counts: Counts) -> str:
    return f"{counts.lessons} / {counts.questions} / {counts.exam}"


def stats_renderable(stats: PackStats) -> Group:
    """Three rich tables: per level, per area and level, per role and level."""
    levels = Table(title=f"{stats.pack_id} {stats.version}: per level")
    for heading in ("level", "lessons", "lesson questions", "exam pool", "pool needed"):
        levels.add_column(heading, justify="right")
    for s in stats.levels:
        short = s.totals.exam < s.exam_needed
        pool = f"[red]{s.totals.exam}[/red]" if short else str(s.totals.exam)
        levels.add_row(
            str(s.level),
            str(s.totals.lessons),
            str(s.totals.questions),
            pool,
            f"{s.exam_needed} (exam of {s.exam_size})",
        )
    total = stats.totals
    levels.add_row(
        "all", str(total.lessons), str(total.questions), str(total.exam), "", end_section=True
    )

    areas = Table(title="lessons / lesson questions / exam questions, per area")
    areas.add_column("area")
    for s in stats.levels:
        areas.add_column(f"level {s.level}", justify="right")
    for area in {a: None for s in stats.levels for a in s.areas}:
        areas.add_row(area, *(_cell(s.areas.get(area, Counts())) for s in stats.levels))

    roles = Table(title="lessons a learner sees, per role")
    roles.add_column("role")
    for s in stats.levels:
        roles.add_column(f"level {s.level}", justify="right")
    for role in ROLES:
        roles.add_row(role, *(str(s.roles.get(role, 0)) for s in stats.levels))
    return Group(levels, areas, roles)
