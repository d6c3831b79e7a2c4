"""``hocvuso content``: lint, count, lock the question ids of, and import content packs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console

from hocvuso.content.idlock import fingerprint, update_lock
from hocvuso.content.importers import import_file
from hocvuso.content.lint import RULES, is_warning, lint_pack
from hocvuso.content.loader import SHIPPED_PACK, Problem, collect
from hocvuso.content.stats import pack_stats, stats_renderable

app = typer.Typer(
    name="content",
    help="Lint, count, lock and import content packs.",
    no_args_is_help=True,
    add_completion=False,
)


def _where(root: Path, problem: Problem) -> str:
    """``file:line: message`` with the file as the author would open it."""
    path = Path(problem.file)
    if not path.is_absolute():
        base = root if root.is_dir() else root.parent
        path = base / path
    shown = os.path.relpath(path)
    return f"{shown if not shown.startswith('..') else path}:{problem.line}: {problem.message}"


def _print_problems(root: Path, problems: list[Problem]) -> None:
    for problem in problems:
        typer.echo(_where(root, problem))


@app.command()
def lint(
    path: Path = typer.Argument(SHIPPED_PACK, help="The pack directory (or its pack.yaml)."),
    list_rules: bool = typer.Option(False, "--list-rules", help="List the rules and stop."),
) -> None:
    """Check a pack: schema, ids, and the authoring rules. Exits 1 on any problem."""
    if list_rules:
        for code, registered in RULES.items():
            typer.echo(f"{code} ({registered.severity}): {registered.summary}")
        return
    problems = lint_pack(path)
    _print_problems(path, problems)
    if not problems:
        typer.echo(f"{path}: no problems")
        return
    warnings = sum(map(is_warning, problems))
    typer.echo(f"{len(problems)} problem(s), {warnings} of them warning(s), in {path}")
    raise typer.Exit(1)


@app.command()
def stats(
    path: Path = typer.Argument(SHIPPED_PACK, help="The pack directory (or its pack.yaml)."),
) -> None:
    """Count lessons and questions per level, area and role."""
    pack, problems = collect(path)
    if pack is None:
        _print_problems(path, problems)
        raise typer.Exit(1)
    Console(soft_wrap=True).print(stats_renderable(pack_stats(pack)))
    if problems:
        typer.echo(f"note: the pack has {len(problems)} problem(s); run 'hocvuso content lint'")


@app.command()
def lock(
    path: Path = typer.Argument(SHIPPED_PACK, help="The pack directory (or its pack.yaml)."),
) -> None:
    """Add the pack's new question ids to question-ids.lock (existing entries never change).

    Run it when new questions are final (before a release): from then on their text, options
    and answer are fixed, and a change needs a new id.
    """
    pack, problems = collect(path)
    if pack is None:
        _print_problems(path, problems)
        raise typer.Exit(1)
    questions = (
        (ident, fingerprint(ref.question.text, ref.question.options, ref.question.correct))
        for ident, ref in pack.questions.items()
    )
    root = path.resolve() if path.is_dir() else path.resolve().parent
    try:
        result = update_lock(root, questions)
    except ValueError as exc:
        typer.echo(str(exc))
        raise typer.Exit(1) from exc
    typer.echo(
        f"{result.path}: {len(result.added)} id(s) added, {result.retired} retired id(s) kept"
    )
    if problems:
        typer.echo(
            f"note: the pack has {len(problems)} problem(s); questions in files that do not "
            "load were not locked — run 'hocvuso content lint'"
        )
    if result.changed:
        for ident in result.changed:
            typer.echo(f"changed since locked, needs a new id: {ident}")
        raise typer.Exit(1)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="The question bank: .gift/.txt, .csv or .xlsx."),
    into: Path = typer.Option(..., "--into", help="The pack directory to import into."),
    level: int | None = typer.Option(None, "--level", help="Level for rows that name none."),
    area: str | None = typer.Option(None, "--area", help="Area for rows that name none."),
    fmt: str | None = typer.Option(None, "--format", help="gift, csv or xlsx (default: suffix)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier import's file."),
) -> None:
    """Import questions into level exam pools. Nothing is written if any question is wrong."""
    if fmt is not None and fmt not in ("gift", "csv", "xlsx"):
        typer.echo(f"unknown format {fmt!r}: use gift, csv or xlsx")
        raise typer.Exit(2)
    chosen: Literal["gift", "csv", "xlsx"] | None = fmt  # type: ignore[assignment]
    result = import_file(file, into, level=level, area=area, fmt=chosen, force=force)
    _print_problems(Path.cwd(), result.skipped)
    if not result.ok:
        _print_problems(Path.cwd(), result.problems)
        typer.echo(f"{len(result.problems)} problem(s): nothing imported")
        raise typer.Exit(1)
    for path in result.written:
        typer.echo(f"wrote {path}")
    skipped = f", {len(result.skipped)} skipped" if result.skipped else ""
    typer.echo(f"imported {result.questions} question(s){skipped}")
