"""``hocvuso content`` commands and their exit codes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hocvuso.content.cli import app
from tests.content.helpers import MODULE_FILE, PackFiles

runner = CliRunner()


def test_lint_of_a_clean_pack_exits_0(good_pack: Path) -> None:
    result = runner.invoke(app, ["lint", str(good_pack)])

    assert (result.exit_code, result.output) == (0, f"{good_pack}: no problems\n")


def test_lint_prints_file_line_message_and_exits_1(pack_files: PackFiles) -> None:
    del pack_files.lesson["sources"]
    root = pack_files.write()

    result = runner.invoke(app, ["lint", str(root)])

    line = pack_files.line_of(MODULE_FILE, "- id: passwords")
    first, summary = result.output.splitlines()
    assert result.exit_code == 1
    assert first.startswith(f"{root / MODULE_FILE}:{line}: lesson 'passwords' cites no source")
    assert summary == f"1 problem(s), 0 of them warning(s), in {root}"


def test_lint_without_a_pack_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(tmp_path)])

    assert result.exit_code == 1
    assert "no pack.yaml here" in result.output


def test_lint_lists_its_rules(good_pack: Path) -> None:
    result = runner.invoke(app, ["lint", "--list-rules"])

    assert result.exit_code == 0
    assert "same-correct-index (warning):" in result.output


def test_stats_exits_0_and_shows_the_tables(good_pack: Path) -> None:
    result = runner.invoke(app, ["stats", str(good_pack)])

    assert result.exit_code == 0
    assert "per level" in result.output
    assert "length cue" in result.output
    assert "near-dup. pairs" in result.output


def test_import_writes_the_pool_and_exits_0(tmp_path: Path, good_pack: Path) -> None:
    source = tmp_path / "bank.gift"
    source.write_text("::q:: Câu hỏi thử nghiệm {=Một #Giải thích đầy đủ ~Hai}\n", "utf-8")

    result = runner.invoke(
        app, ["import", str(source), "--into", str(good_pack), "--level", "1", "--area", "info"]
    )

    target = good_pack / "level1" / "exam-bank.yaml"
    assert (result.exit_code, result.output) == (
        0,
        f"wrote {target}\nimported 1 question(s)\n",
    )


def test_import_of_a_broken_file_exits_1_and_writes_nothing(
    tmp_path: Path, good_pack: Path
) -> None:
    source = tmp_path / "bank.csv"
    source.write_text("text,option_1,option_2,correct,explanation\nCâu?,A,B,3,Ngắn\n", "utf-8")

    result = runner.invoke(
        app, ["import", str(source), "--into", str(good_pack), "--level", "1", "--area", "info"]
    )

    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "1 problem(s): nothing imported"
    assert not (good_pack / "level1" / "exam-bank.yaml").exists()


def test_import_rejects_an_unknown_format(tmp_path: Path, good_pack: Path) -> None:
    source = tmp_path / "bank.docx"
    source.write_text("x", "utf-8")

    result = runner.invoke(app, ["import", str(source), "--into", str(good_pack)])

    assert result.exit_code == 1
    assert "unknown format '.docx'" in result.output
