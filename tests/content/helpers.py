"""A tiny valid pack that tests write into tmp_path, then spoil one way at a time."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hocvuso.content.loader import Problem

AREAS = ("safety", "info")
EXAM_QUESTIONS = 40  # max(40, 2 × exam size 5)
MODULE_FILE = "level1/safety.yaml"
EXAM_FILE = "level1/exam.yaml"

BODY = (
    "Mật khẩu mạnh là mật khẩu dài, khó đoán và chỉ dùng cho một tài khoản. Một cụm từ gồm "
    "bốn, năm từ không liên quan đến nhau dễ nhớ với anh/chị nhưng rất khó bị dò ra. Không "
    "dùng ngày sinh, số điện thoại hay tên người thân. Hãy bật xác thực hai lớp cho thư điện "
    "tử công vụ và tài khoản định danh điện tử."
)


#: Lesson question texts: distinct enough that the near-duplicate rule stays quiet.
LESSON_STEMS = (
    "Mật khẩu nào an toàn nhất cho tài khoản công vụ?",
    "Anh/chị nên đặt mật khẩu thư điện tử thế nào?",
    "Cách chọn mật khẩu mới khi được yêu cầu đổi?",
    "Mật khẩu cho tài khoản định danh nên ra sao?",
)
#: Exam question texts are "<situation>, <question>": 8 × 5 = 40 different texts.
EXAM_SITUATIONS = (
    "Khi nhận thư lạ có tệp đính kèm",
    "Lúc dùng mạng Wi-Fi ở quán cà phê",
    "Nếu điện thoại công vụ bị mất",
    "Sau khi họp trực tuyến với cấp trên",
    "Trước khi chia sẻ bảng tính của xã",
    "Khi có người gọi tự xưng công an",
    "Lúc cài ứng dụng mới lên máy tính",
    "Nếu thấy đường liên kết rút gọn",
)
EXAM_QUESTIONS_ASKED = (
    "việc gì làm trước tiên?",
    "điều gì anh/chị tránh?",
    "ai cần được báo ngay?",
    "nên kiểm tra điều gì?",
    "cách nào an toàn hơn cả?",
)


def lesson_question(n: int, correct: int) -> dict[str, Any]:
    """Options 0-2 are as long as each other and 3 is longer (never correct): no length cue."""
    return {
        "id": f"passwords-q{n}",
        "text": f"Câu {n}: {LESSON_STEMS[(n - 1) % len(LESSON_STEMS)].lower()}",
        "options": [
            f"Ngày sinh của anh/chị ({n})",
            f"Cụm bốn từ ngẫu nhiên ({n})",
            f"Số điện thoại cơ quan ({n})",
            f"Tên đăng nhập viết ngược ({n})",
        ],
        "correct": correct,
        "explanation": "Cụm từ dài, không liên quan đến bản thân thì dễ nhớ mà khó đoán nhất.",
    }


def exam_question(i: int) -> dict[str, Any]:
    return {
        "id": f"exam-{i:02d}",
        "area": AREAS[i % len(AREAS)],
        "text": (
            f"{EXAM_SITUATIONS[i % len(EXAM_SITUATIONS)]}, "
            f"{EXAM_QUESTIONS_ASKED[i // len(EXAM_SITUATIONS) % len(EXAM_QUESTIONS_ASKED)]}"
        ),
        # four different lengths, the correct one a different length each time: no length cue
        "options": [
            f"Cách làm {k} ở câu {i}" for k in ("kỹ lưỡng nhất", "cẩn thận", "nhanh", "dễ")
        ],
        "correct": i % 4,
        "explanation": f"Cách làm này giữ an toàn cho tài khoản công vụ (câu {i}).",
    }


@dataclass
class PackFiles:
    root: Path
    header: dict[str, Any]
    module: dict[str, Any]
    exam: dict[str, Any]

    @property
    def lesson(self) -> dict[str, Any]:
        lesson: dict[str, Any] = self.module["lessons"][0]
        return lesson

    def question(self, n: int) -> dict[str, Any]:
        question: dict[str, Any] = self.lesson["questions"][n]
        return question

    def write(self) -> Path:
        for name, data in (
            ("pack.yaml", self.header),
            (MODULE_FILE, self.module),
            (EXAM_FILE, self.exam),
        ):
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return self.root

    def line_of(self, name: str, needle: str) -> int:
        """The first line of ``name`` containing ``needle``."""
        return self.lines_of(name, needle)[0]

    def lines_of(self, name: str, needle: str) -> list[int]:
        """Every line of ``name`` containing ``needle``."""
        lines = (self.root / name).read_text("utf-8").splitlines()
        return [n for n, line in enumerate(lines, start=1) if needle in line]


def rule_of(problem: Problem) -> str | None:
    match = re.search(r"\[([a-z-]+)\]$", problem.message)
    return match.group(1) if match else None


def places(problems: list[Problem]) -> list[tuple[str, int, str | None]]:
    """(file, line, rule code) of each problem — what the rule tests compare."""
    return [(p.file, p.line, rule_of(p)) for p in problems]


def make_pack(root: Path) -> PackFiles:
    header = {
        "id": "test-pack",
        "version": "1",
        "language": "vi",
        "title": {"vi": "Gói thử nghiệm"},
        "areas": [{"id": area, "title": {"vi": f"Lĩnh vực {area}"}} for area in AREAS],
        "levels": [{"level": 1, "title": {"vi": "Cơ bản"}, "exam": {"size": 5}}],
    }
    module = {
        "module": {"id": "l1-safety", "level": 1, "area": "safety", "title": "An toàn cơ bản"},
        "lessons": [
            {
                "id": "passwords",
                "title": "Mật khẩu mạnh",
                "roles": ["all"],
                "body": BODY,
                "sources": [
                    {
                        "title": "Cẩm nang an toàn",
                        "url": "https://example.gov.vn/cn",
                        "checked": datetime.date(2026, 12, 1),
                    }
                ],
                "questions": [lesson_question(n, c) for n, c in enumerate((0, 1, 2, 1), 1)],
            }
        ],
    }
    exam = {"exam": {"level": 1, "questions": [exam_question(i) for i in range(EXAM_QUESTIONS)]}}
    return PackFiles(root, header, module, exam)
