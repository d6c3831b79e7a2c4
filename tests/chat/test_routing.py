"""The one routing table: every action a button can carry has a route, every command one handler,
and a button whose argument has the wrong shape is refused before any handler runs."""

from __future__ import annotations

from hocvuso.chat import routing
from hocvuso.chat.events import Press
from hocvuso.delivery import payloads as a
from tests.factories import Conversation


def test_every_action_of_a_button_has_a_route_and_every_menu_command_a_handler() -> None:
    assert set(routing.PRESSES) == a.STAFF | a.FLOW | a.OTHER
    assert set(routing.MENU) <= set(routing.COMMANDS)


async def test_a_staff_button_with_a_malformed_argument_is_refused_as_invalid(
    chat: Conversation,
) -> None:
    await chat.onboard()
    for data in ("nd::abc", "mu::2", "pa::1", "rx::-1"):
        outcome = await chat.event(Press(data))
        assert outcome.toast is not None and "không hợp lệ" in outcome.toast.lower(), data
        assert outcome.replies == []
