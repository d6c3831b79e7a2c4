"""Measures of how a pack's questions give themselves away, shared by lint and stats.

Everything here works on plain :class:`Item` values, so ``hocvuso content lint`` (which reads the
raw YAML) and ``hocvuso content stats`` (which reads the loaded pack) compute the same figures.

- **Length cue**: does "pick the longest option" (or the second-longest) beat chance?
- **Near-duplicates**: two questions asking the same thing, word for word or nearly.
- **Repeated distractors**: the same wrong option reused across many questions.
- **Homepage sources**: a source URL that points at a site's front page, not at a document.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations
from urllib.parse import urlsplit


def normalise(text: str) -> str:
    """NFC, casefolded, punctuation as spaces, single spaces: what "the same text" means."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


@dataclass(frozen=True)
class Item:
    """One question as these measures see it (``correct`` is a valid index into ``options``)."""

    id: str
    text: str
    options: tuple[str, ...]
    correct: int
    #: Where the question is, for messages ("level1/l1-ai.yaml:42"); free-form.
    place: str = ""


def item(
    ident: str, text: str, options: Sequence[str], correct: int | None, place: str = ""
) -> Item | None:
    """An :class:`Item`, or None when the question is too broken to measure."""
    if correct is None or not 0 <= correct < len(options) or len(options) < 2:
        return None
    return Item(ident, text, tuple(options), correct, place)


# --- length cue -----------------------------------------------------------------------------

#: "Pick the longest" and "pick the second-longest" must each score within this of chance.
LENGTH_CUE_TOLERANCE = 0.05


def _lengths(question: Item) -> list[int]:
    return [len(option.strip()) for option in question.options]


def rank_score(question: Item, rank: int) -> float:
    """What a learner scores on ``question`` by picking at random among the options of the
    ``rank``-th highest distinct length (0 = longest, 1 = second-longest)."""
    lengths = _lengths(question)
    distinct = sorted(set(lengths), reverse=True)
    if rank >= len(distinct):
        return 0.0
    group = [i for i, n in enumerate(lengths) if n == distinct[rank]]
    return 1 / len(group) if question.correct in group else 0.0


@dataclass(frozen=True)
class LengthCue:
    questions: int
    chance: float  # mean of 1 / number of options
    longest: float  # mean score of "pick the longest option"
    second: float  # mean score of "pick the second-longest option"

    @property
    def ok(self) -> bool:
        return (
            abs(self.longest - self.chance) <= LENGTH_CUE_TOLERANCE
            and abs(self.second - self.chance) <= LENGTH_CUE_TOLERANCE
        )


def length_cue(questions: Iterable[Item]) -> LengthCue:
    chosen = list(questions)
    n = len(chosen)
    if n == 0:
        return LengthCue(0, 0.0, 0.0, 0.0)
    return LengthCue(
        n,
        sum(1 / len(q.options) for q in chosen) / n,
        sum(rank_score(q, 0) for q in chosen) / n,
        sum(rank_score(q, 1) for q in chosen) / n,
    )


def uniquely_longest(question: Item) -> bool:
    lengths = _lengths(question)
    right = lengths[question.correct]
    return right == max(lengths) and lengths.count(right) == 1


def uniquely_shortest(question: Item) -> bool:
    lengths = _lengths(question)
    right = lengths[question.correct]
    return right == min(lengths) and lengths.count(right) == 1


# --- near-duplicates ------------------------------------------------------------------------

#: Two question texts this similar (difflib ratio of the normalised texts) ask the same thing.
#: In the 2025 pack every pair at or above 0.9 was the same point reworded ("có nghĩa là gì" /
#: "nghĩa là gì", "mức 2" / "mức độ 2", a word added); the closest distinct pair ("đến năm 2030" /
#: "tầm nhìn đến năm 2045", two different targets) scored 0.89.
TEXT_RATIO = 0.9
#: ...and two questions with the same correct option and this many options in common (the
#: correct one included) ask the same thing however the question is worded.
SHARED_OPTIONS = 3
#: ratio() <= 2 * shorter / (shorter + longer): texts whose lengths differ more cannot reach
#: TEXT_RATIO, so they are never compared.
_LENGTH_SPAN = 2 / TEXT_RATIO - 1


@dataclass(frozen=True)
class Duplicate:
    first: Item
    second: Item
    ratio: float  # of the normalised question texts
    shared: int  # options in common (normalised); counted only when the answers agree

    @property
    def reason(self) -> str:
        if self.ratio >= 1:
            return "the same question text"
        if self.ratio >= TEXT_RATIO:
            return f"nearly the same question text ({self.ratio:.0%} alike)"
        return f"the same correct answer and {self.shared} options in common"


def _same_answer_pairs(questions: Sequence[Item]) -> dict[tuple[int, int], int]:
    """(i, j) -> shared options, for pairs with the same correct option and enough in common."""
    by_answer: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        by_answer[normalise(q.options[q.correct])].append(i)
    found: dict[tuple[int, int], int] = {}
    option_sets = [{normalise(o) for o in q.options} for q in questions]
    for indexes in by_answer.values():
        for i, j in combinations(indexes, 2):
            shared = len(option_sets[i] & option_sets[j])
            if shared >= SHARED_OPTIONS:
                found[(i, j)] = shared
    return found


def _similar_text_pairs(questions: Sequence[Item]) -> dict[tuple[int, int], float]:
    """(i, j) -> ratio, for pairs whose normalised texts are at least TEXT_RATIO alike.

    Comparing every pair with difflib takes seconds on a pack of 700 questions, so two cheap
    filters come first: the length bound (exact) and, since texts 90% alike in characters keep
    most of their words, at least half the words of the shorter one in common (generous: a
    one-letter change in every other word of a question is already below the ratio).
    """
    texts = [normalise(q.text) for q in questions]
    words = [frozenset(text.split()) for text in texts]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    found: dict[tuple[int, int], float] = {}
    matcher = SequenceMatcher(autojunk=False)
    for pos, i in enumerate(order):
        matcher.set_seq2(texts[i])  # seq2 is the one difflib indexes: reuse it for the row
        limit = len(texts[i]) * (1 + _LENGTH_SPAN)
        for j in order[pos + 1 :]:
            if len(texts[j]) > limit:
                break
            if 2 * len(words[i] & words[j]) < min(len(words[i]), len(words[j])):
                continue
            matcher.set_seq1(texts[j])
            if matcher.quick_ratio() < TEXT_RATIO:
                continue
            ratio = 1.0 if texts[i] == texts[j] else matcher.ratio()
            if ratio >= TEXT_RATIO:
                found[(min(i, j), max(i, j))] = ratio
    return found


def near_duplicates(questions: Iterable[Item]) -> list[Duplicate]:
    """Every pair of questions that ask the same thing, in the order the questions came."""
    chosen = list(questions)
    by_text = _similar_text_pairs(chosen)
    by_answer = _same_answer_pairs(chosen)
    found = []
    for i, j in sorted(by_text.keys() | by_answer.keys()):
        ratio = by_text.get((i, j))
        if ratio is None:
            a, b = normalise(chosen[i].text), normalise(chosen[j].text)
            ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
        found.append(Duplicate(chosen[i], chosen[j], ratio, by_answer.get((i, j), 0)))
    return found


# --- repeated distractors -------------------------------------------------------------------

#: A wrong option may appear in at most this many questions of the pack.
DISTRACTOR_REUSE_MAX = 2


def repeated_distractors(questions: Iterable[Item]) -> dict[str, list[tuple[Item, int]]]:
    """Normalised wrong-option text -> (question, option index) of each question using it,
    for the texts that are wrong options in more than DISTRACTOR_REUSE_MAX questions."""
    uses: dict[str, list[tuple[Item, int]]] = defaultdict(list)
    for q in questions:
        seen: set[str] = set()
        for k, option in enumerate(q.options):
            key = normalise(option)
            if k != q.correct and key and key not in seen:
                seen.add(key)
                uses[key].append((q, k))
    return {key: hits for key, hits in uses.items() if len(hits) > DISTRACTOR_REUSE_MAX}


# --- sources --------------------------------------------------------------------------------


def is_homepage(url: str) -> bool:
    """True for a bare front page ("https://chinhphu.vn", "https://x.gov.vn/"): no path, no query
    (``/?docid=1`` names a document) and no client-side route (``/#/van-ban/1``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    route = parts.fragment.startswith(("/", "!/"))
    return parts.path in ("", "/") and not parts.query and not route
