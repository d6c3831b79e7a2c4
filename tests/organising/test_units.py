"""The unit tree: importing CSV and YAML (the shipped sample), re-imports, clear errors naming the
line, invite codes, and joining a unit by deep link or by typing its code in onboarding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.content.loader import Pack
from hocvuso.i18n import t
from hocvuso.organising import units
from hocvuso.organising.errors import Invalid
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import AuditEntry, Unit
from tests.factories import Conversation, add_learner, plain, talk
from tests.organising.cli import hocvuso

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "units" / "quoc-hoi.yaml"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
TREE_CSV = """code,name,parent
A,Đơn vị A,
A1,Phòng A1,A
A2,Phòng A2,A
A2x,Tổ A2x,A2
B,Đơn vị B,
B1,Phòng B1,B
"""


async def import_file(
    sessions: async_sessionmaker[AsyncSession], path: Path
) -> tuple[units.Imported, dict[str, Unit]]:
    async with sessions() as session, session.begin():
        done = await units.import_units(
            session, units.load_file(path), actor_id=None, via="cli", now=NOW
        )
        return done, {u.code: u for u in await units.listing(session)}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- importing ---------------------------------------------------------------------------------
async def test_the_shipped_sample_imports_the_national_assembly_with_its_34_delegations(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    done, found = await import_file(sessions, SAMPLE)

    assert done == units.Imported(created=47, updated=0)
    async with sessions() as session:
        delegations = await units.children(session, found["QH-DB"])
        top = await units.children(session, None)
        everything = await units.listing(session, found["QH"])
    assert len(delegations) == 34
    assert all(d.code.startswith("DB-") for d in delegations)
    assert {d.code for d in delegations} >= {"DB-HNI", "DB-HCM", "DB-CTO", "DB-DLK"}
    assert [u.code for u in top] == ["QH"]
    assert len(everything) == 47
    hanoi = found["DB-HNI"]
    assert hanoi.name == "Đoàn đại biểu Quốc hội thành phố Hà Nội"
    assert hanoi.path == f"/{found['QH'].id}/{found['QH-DB'].id}/{hanoi.id}/"
    assert units.in_subtree(found["QH-DB"], hanoi.path)
    assert not units.in_subtree(found["QH-VPQH"], hanoi.path)


async def test_the_cli_imports_the_sample_lists_a_subtree_and_reimports_without_changes(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await hocvuso(database_url, "units", "import", str(SAMPLE))
    again = await hocvuso(database_url, "units", "import", str(SAMPLE))
    listed = await hocvuso(database_url, "units", "list", "--under", "QH-DB")

    assert (first.exit_code, first.output) == (0, "47 units created, 0 updated\n")
    assert (again.exit_code, again.output) == (0, "0 units created, 0 updated\n")
    assert listed.exit_code == 0
    async with sessions() as session:
        stored = {u.code: u for u in await units.listing(session)}
        audited = (await session.exec(select(AuditEntry))).all()
    for code in ("QH-DB", "DB-HNI", "DB-CTO"):
        assert code in listed.output and stored[code].invite_code in listed.output
    assert "QH-VPQH" not in listed.output
    assert [(e.action, e.via, e.details) for e in audited] == [
        ("units.import", "cli", {"created": 47, "updated": 0}),
        ("units.import", "cli", {"created": 0, "updated": 0}),
    ]


async def test_a_csv_file_with_a_bom_and_children_listed_before_parents_imports(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name,parent\nA2x,Tổ A2x,A2\nA2,Phòng A2,A\nA,Đơn vị A,\n", encoding="utf-8-sig"
    )

    done, found = await import_file(sessions, path)

    assert done == units.Imported(created=3, updated=0)
    assert found["A"].parent_id is None
    assert found["A2x"].path == f"/{found['A'].id}/{found['A2'].id}/{found['A2x'].id}/"


async def test_reimport_updates_names_and_parents_keeps_invite_codes_and_leaves_others_alone(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    _, before = await import_file(sessions, write(tmp_path, "v1.csv", TREE_CSV))
    v2 = (
        "code,name,parent\nA,Đơn vị A,\nA2,Phòng A2 (mới),B\nA2x,Tổ A2x,A2\n"
        "B,Đơn vị B,\nC,Đơn vị C,\n"
    )

    done, after = await import_file(sessions, write(tmp_path, "v2.csv", v2))

    assert done == units.Imported(created=1, updated=1)  # C is new; A2 renamed and moved
    assert after["A2"].name == "Phòng A2 (mới)"
    assert after["A2"].parent_id == after["B"].id
    assert {code: u.invite_code for code, u in after.items() if code != "C"} == {
        code: u.invite_code for code, u in before.items()
    }
    # A2's subtree moved with it; A1 and B1 (not in the file) stay where they were.
    assert units.in_subtree(after["B"], after["A2x"].path)
    assert not units.in_subtree(after["A"], after["A2x"].path)
    assert after["A1"].parent_id == after["A"].id and after["B1"].parent_id == after["B"].id


BAD_CSV = [
    (
        "A,Đơn vị A,\nA1,Phòng A1,X\n",
        "units-unknown-parent",
        {"row": 3, "code": "A1", "parent": "X"},
    ),
    ("A,Đơn vị A,\nB,Đơn vị B,\nA,Đơn vị A lần hai,\n", "units-duplicate", {"row": 4, "code": "A"}),
    ("A,Đơn vị A,\nĐV 1,Đơn vị một,A\n", "units-bad-code", {"row": 3, "code": "ĐV 1"}),
    ("A,Đơn vị A,\nA1,,A\n", "units-bad-name", {"row": 3, "code": "A1"}),
    ("A,Đơn vị A,\nA1, \u200b\u202e\ufeff ,A\n", "units-bad-name", {"row": 3, "code": "A1"}),
    ("R,Gốc,\nA,Đơn vị A,B\nB,Đơn vị B,A\n", "units-cycle", {"row": 3, "code": "A"}),
    ("A,Đơn vị A,A\n", "units-cycle", {"row": 2, "code": "A"}),
]


@pytest.mark.parametrize(("rows", "key", "variables"), BAD_CSV)
async def test_a_bad_csv_is_refused_naming_the_line_and_nothing_is_imported(
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    rows: str,
    key: str,
    variables: dict[str, object],
) -> None:
    path = write(tmp_path, "units.csv", "code,name,parent\n" + rows)

    with pytest.raises(Invalid) as refused:
        await import_file(sessions, path)

    assert (refused.value.key, refused.value.variables) == (key, variables)
    message = refused.value.message("vi")
    if key != "units-cycle":  # its message names the unit, not the line
        assert message.startswith(f"Dòng {variables['row']}: ")
    assert str(variables["code"]) in message
    async with sessions() as session:
        assert await units.listing(session) == []


async def test_imported_unit_names_lose_bidi_and_zero_width_characters(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    rows = "A,\u202eĐơn vị\u200b  A\u2069,\nA1,Phòng\tA1\ufeff,A\n"
    path = write(tmp_path, "units.csv", "code,name,parent\n" + rows)
    _, found = await import_file(sessions, path)

    assert {code: unit.name for code, unit in found.items()} == {"A": "Đơn vị A", "A1": "Phòng A1"}


def nested_yaml(second: str) -> str:
    return (
        "units:\n"
        "  - code: QH\n"
        "    name: Quốc hội\n"
        "    children:\n"
        "      - {code: QH-VPQH, name: Văn phòng Quốc hội}\n"
        f"      - {{code: {second}, name: Ủy ban}}\n"
        "      - code:\n"
        "        name: Không có mã\n"
    )


async def test_a_yaml_error_names_the_line_of_the_unit(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    with pytest.raises(Invalid) as duplicate:
        await import_file(sessions, write(tmp_path, "units.yaml", nested_yaml("QH-VPQH")))
    with pytest.raises(Invalid) as no_code:
        await import_file(sessions, write(tmp_path, "units.yml", nested_yaml("QH-UBTVQH")))

    assert plain(duplicate.value.message("vi")) == "Dòng 6: mã đơn vị QH-VPQH bị lặp."
    # An empty ``code:`` is no code (not the text "None").
    assert (no_code.value.key, no_code.value.variables) == (
        "units-bad-code",
        {"row": 7, "code": ""},
    )


async def test_a_move_that_would_make_a_unit_its_own_ancestor_is_refused(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await import_file(sessions, write(tmp_path, "v1.csv", TREE_CSV))

    with pytest.raises(Invalid) as refused:
        await import_file(sessions, write(tmp_path, "v2.csv", "code,name,parent\nA,Đơn vị A,A2x\n"))

    assert (refused.value.key, refused.value.variables) == ("units-cycle", {"row": 2, "code": "A"})
    async with sessions() as session:
        assert (await units.by_code(session, "A")).parent_id is None


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        ("units.txt", TREE_CSV, "units-file-type"),
        ("units.csv", "ma,ten\nA,Đơn vị A\n", "units-file-columns"),
        ("units.yaml", "units: QH\n", "units-file-columns"),
        ("units.yaml", "units:\n  - QH\n", "units-file-columns"),
    ],
)
async def test_a_file_of_the_wrong_kind_or_shape_is_refused_clearly(
    tmp_path: Path, name: str, text: str, key: str
) -> None:
    with pytest.raises(Invalid) as refused:
        units.load_file(write(tmp_path, name, text))

    assert refused.value.key == key
    assert refused.value.message("vi") != key  # a sentence from the catalog, not the key


async def test_the_cli_prints_the_error_and_exits_1(database_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "units.csv", "code,name,parent\nA,Đơn vị A,\nA1,Phòng A1,X\n")

    result = await hocvuso(database_url, "units", "import", str(path))

    assert result.exit_code == 1
    assert "Dòng 3: đơn vị A1 thuộc đơn vị cha X" in " ".join(result.output.split())


# --- invite codes --------------------------------------------------------------------------------
async def test_invite_codes_are_10_unambiguous_characters_and_unique(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _, found = await import_file(sessions, SAMPLE)

    codes = [u.invite_code for u in found.values()]
    assert len(set(codes)) == len(codes) == 47
    for code in codes + [units.new_invite_code() for _ in range(500)]:
        assert len(code) == 10
        assert set(code) <= set(units.INVITE_ALPHABET)
    assert not set("01IO") & set(units.INVITE_ALPHABET)
    assert len(units.INVITE_ALPHABET) == 32


async def test_rotating_an_invite_code_retires_the_old_one(
    database_url: str, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    old = tree["A2"].invite_code

    result = await hocvuso(database_url, "units", "rotate-invite", "A2")

    new = result.output.strip()
    assert result.exit_code == 0 and len(new) == 10 and new != old
    async with sessions() as session:
        assert await units.by_invite(session, old) is None
        rotated = await units.by_invite(session, new.lower())
        entry = (await session.exec(select(AuditEntry))).all()[-1]
    assert rotated is not None and rotated.code == "A2"
    assert (entry.action, entry.unit_id, entry.details) == ("units.rotate_invite", rotated.id, {})


# --- joining a unit -------------------------------------------------------------------------------
async def stored(chat: Conversation) -> Learner:
    async with chat.engine.sessions() as session:
        found = (await session.exec(select(Learner).where(Learner.chat_id == chat.chat_id))).one()
        return found


async def test_a_deep_link_with_the_invite_code_joins_the_unit_through_consent(
    chat: Conversation, tree: dict[str, Unit]
) -> None:
    await chat.send(f"/start {tree['A2x'].invite_code}")
    await chat.press("Tôi đồng ý")
    await chat.press("Tiếng Việt")
    await chat.press("Cán bộ")

    assert "Bài kiểm tra xếp lớp" in chat.text  # the unit question is not asked
    assert (await stored(chat)).unit_code == "A2x"


async def test_a_deep_link_with_a_wrong_code_falls_back_to_asking_for_the_code(
    chat: Conversation, tree: dict[str, Unit]
) -> None:
    await chat.send("/start ZZZZZZZZZZ")
    await chat.press("Tôi đồng ý")
    await chat.press("Tiếng Việt")
    await chat.press("Cán bộ")

    assert "xin anh/chị gõ mã đó" in chat.text
    await chat.send(f"  {tree['B1'].invite_code.lower()} ")
    assert "Anh/chị đã tham gia đơn vị: Phòng B1 (B1)" in chat.text
    assert (await stored(chat)).unit_code == "B1"


async def test_a_wrong_typed_code_is_explained_and_the_learner_can_try_again(
    chat: Conversation, tree: dict[str, Unit]
) -> None:
    await chat.send("/start")
    await chat.press("Tôi đồng ý")
    await chat.press("Tiếng Việt")
    await chat.press("Khác")

    await chat.send("A2")  # the unit's code is not its invite code
    assert chat.text == plain(t("vi", "unit-unknown"))
    await chat.send("mã sai!")
    assert "Mã đơn vị chỉ gồm" in chat.text
    assert (await stored(chat)).unit_code is None
    await chat.send(tree["A1"].invite_code)

    assert "Anh/chị đã tham gia đơn vị: Phòng A1 (A1)" in chat.text
    assert "Bài kiểm tra xếp lớp" in chat.text
    assert (await stored(chat)).unit_code == "A1"


async def test_a_learner_joins_or_moves_later_by_opening_a_units_link(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    tree: dict[str, Unit],
) -> None:
    learner = await add_learner(sessions, unit=None, created_at=NOW - timedelta(days=3))
    chat = talk(engine, pack, learner)

    await chat.send("/start WRONGCODE9")
    assert plain(t("vi", "unit-unknown-link")) in chat.text
    assert (await stored(chat)).unit_code is None
    await chat.send(f"/start {tree['A2'].invite_code}")

    assert "Anh/chị đã tham gia đơn vị: Phòng A2 (A2)" in chat.text
    assert (await stored(chat)).unit_code == "A2"
    await chat.send(f"/start {tree['A2'].invite_code}")
    assert "Anh/chị đã thuộc đơn vị Phòng A2." in chat.text
    await chat.send(f"/start {tree['B'].invite_code}")
    assert "Anh/chị đã chuyển sang đơn vị Đơn vị B (B)" in chat.text
    assert (await stored(chat)).unit_code == "B"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "units.yaml",
            b"units:\n  - code: A\n    name: [unclosed\n",
            "sai cú pháp YAML ở dòng",
        ),
        ("units.csv", "code,name\nA,Đơn vị Hà Nội\n".encode("utf-16"), "ở dạng UTF-8"),
    ],
    ids=["yaml-syntax", "not-utf8"],
)
async def test_an_unreadable_file_is_refused_with_a_message_not_a_traceback(
    database_url: str, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    result = await hocvuso(database_url, "units", "import", str(path))

    assert result.exit_code == 1
    assert expected in " ".join(result.output.split())
    assert "Traceback" not in result.output
