"""Read questions from a CSV file or an XLSX workbook (layout in ``docs/content-import.md``).

One header row, then one question a row. Columns (any order, names case-insensitive)::

    id, lesson_id, area, level, text, option_1 .. option_12, correct, explanation,
    source_title, source_url

Required: ``text``, ``option_1``, ``option_2``, ``correct`` (1-based number or letter A-L),
``explanation``. Blank ``id`` / ``area`` / ``level`` cells take generated / default values.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hocvuso.content.drafts import Draft
from hocvuso.content.loader import Problem
from hocvuso.content.schema import OPTIONS_MAX

OPTION_COLUMNS = tuple(f"option_{n}" for n in range(1, OPTIONS_MAX + 1))
REQUIRED = ("text", "option_1", "option_2", "correct", "explanation")
COLUMNS = (
    "id",
    "lesson_id",
    "area",
    "level",
    "text",
    *OPTION_COLUMNS,
    "correct",
    "explanation",
    "source_title",
    "source_url",
)
Row = tuple[int, dict[str, str]]


class RowError(ValueError):
    pass


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header(cells: list[str], name: str) -> tuple[list[str], list[Problem]]:
    names = [re.sub(r"\s+", "_", cell.strip().casefold()) for cell in cells]
    problems = [
        Problem(name, 1, f"unknown column {cell!r} (expected: {', '.join(COLUMNS)})")
        for cell in names
        if cell and cell not in COLUMNS
    ]
    problems += [
        Problem(name, 1, f"missing required column {col!r}") for col in REQUIRED if col not in names
    ]
    duplicated = sorted({col for col in names if col and names.count(col) > 1})
    problems += [Problem(name, 1, f"column {col!r} appears twice") for col in duplicated]
    return names, problems


def _rows(header: list[str], body: Iterator[tuple[int, list[str]]]) -> Iterator[Row]:
    for line, cells in body:
        values = {col: cells[i] if i < len(cells) else "" for i, col in enumerate(header) if col}
        if any(values.values()):
            yield line, values


def read_csv(path: Path, name: str) -> tuple[list[Row], list[Problem]]:
    """Rows of a UTF-8 CSV separated by ``,`` or ``;`` (as Excel writes in Vietnamese locale)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(name, 1, "not UTF-8 text: save the sheet as 'CSV UTF-8'")]
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    try:
        header_cells = next(reader)
    except StopIteration:
        return [], [Problem(name, 1, "the file is empty")]
    header, problems = _header(header_cells, name)

    def body() -> Iterator[tuple[int, list[str]]]:
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            yield start, [_cell(cell) for cell in cells]

    try:
        return list(_rows(header, body())), problems
    except csv.Error as exc:
        return [], [*problems, Problem(name, reader.line_num, f"CSV syntax: {exc}")]


def read_xlsx(path: Path, name: str) -> tuple[list[Row], list[Problem]]:
    """Rows of the first sheet of a workbook."""
    from openpyxl import load_workbook  # only the spreadsheet import needs it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        return [], [Problem(name, 1, f"cannot open the workbook: {exc}")]
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            return [], [Problem(name, 1, "the first sheet is empty")]
        header, problems = _header([_cell(c) for c in first], name)
        body = ((n, [_cell(c) for c in cells]) for n, cells in enumerate(rows, start=2))
        return list(_rows(header, body)), problems
    finally:
        workbook.close()


def _correct(value: str, count: int) -> int:
    if re.fullmatch(r"[A-La-l]", value):
        index = ord(value.upper()) - ord("A")
    elif value.isdigit():
        index = int(value) - 1
    else:
        raise RowError(f"correct: {value!r} is not an option number (1-{count}) or letter")
    if not 0 <= index < count:
        raise RowError(f"correct: option {value} does not exist (the row has {count} options)")
    return index


def _options(values: dict[str, str]) -> list[str]:
    cells = [values.get(col, "") for col in OPTION_COLUMNS]
    while cells and not cells[-1]:
        cells.pop()
    for n, cell in enumerate(cells, start=1):
        if not cell:
            raise RowError(f"option_{n} is empty but a later option is not")
    return cells


def to_draft(line: int, values: dict[str, str]) -> Draft:
    """One row as a question, or :class:`RowError` saying what is wrong with it."""
    if values.get("lesson_id"):
        raise RowError(
            "lesson_id: the importer fills exam pools only; a lesson's questions live with the "
            "lesson in its module file — clear the cell or add the question there by hand"
        )
    for col in REQUIRED:
        if col.startswith("option_"):
            continue
        if not values.get(col):
            raise RowError(f"{col} is empty")
    options = _options(values)
    if len(options) < 2:
        raise RowError("a question needs at least option_1 and option_2")
    level = values.get("level", "")
    if level and not level.isdigit():
        raise RowError(f"level: {level!r} is not a number")
    title, url = values.get("source_title", ""), values.get("source_url", "")
    if bool(title) != bool(url):
        raise RowError("source_title and source_url go together: fill both or neither")
    return Draft(
        line=line,
        text=values["text"],
        options=options,
        correct=_correct(values["correct"], len(options)),
        explanation=values["explanation"],
        id=values.get("id") or None,
        level=int(level) if level else None,
        area=values.get("area") or None,
        sources=[{"title": title, "url": url}] if title else [],
    )


def read_table(path: Path, name: str, fmt: str) -> tuple[list[Draft], list[Problem]]:
    rows, problems = (read_xlsx if fmt == "xlsx" else read_csv)(path, name)
    if problems:
        return [], problems
    drafts = []
    for line, values in rows:
        try:
            drafts.append(to_draft(line, values))
        except RowError as exc:
            problems.append(Problem(name, line, str(exc)))
    return drafts, problems
