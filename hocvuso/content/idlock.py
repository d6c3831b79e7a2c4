"""The question-id lock: what each question id of a pack asks, for as long as the pack exists.

Learners' attempts are stored by question id, so an id must keep meaning the same question: a
question whose text, options or correct answer change needs a new id, and an id once used is
never reused for something else. ``question-ids.lock`` at the pack root records, for every
question id that ever existed, a fingerprint of what it asks (explanation and sources are not
part of it: fixing those keeps the id). ``hocvuso content lock`` adds the ids that are new and
never rewrites an entry; ids no longer in the pack stay in the lock as retired. The lint rule
``question-id-changed`` compares the pack with the lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hocvuso.content.cues import normalise

LOCK_FILE = "question-ids.lock"

_HEADER = """\
# Question ids of this pack and a fingerprint of what each asks: sha256 of the normalised
# question text, the sorted options and the correct option (explanation and sources excluded).
# Written by `hocvuso content lock`, which only adds ids. Never edit or delete a line: an id
# whose question changed needs a new id (e.g. ...-v2), and a retired id is never reused.
"""


def fingerprint(text: str, options: Sequence[str], correct: int) -> str:
    """What a question asks, independent of option order, case, punctuation and spacing."""
    parts = [normalise(text), *sorted(normalise(o) for o in options), normalise(options[correct])]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LockLine:
    line: int
    id: str
    fingerprint: str


@dataclass
class Lock:
    entries: dict[str, LockLine] = field(default_factory=dict)
    #: (line, what is wrong) for lines that are not "id fingerprint" or repeat an id.
    errors: list[tuple[int, str]] = field(default_factory=list)

    def get(self, ident: str) -> str | None:
        entry = self.entries.get(ident)
        return entry.fingerprint if entry else None


def parse_lock(text: str) -> Lock:
    lock = Lock()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[1]) != 64:
            lock.errors.append((number, f"not 'question-id sha256': {line[:60]!r}"))
            continue
        ident, digest = parts
        if ident in lock.entries:
            first = lock.entries[ident].line
            lock.errors.append((number, f"id {ident!r} is locked twice (first on line {first})"))
            continue
        lock.entries[ident] = LockLine(number, ident, digest)
    return lock


def read_lock(root: Path) -> Lock | None:
    """The lock of the pack at ``root``, or None if the pack has none."""
    path = root / LOCK_FILE
    if not path.is_file():
        return None
    return parse_lock(path.read_text(encoding="utf-8"))


def render_lock(fingerprints: dict[str, str]) -> str:
    return _HEADER + "".join(f"{ident} {fingerprints[ident]}\n" for ident in sorted(fingerprints))


@dataclass(frozen=True)
class LockResult:
    path: Path
    added: list[str]
    changed: list[str]  # in the pack with another fingerprint than the lock's: need a new id
    retired: int  # locked ids no longer in the pack


def update_lock(root: Path, questions: Iterable[tuple[str, str]]) -> LockResult:
    """Add the (id, fingerprint) pairs whose id is not locked yet; keep every existing entry."""
    lock = read_lock(root) or Lock()
    if lock.errors:
        line, message = lock.errors[0]
        raise ValueError(f"{root / LOCK_FILE}:{line}: {message}")
    known = {ident: entry.fingerprint for ident, entry in lock.entries.items()}
    current = dict(questions)
    added = sorted(ident for ident in current if ident not in known)
    changed = sorted(i for i in current if i in known and known[i] != current[i])
    retired = sum(1 for ident in known if ident not in current)
    path = root / LOCK_FILE
    if added or not path.exists():
        path.write_text(render_lock({**known, **{i: current[i] for i in added}}), "utf-8")
    return LockResult(path, added, changed, retired)
