"""``hocvuso content lint``: every loader problem plus the authoring rules of :mod:`lint_rules`
and :mod:`lint_rules_pack`.

A problem is a :class:`~hocvuso.content.loader.Problem` (file, line, message). Rule messages end
with the rule code in brackets; warning-level rules start with ``warning:`` but still count as
problems (the command fails on them too).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hocvuso.content import lint_rules, lint_rules_pack  # noqa: F401  (register the rules)
from hocvuso.content.lint_base import RULES, LintContext, LintRule
from hocvuso.content.loader import Problem, collect

__all__ = ["RULES", "LintRule", "Problem", "lint_pack"]


def _pack_root(path: Path) -> Path:
    root = path.resolve()
    return root.parent if root.is_file() else root


def lint_pack(path: Path, rules: Iterable[str] | None = None) -> list[Problem]:
    """Every problem of the pack at ``path``, sorted by file and line.

    ``rules`` restricts the authoring rules to those codes (the loader's checks always run).
    """
    pack, problems = collect(path)
    if pack is None:
        return problems
    root = _pack_root(path)
    ctx = LintContext.read(root, pack)
    selected = [RULES[code] for code in rules] if rules is not None else list(RULES.values())
    found: list[Problem] = []
    for lint_rule in selected:
        hits = list(lint_rule.check(ctx))
        found += [Problem(p.file, p.line, lint_rule.format(p.message)) for p in hits]
        if lint_rule.replaces is not None:
            places = {(p.file, p.line) for p in hits}
            pattern = lint_rule.replaces
            problems = [
                p
                for p in problems
                if (p.file, p.line) not in places or not pattern.search(p.message)
            ]
    return sorted({*problems, *found})


def is_warning(problem: Problem) -> bool:
    return problem.message.startswith("warning: ")
