"""Button payloads: every producer goes through one builder that refuses what Telegram or our
parser would not take back."""

from __future__ import annotations

import pytest

from hocvuso.delivery import payloads as a


def test_a_built_payload_parses_back_to_the_same_action() -> None:
    button = a.button("Trả lời", a.MENTEE_REPLY, "", "42")
    assert button.data == "mr::42"
    assert a.parse(button.data) == a.Action(a.MENTEE_REPLY, "", "42")
    assert a.stored([button], [a.button("Học ngay", a.LEARN)]) == [
        [["Trả lời", "mr::42"]],
        [["Học ngay", "lr::"]],
    ]


@pytest.mark.parametrize(
    ("name", "nonce", "arg"),
    [
        ("zz", "", ""),  # not an action of ours
        (a.ANSWER, "ab:cd", "1"),  # a separator inside a part
        (a.ACCEPT_ROLE, "", "x" * 61),  # over Telegram's 64 bytes
        (a.NUDGE, "", "1 2"),  # a character the parser refuses
    ],
)
def test_a_payload_that_would_not_come_back_intact_is_refused_when_built(
    name: str, nonce: str, arg: str
) -> None:
    with pytest.raises(ValueError):
        a.button("x", name, nonce, arg)


def test_foreign_or_malformed_data_parses_to_nothing() -> None:
    assert a.parse("hello") is None
    assert a.parse("an:1:2:3") is None
    assert a.parse("an:1:<b>") is None
