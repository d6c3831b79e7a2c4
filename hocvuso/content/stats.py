"""How much content a pack holds (lessons and questions per level, area and role) and how far its
questions give themselves away (length cue, near-duplicates, repeated distractors, homepage
sources) — the same measures the lint rules judge, from :mod:`hocvuso.content.cues`."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group
from rich.table import Table

from hocvuso.content import cues
from hocvuso.content.lint_rules import exam_pool_needed
from hocvuso.content.lint_rules_pack import LESSON_CUE_MIN_QUESTIONS
from hocvuso.content.loader import Pack
from hocvuso.content.schema import ROLES, Source


@dataclass
class Counts:
    lessons: int = 0
    questions: int = 0  # lesson questions
    exam: int = 0  # exam-pool questions


@dataclass
class Quality:
    """A level's give-aways; in :attr:`PackStats.quality` the same over the whole pack."""

    cue: cues.LengthCue = field(default_factory=lambda: cues.length_cue([]))
    lessons_with_cue: int = 0  # answer uniquely longest/shortest in more than half its questions
    near_duplicates: int = 0  # pairs with a question here (the pack counts each pair once)
    repeated_distractors: int = 0  # wrong-option texts in more than 2 questions, used here
    sources: int = 0  # cited by lessons and questions
    homepage_sources: int = 0
    homepage_only_lessons: int = 0  # lessons whose every source is a homepage


@dataclass
class LevelStats:
    level: int
    exam_size: int
    exam_needed: int
    totals: Counts = field(default_factory=Counts)
    areas: dict[str, Counts] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)  # lessons a learner of the role sees
    quality: Quality = field(default_factory=Quality)


@dataclass
class PackStats:
    pack_id: str
    version: str
    areas: list[str]
    levels: list[LevelStats]
    quality: Quality = field(default_factory=Quality)
    titles_reused: int = 0  # lesson titles (normalised) shared by two or more lessons

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
    result = PackStats(pack.header.id, pack.header.version, areas, levels)
    _measure(pack, result)
    return result


def _items(pack: Pack, level: int | None = None) -> list[cues.Item]:
    found = []
    for ident, ref in pack.questions.items():
        q = ref.question
        measured = cues.item(ident, q.text, q.options, q.correct, ref.file)
        if measured is not None and (level is None or ref.level == level):
            found.append(measured)
    return found


def _sources(pack: Pack, level: int | None) -> tuple[list[Source], int]:
    """Every source cited at ``level`` (None: the pack) and the lessons citing only homepages."""
    cited: list[Source] = []
    homepage_only = 0
    for ref in pack.lessons.values():
        if level is None or ref.level == level:
            cited += ref.lesson.sources
            homepage_only += all(cues.is_homepage(str(s.url)) for s in ref.lesson.sources)
    for q in pack.questions.values():
        if level is None or q.level == level:
            cited += q.question.sources
    return cited, homepage_only


def _quality(
    pack: Pack,
    level: int | None,
    pairs: list[cues.Duplicate],
    repeated: dict[str, list[tuple[cues.Item, int]]],
) -> Quality:
    questions = _items(pack, level)
    ids = {q.id for q in questions}
    by_lesson: dict[str, list[cues.Item]] = {}
    for q in questions:
        lesson = pack.questions[q.id].lesson_id
        if lesson is not None:
            by_lesson.setdefault(lesson, []).append(q)
    with_cue = sum(
        1
        for qs in by_lesson.values()
        if len(qs) >= LESSON_CUE_MIN_QUESTIONS
        and max(sum(map(cues.uniquely_longest, qs)), sum(map(cues.uniquely_shortest, qs))) * 2
        > len(qs)
    )
    cited, homepage_only = _sources(pack, level)
    return Quality(
        cue=cues.length_cue(questions),
        lessons_with_cue=with_cue,
        near_duplicates=sum(1 for p in pairs if p.first.id in ids or p.second.id in ids),
        repeated_distractors=sum(
            1 for uses in repeated.values() if any(q.id in ids for q, _ in uses)
        ),
        sources=len(cited),
        homepage_sources=sum(1 for s in cited if cues.is_homepage(str(s.url))),
        homepage_only_lessons=homepage_only,
    )


def _measure(pack: Pack, stats: PackStats) -> None:
    everything = _items(pack)
    pairs = cues.near_duplicates(everything)
    repeated = cues.repeated_distractors(everything)
    for level in stats.levels:
        level.quality = _quality(pack, level.level, pairs, repeated)
    stats.quality = _quality(pack, None, pairs, repeated)
    titles: dict[str, int] = {}
    for ref in pack.lessons.values():
        key = cues.normalise(ref.lesson.title)
        titles[key] = titles.get(key, 0) + 1
    stats.titles_reused = sum(1 for n in titles.values() if n > 1)


def _cell(counts: Counts) -> str:
    return f"{counts.lessons} / {counts.questions} / {counts.exam}"


def stats_renderable(stats: PackStats) -> Group:
    """Rich tables: per level, per area and level, per role and level, and the give-aways."""
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
    return Group(levels, areas, roles, quality_tables(stats))


def _figure(value: float, chance: float) -> str:
    text = f"{value:.3f}"
    return f"[red]{text}[/red]" if abs(value - chance) > cues.LENGTH_CUE_TOLERANCE else text


def _count(value: int, text: str | None = None) -> str:
    return f"[red]{text or value}[/red]" if value else (text or "0")


def quality_tables(stats: PackStats) -> Group:
    """Length cue, near-duplicates, repeated distractors and homepage sources, per level."""
    tolerance = cues.LENGTH_CUE_TOLERANCE
    # "longest" is the score of always picking the longest option; both within ± tolerance
    cue = Table(title=f"length cue, per level (must be within ± {tolerance} of chance)")
    for heading in ("level", "questions", "chance", "longest", "2nd longest", "lessons cued"):
        cue.add_column(heading, justify="right")
    repeats = Table(title="asked twice, reused, homepage sources")
    for heading in ("level", "near-dup. pairs", "repeated wrong", "homepage sources"):
        repeats.add_column(heading, justify="right")
    repeats.add_column("homepage-only lessons", justify="right")
    rows = [(str(s.level), s.quality) for s in stats.levels] + [("all", stats.quality)]
    for name, q in rows:
        last = len(rows) > 1 and name == rows[-2][0]  # a line above the "all" row
        cue.add_row(
            name,
            str(q.cue.questions),
            f"{q.cue.chance:.3f}",
            _figure(q.cue.longest, q.cue.chance),
            _figure(q.cue.second, q.cue.chance),
            _count(q.lessons_with_cue),
            end_section=last,
        )
        repeats.add_row(
            name,
            _count(q.near_duplicates),
            _count(q.repeated_distractors),
            _count(q.homepage_sources, f"{q.homepage_sources} of {q.sources}"),
            _count(q.homepage_only_lessons),
            end_section=last,
        )
    repeats.caption = (
        f"lesson titles used twice: {stats.titles_reused}. A pair or a wrong option shared by "
        "two levels counts at both; 'all' counts it once."
    )
    return Group(cue, repeats)
