"""A question read from an import file, before it is validated against the pack schema."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Draft:
    line: int  # where the question starts in the import file (row number for spreadsheets)
    text: str
    options: list[str]
    correct: int  # from 0
    explanation: str
    id: str | None = None
    level: int | None = None
    area: str | None = None
    sources: list[dict[str, str]] = field(default_factory=list)
