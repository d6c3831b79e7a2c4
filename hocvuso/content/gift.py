"""Read multiple-choice and true/false questions from Moodle GIFT text.

Supported::

    // source: Cẩm nang an toàn | https://example.gov.vn/cam-nang
    ::title:: [html]Question text { =right #why ~wrong #feedback ~wrong ####general feedback }
    ::tf:: The sky is blue {T#feedback if wrong#feedback if right}

Essay (``{}``), numeric (``{#...}``), short-answer (only ``=`` answers), matching (``->``) and
partial-credit multiple-answer questions are skipped and reported. ``//`` lines are comments, except
``// source: title | url`` which cites a source for the next question. ``$CATEGORY:`` lines are
ignored. The explanation is the general feedback (``####``), else the correct answer's feedback,
else the only feedback given.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from hocvuso.content.drafts import Draft
from hocvuso.content.loader import Problem

TRUE_OPTION, FALSE_OPTION = "Đúng", "Sai"
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TRUE_FALSE = re.compile(r"(?i)\s*(T|F|TRUE|FALSE)\s*(#.*)?", re.DOTALL)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_SOURCE = re.compile(r"^//\s*source:\s*(.+?)\s*\|\s*(\S+)\s*$", re.IGNORECASE)


class GiftError(ValueError):
    """A question GIFT cannot express as multiple choice: the import must stop."""


class Unsupported(ValueError):
    """A valid GIFT question of a type hocvuso does not use: skipped and reported."""


def find(text: str, token: str, start: int = 0) -> int:
    """Index of the first unescaped ``token`` at or after ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def split(text: str, tokens: str) -> list[tuple[str, str]]:
    """Split at unescaped single-character ``tokens``: [(token or "", piece), ...]."""
    parts: list[tuple[str, str]] = []
    marker, start, i = "", 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in tokens:
            parts.append((marker, text[start:i]))
            marker, start = text[i], i + 1
        i += 1
    parts.append((marker, text[start:]))
    return parts


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text).strip()


@dataclass
class _Block:
    line: int
    text: str
    sources: list[dict[str, str]] = field(default_factory=list)


def _blocks(source: str) -> list[_Block]:
    """Questions are separated by blank lines (a blank line inside ``{...}`` does not count)."""
    blocks: list[_Block] = []
    current: list[str] = []
    start = 0
    sources: list[dict[str, str]] = []  # cited by the question being read
    pending: list[dict[str, str]] = []  # cited for the next question

    def flush() -> None:
        nonlocal current, sources
        text = "\n".join(current).strip()
        if text:
            blocks.append(_Block(start, text, sources))
        current, sources = [], []

    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("$CATEGORY:"):
            continue
        if stripped.startswith("//"):
            if match := _SOURCE.match(stripped):
                pending.append({"title": match.group(1), "url": match.group(2)})
            continue
        if not stripped:
            joined = "\n".join(current)
            if find(joined, "{") == -1 or find(joined, "}", find(joined, "{")) != -1:
                flush()
            continue
        if not current:
            start, sources, pending = number, pending, []
        current.append(line)
    flush()
    return blocks


def _answers(body: str) -> tuple[list[tuple[str, float, str]], str]:
    """(marker, weight, text-with-feedback) answers and the general feedback of a block."""
    cut = find(body, "####")
    general = body[cut + 4 :] if cut != -1 else ""
    body = body[:cut] if cut != -1 else body
    answers = []
    for marker, piece in split(body, "=~"):
        if not marker:
            if piece.strip():
                raise GiftError(f"text {piece.strip()[:30]!r} before the first = or ~ answer")
            continue
        weight = 100.0 if marker == "=" else 0.0
        piece = piece.strip()
        if match := _WEIGHT.match(piece):
            weight, piece = float(match.group(1)), piece[match.end() :]
        answers.append((marker, weight, piece))
    return answers, unescape(general)


def _feedback(piece: str) -> tuple[str, str]:
    cut = find(piece, "#")
    if cut == -1:
        return unescape(piece), ""
    return unescape(piece[:cut]), unescape(piece[cut + 1 :])


def _choice(body: str) -> tuple[list[str], int, str]:
    """Options, correct index and explanation of a multiple-choice answer block."""
    answers, general = _answers(body)
    if any(find(text, "->") != -1 for _, _, text in answers):
        raise Unsupported("matching question")
    if not any(marker == "~" for marker, _, _ in answers):
        raise Unsupported("short-answer question (only '=' answers)")
    if any(0 < weight < 100 for _, weight, _ in answers):
        raise Unsupported("multiple-answer question with partial credit (%n%)")
    right = [i for i, (_, weight, _) in enumerate(answers) if weight >= 100]
    if len(right) != 1:
        raise GiftError(f"{len(right)} correct answers; a question needs exactly one '='")
    options, feedback = zip(*(_feedback(text) for _, _, text in answers), strict=True)
    if not all(options):
        raise GiftError("an empty answer")
    given = [f for f in feedback if f]
    explanation = general or feedback[right[0]] or (given[0] if len(given) == 1 else "")
    return list(options), right[0], explanation


def _true_false(match: re.Match[str]) -> tuple[list[str], int, str]:
    """``{T}``, ``{FALSE#feedback if wrong#feedback if right####general feedback}``."""
    correct = 0 if match.group(1).upper().startswith("T") else 1
    rest, general = match.group(2) or "", ""
    cut = find(rest, "####")
    if cut != -1:
        general, rest = unescape(rest[cut + 4 :]), rest[:cut]
    feedback = [unescape(piece) for _, piece in split(rest, "#")[1:]]
    wrong, right = (*feedback, "", "")[:2]
    return [TRUE_OPTION, FALSE_OPTION], correct, general or right or wrong


def _question(block: _Block) -> Draft:
    text, title = block.text, None
    if text.startswith("::"):
        end = find(text, "::", 2)
        if end == -1:
            raise GiftError("the title is not closed with '::'")
        title, text = unescape(text[2:end]), text[end + 2 :]
    opened = find(text, "{")
    if opened == -1:
        raise Unsupported("description (no answer block)")
    closed = find(text, "}", opened)
    if closed == -1:
        raise GiftError("the answer block '{' is never closed with '}'")
    after = text[closed + 1 :].strip()
    stem = text[:opened].strip() + (" _____ " + after if after else "")
    is_html = bool((m := _FORMAT.match(stem)) and m.group(1).lower() == "html")
    stem = unescape(_FORMAT.sub("", stem))
    if is_html:
        stem = html.unescape(re.sub(r"<[^>]+>", " ", stem))
    body = text[opened + 1 : closed]
    if not body.strip():
        raise Unsupported("essay question ('{}')")
    if body.strip().startswith("#"):
        raise Unsupported("numeric question ('{#...}')")
    if match := _TRUE_FALSE.fullmatch(body):
        options, correct, explanation = _true_false(match)
    else:
        options, correct, explanation = _choice(body)
    ident = title if title and re.fullmatch(r"[a-z0-9][a-z0-9_.-]{1,63}", title) else None
    return Draft(
        line=block.line,
        text=" ".join(stem.split()),
        options=options,
        correct=correct,
        explanation=explanation,
        id=ident,
        sources=block.sources,
    )


def parse_gift(source: str, name: str) -> tuple[list[Draft], list[Problem], list[Problem]]:
    """(questions, errors, skipped) of a GIFT text; ``name`` labels the problems."""
    drafts: list[Draft] = []
    errors: list[Problem] = []
    skipped: list[Problem] = []
    for block in _blocks(source):
        try:
            drafts.append(_question(block))
        except Unsupported as exc:
            skipped.append(Problem(name, block.line, f"skipped: {exc} is not supported"))
        except GiftError as exc:
            errors.append(Problem(name, block.line, str(exc)))
    return drafts, errors, skipped
