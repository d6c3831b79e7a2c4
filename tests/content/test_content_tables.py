"""Importing CSV and XLSX question banks."""

from __future__ import annotations

from pathlib import Path

import yaml
from openpyxl import Workbook

from hocvuso.content.importers import generated_id, import_file
from hocvuso.content.loader import Problem, collect

HEADER = [
    "id", "area", "level", "text", "option_1", "option_2", "option_3", "correct",
    "explanation", "source_title", "source_url",
]  # fmt: skip
GOOD_ROWS = [
    [
        "otp-1", "safety", "1", "Mã OTP dùng để làm gì?", "Xác nhận giao dịch",
        "Đăng nhập mạng xã hội", "Đặt tên tài khoản", "1",
        "OTP là mã dùng một lần để xác nhận giao dịch; không đưa cho ai.",
        "Cẩm nang an toàn", "https://example.gov.vn/cam-nang",
    ],
    [
        "", "", "", "Nguồn tin nào đáng tin nhất về một chính sách mới?", "Bài chia sẻ trên Zalo",
        "Cổng thông tin của cơ quan ban hành", "", "B",
        "Văn bản gốc trên cổng của cơ quan ban hành là nguồn chính thức.", "", "",
    ],
]  # fmt: skip
BROKEN_ROWS = [
    GOOD_ROWS[0],
    ["", "safety", "1", "Câu hỏi có đáp án không tồn tại?", "Một", "Hai", "", "5",
     "Giải thích đủ dài cho câu hỏi.", "", ""],
    ["", "weather", "1", "Câu hỏi thuộc lĩnh vực lạ?", "Một", "Hai", "", "1",
     "Giải thích đủ dài cho câu hỏi.", "", ""],
    ["", "safety", "1", "Câu hỏi thiếu phương án hai?", "Một", "", "Ba", "1",
     "Giải thích đủ dài cho câu hỏi.", "", ""],
]  # fmt: skip


def _csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if delimiter in cell or "\n" in cell else cell

    lines = [delimiter.join(quote(c) for c in row) for row in [HEADER, *rows]]
    path.write_text("\n".join(lines) + "\n", "utf-8-sig")
    return path


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        # numbers as a spreadsheet holds them: level and correct become numeric cells
        sheet.append([int(c) if c.isdigit() else (c or None) for c in row])
    workbook.save(path)
    return path


def _pool(pack: Path, stem: str) -> list[dict[str, object]]:
    text = (pack / "level1" / f"exam-{stem}.yaml").read_text("utf-8")
    questions: list[dict[str, object]] = yaml.safe_load(text)["exam"]["questions"]
    return questions


def test_csv_rows_become_an_exam_pool_the_loader_accepts(tmp_path: Path, good_pack: Path) -> None:
    source = _csv(tmp_path / "bank.csv", GOOD_ROWS)

    result = import_file(source, good_pack, area="info", level=1)

    assert (result.problems, result.questions) == ([], 2)
    assert collect(good_pack)[1] == []
    questions = _pool(good_pack, "bank")
    assert questions[0]["sources"] == [
        {"title": "Cẩm nang an toàn", "url": "https://example.gov.vn/cam-nang"}
    ]
    text = "Nguồn tin nào đáng tin nhất về một chính sách mới?"
    options = ["Bài chia sẻ trên Zalo", "Cổng thông tin của cơ quan ban hành"]
    assert questions[1] == {
        "id": generated_id(1, "info", text, options),
        "area": "info",
        "text": text,
        "options": options,
        "correct": 1,
        "explanation": "Văn bản gốc trên cổng của cơ quan ban hành là nguồn chính thức.",
    }


def test_csv_separated_by_semicolons_is_read(tmp_path: Path, good_pack: Path) -> None:
    source = _csv(tmp_path / "bank.csv", GOOD_ROWS, delimiter=";")

    result = import_file(source, good_pack, area="info", level=1)

    assert (result.problems, result.questions) == ([], 2)


def test_broken_csv_reports_every_bad_row_and_writes_nothing(
    tmp_path: Path, good_pack: Path
) -> None:
    source = _csv(tmp_path / "bank.csv", BROKEN_ROWS)

    result = import_file(source, good_pack, level=1)

    name = str(source)
    assert result.problems == [
        Problem(name, 3, "correct: option 5 does not exist (the row has 2 options)"),
        Problem(name, 4, "unknown area 'weather' (the pack has info, safety)"),
        Problem(name, 5, "option_2 is empty but a later option is not"),
    ]
    assert not (good_pack / "level1" / "exam-bank.yaml").exists()


def test_csv_row_numbers_count_line_breaks_inside_cells(tmp_path: Path, good_pack: Path) -> None:
    multiline = [*GOOD_ROWS[0][:3], "Dòng một\ndòng hai của câu hỏi?", *GOOD_ROWS[0][4:]]
    bad = ["", "safety", "x", *GOOD_ROWS[1][3:]]
    source = _csv(tmp_path / "bank.csv", [multiline, bad])

    result = import_file(source, good_pack)

    assert result.problems == [Problem(str(source), 4, "level: 'x' is not a number")]


def test_csv_with_an_unknown_column_imports_nothing(tmp_path: Path, good_pack: Path) -> None:
    source = tmp_path / "bank.csv"
    source.write_text("text,optoin_1,option_2,correct,explanation\n", "utf-8")

    result = import_file(source, good_pack, level=1, area="info")

    assert [p.message.split(" (")[0] for p in result.problems] == [
        "missing required column 'option_1'",
        "unknown column 'optoin_1'",
    ]


def test_csv_id_already_in_the_pack_is_refused(tmp_path: Path, good_pack: Path) -> None:
    row = ["exam-01", *GOOD_ROWS[0][1:]]
    source = _csv(tmp_path / "bank.csv", [row])

    result = import_file(source, good_pack)

    message = "id 'exam-01' is already used in level1/exam.yaml"
    assert result.problems == [Problem(str(source), 2, message)]


def test_xlsx_rows_become_an_exam_pool_the_loader_accepts(tmp_path: Path, good_pack: Path) -> None:
    source = _xlsx(tmp_path / "bank.xlsx", GOOD_ROWS)

    result = import_file(source, good_pack, area="info", level=1)

    assert (result.problems, result.questions) == ([], 2)
    assert collect(good_pack)[1] == []
    assert [q["correct"] for q in _pool(good_pack, "bank")] == [0, 1]


def test_broken_xlsx_reports_rows_and_writes_nothing(tmp_path: Path, good_pack: Path) -> None:
    source = _xlsx(tmp_path / "bank.xlsx", BROKEN_ROWS)

    result = import_file(source, good_pack, level=1)

    assert [p.line for p in result.problems] == [3, 4, 5]
    assert not (good_pack / "level1" / "exam-bank.yaml").exists()
