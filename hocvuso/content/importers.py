"""Import question banks (Moodle GIFT, CSV, XLSX) into a pack as exam-pool files.

All or nothing: if any question of the file has a problem, nothing is written. Questions the
format can hold but hocvuso does not use (GIFT essay, numeric, matching...) are skipped and listed
in :attr:`ImportResult.skipped`. Each level gets one file, ``level<N>/exam-<file stem>.yaml``.
Ids missing from the file are derived from the level, area and question text, so importing the
same file again yields the same ids. See ``docs/content-import.md``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from hocvuso.content.drafts import Draft
from hocvuso.content.gift import parse_gift
from hocvuso.content.loader import Pack, Problem, collect
from hocvuso.content.schema import ExamFile, Question
from hocvuso.content.tables import read_table

Format = Literal["gift", "csv", "xlsx"]
FORMATS: dict[str, Format] = {".gift": "gift", ".txt": "gift", ".csv": "csv", ".xlsx": "xlsx"}


@dataclass
class ImportResult:
    written: list[Path] = field(default_factory=list)
    questions: int = 0
    problems: list[Problem] = field(default_factory=list)  # any of them: nothing was written
    skipped: list[Problem] = field(default_factory=list)  # unsupported questions, left out

    @property
    def ok(self) -> bool:
        return not self.problems


def detect_format(path: Path) -> Format | None:
    return FORMATS.get(path.suffix.lower())


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "import"


def generated_id(level: int, area: str, text: str, options: Iterable[str]) -> str:
    digest = hashlib.sha1("\n".join([text, *options]).encode(), usedforsecurity=False)
    return f"exam{level}-{slug(area)}-{digest.hexdigest()[:8]}"


def _describe(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error["loc"]]
    if loc[:1] == ["options"] and len(loc) > 1 and loc[1].isdigit():
        where = f"option {int(loc[1]) + 1}"
    elif loc[:1] == ["sources"]:
        where = f"source {loc[-1]}"
    else:
        where = ".".join(loc)
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


@dataclass
class _Accepted:
    draft: Draft
    level: int
    question: Question


def _resolve(
    drafts: list[Draft], pack: Pack, name: str, level: int | None, area: str | None
) -> tuple[list[_Accepted], list[Problem]]:
    areas = {a.id for a in pack.header.areas}
    accepted, problems = [], []
    for draft in drafts:
        q_level, q_area = draft.level or level, draft.area or area
        found = []
        if q_level is None:
            found.append("no level: fill the level column or pass --level")
        elif q_level not in pack.levels:
            found.append(f"level {q_level} is not in the pack (it has {pack.levels})")
        if q_area is None:
            found.append("no area: fill the area column or pass --area")
        elif q_area not in areas:
            found.append(f"unknown area {q_area!r} (the pack has {', '.join(sorted(areas))})")
        if found:
            problems += [Problem(name, draft.line, message) for message in found]
            continue
        assert q_level is not None and q_area is not None
        data = {
            "id": draft.id or generated_id(q_level, q_area, draft.text, draft.options),
            "area": q_area,
            "text": draft.text,
            "options": draft.options,
            "correct": draft.correct,
            "explanation": draft.explanation,
            "sources": draft.sources,
        }
        try:
            accepted.append(_Accepted(draft, q_level, Question.model_validate(data)))
        except ValidationError as exc:
            problems += [Problem(name, draft.line, _describe(dict(e))) for e in exc.errors()]
    return accepted, problems


def _clashes(accepted: list[_Accepted], pack: Pack, name: str, replaced: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for item in accepted:
        ident = item.question.id
        if ident in first:
            problems.append(
                Problem(
                    name, item.draft.line, f"duplicate id {ident!r} (first at line {first[ident]})"
                )
            )
            continue
        first[ident] = item.draft.line
        existing = pack.questions.get(ident)
        if existing is not None and existing.file not in replaced:
            problems.append(
                Problem(name, item.draft.line, f"id {ident!r} is already used in {existing.file}")
            )
    return problems


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(level: int, questions: list[Question], origin: str) -> str:
    items = [
        {
            "id": q.id,
            "area": q.area,
            "text": q.text,
            "options": list(q.options),
            "correct": q.correct,
            "explanation": q.explanation,
            **({"sources": [s.model_dump(mode="json") for s in q.sources]} if q.sources else {}),
        }
        for q in questions
    ]
    ExamFile.model_validate({"exam": {"level": level, "questions": items}})
    body = yaml.dump(
        {"exam": {"level": level, "questions": items}},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=4096,
    )
    return f"# Imported from {origin} by `hocvuso content import`.\n{body}"


def _read(source: Path, name: str, fmt: Format) -> tuple[list[Draft], list[Problem], list[Problem]]:
    if fmt == "gift":
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            return [], [Problem(name, 1, "not UTF-8 text")], []
        return parse_gift(text, name)
    drafts, problems = read_table(source, name, fmt)
    return drafts, problems, []


def _write(files: dict[Path, str], pack_dir: Path) -> list[Problem]:
    """Write the files, then load the pack: undo everything if the loader rejects them."""
    before = {path: path.read_bytes() if path.exists() else None for path in files}
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    names = {str(path.relative_to(pack_dir)) for path in files}
    _, problems = collect(pack_dir)
    rejected = [p for p in problems if p.file in names]
    if rejected:
        for path, old in before.items():
            if old is None:
                path.unlink()
            else:
                path.write_bytes(old)
    return rejected


def import_file(
    source: Path,
    pack_dir: Path,
    *,
    level: int | None = None,
    area: str | None = None,
    fmt: Format | None = None,
    force: bool = False,
) -> ImportResult:
    """Import ``source`` into the pack at ``pack_dir``; see the module documentation."""
    name = str(source)
    fmt = fmt or detect_format(source)
    if fmt is None:
        message = f"unknown format {source.suffix!r}: use --format gift, csv or xlsx"
        return ImportResult(problems=[Problem(name, 1, message)])
    if not source.is_file():
        return ImportResult(problems=[Problem(name, 1, "no such file")])
    pack_dir = pack_dir.resolve()
    pack, pack_problems = collect(pack_dir)
    if pack is None:
        return ImportResult(problems=pack_problems)
    drafts, problems, skipped = _read(source, name, fmt)
    accepted, found = _resolve(drafts, pack, name, level, area)
    problems += found
    if not problems and not accepted:
        problems.append(Problem(name, 1, "no question to import"))
    by_level: dict[int, list[Question]] = {}
    for item in accepted:
        by_level.setdefault(item.level, []).append(item.question)
    targets = {n: pack_dir / f"level{n}" / f"exam-{slug(source.stem)}.yaml" for n in by_level}
    replaced = {str(path.relative_to(pack_dir)) for path in targets.values()}
    problems += _clashes(accepted, pack, name, replaced)
    for path in targets.values():
        if path.exists() and not force:
            problems.append(Problem(str(path), 1, "already exists: pass --force to replace it"))
    if problems:
        return ImportResult(problems=sorted(problems), skipped=skipped)
    files = {targets[n]: render(n, qs, source.name) for n, qs in sorted(by_level.items())}
    rejected = _write(files, pack_dir)
    if rejected:
        return ImportResult(problems=rejected, skipped=skipped)
    return ImportResult(list(files), len(accepted), [], skipped)
