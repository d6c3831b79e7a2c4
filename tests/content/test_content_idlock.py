"""``question-ids.lock``: a question id keeps meaning the same question, for ever."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hocvuso.content.cli import app
from hocvuso.content.idlock import LOCK_FILE, fingerprint, parse_lock, read_lock
from hocvuso.content.lint import lint_pack
from tests.content.helpers import MODULE_FILE, PackFiles, places

runner = CliRunner()


def lock(root: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["lock", str(root)])
    return result.exit_code, result.output


def test_fingerprint_ignores_order_case_spacing_but_not_the_answer() -> None:
    base = fingerprint("Mật khẩu nào an toàn?", ["Ngày sinh", "Cụm bốn từ", "123456"], 1)

    assert fingerprint("mật khẩu  nào an toàn ?", ["123456", "cụm bốn từ", "Ngày sinh"], 1) == base
    assert fingerprint("Mật khẩu nào an toàn?", ["Ngày sinh", "Cụm bốn từ", "123456"], 0) != base
    assert fingerprint("Mật khẩu nào an toàn?", ["Ngày sinh", "Cụm năm từ", "123456"], 1) != base
    assert fingerprint("Mật khẩu nào mạnh?", ["Ngày sinh", "Cụm bốn từ", "123456"], 1) != base


def test_lock_records_every_question_and_the_pack_stays_clean(good_pack: Path) -> None:
    code, output = lock(good_pack)

    assert code == 0
    assert output == f"{good_pack / LOCK_FILE}: 44 id(s) added, 0 retired id(s) kept\n"
    locked = read_lock(good_pack)
    assert locked is not None and len(locked.entries) == 44
    assert lint_pack(good_pack) == []
    assert lock(good_pack) == (0, f"{good_pack / LOCK_FILE}: 0 id(s) added, 0 retired id(s) kept\n")


def test_changing_a_locked_question_without_a_new_id_fails_lint(pack_files: PackFiles) -> None:
    root = pack_files.write()
    lock(root)
    before = (root / LOCK_FILE).read_text("utf-8")
    pack_files.question(0)["options"][2] = "Số căn cước của anh/chị (1)"
    # an explanation-only edit keeps the id
    pack_files.question(1)["explanation"] = "Một cụm từ dài dễ nhớ mà khó đoán: không phải lỗi."
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "- id: passwords-q1")
    assert places(problems) == [(MODULE_FILE, line, "question-id-changed")]
    assert "give it a new id (e.g. passwords-q1-v2)" in problems[0].message
    code, output = lock(root)  # lock never rewrites an entry: it names the id and fails
    assert code == 1
    assert output.splitlines()[-1] == "changed since locked, needs a new id: passwords-q1"
    assert (root / LOCK_FILE).read_text("utf-8") == before


def test_a_new_id_passes_and_is_added_by_lock(pack_files: PackFiles) -> None:
    root = pack_files.write()
    lock(root)
    pack_files.question(0)["id"] = "passwords-q1-v2"
    pack_files.question(0)["options"][2] = "Số căn cước của anh/chị (1)"
    root = pack_files.write()

    assert lint_pack(root) == []
    assert lock(root) == (0, f"{root / LOCK_FILE}: 1 id(s) added, 1 retired id(s) kept\n")
    locked = read_lock(root)
    assert locked is not None
    assert {"passwords-q1", "passwords-q1-v2"} <= set(locked.entries)
    assert lint_pack(root) == []


def test_a_retired_id_cannot_come_back_with_other_content(pack_files: PackFiles) -> None:
    root = pack_files.write()
    lock(root)
    retired = pack_files.lesson["questions"].pop()  # passwords-q4 leaves the pack...
    root = pack_files.write()
    lock(root)
    assert "passwords-q4" in (root / LOCK_FILE).read_text("utf-8")  # ...and stays locked
    reused = {**retired, "text": "Câu 4: anh/chị đổi mật khẩu công vụ khi nào?"}
    pack_files.lesson["questions"].append(reused)  # the id comes back, asking another thing
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "- id: passwords-q4")
    assert places(problems) == [(MODULE_FILE, line, "question-id-changed")]


def test_a_pack_without_a_lock_is_not_checked(pack_files: PackFiles) -> None:
    pack_files.question(0)["options"][2] = "Số căn cước của anh/chị (1)"
    root = pack_files.write()

    assert lint_pack(root, rules=["question-id-changed"]) == []


def test_broken_lock_lines_are_reported(good_pack: Path) -> None:
    digest = "0" * 64
    (good_pack / LOCK_FILE).write_text(
        f"# header\nexam-01 {digest}\nexam-01 {digest}\nnot a line\n", "utf-8"
    )

    problems = [p for p in lint_pack(good_pack) if p.file == LOCK_FILE]

    assert [(p.file, p.line) for p in problems] == [(LOCK_FILE, 3), (LOCK_FILE, 4)]
    assert "locked twice (first on line 2)" in problems[0].message
    assert "not 'question-id sha256'" in problems[1].message
    assert lock(good_pack)[0] == 1  # lock refuses to write over a broken lock


def test_parse_lock_skips_comments_and_blank_lines() -> None:
    parsed = parse_lock(f"# comment\n\nq1 {'a' * 64}\n")
    assert (list(parsed.entries), parsed.errors) == (["q1"], [])
