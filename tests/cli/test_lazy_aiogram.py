"""``hocvuso run`` imports aiogram with its types built on first use (hocvuso.cli.lazy_aiogram):
they must come out exactly as aiogram's own eager import builds them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

#: What the bot validates and sends, and what nests nearly everything else (Update, Message).
PROBE = textwrap.dedent(
    """
    import json, sys
    if sys.argv[1] == "lazy":
        from hocvuso.cli.lazy_aiogram import import_aiogram
        assert import_aiogram(), "the deferred import was not taken"
    else:
        import aiogram
    from aiogram import methods, types

    def shown(value):  # a file or a Default, without its address
        return type(value).__name__ + str(getattr(value, "filename", value))

    update = {
        "update_id": 7,
        "callback_query": {
            "id": "1", "from": {"id": 5, "is_bot": False, "first_name": "Lan"},
            "chat_instance": "c", "data": "answer:B",
            "message": {
                "message_id": 3, "date": 1, "chat": {"id": 5, "type": "private"},
                "text": "Câu 1", "entities": [{"type": "bold", "offset": 0, "length": 3}],
                "reply_markup": {"inline_keyboard": [[{"text": "B", "callback_data": "b"}]]},
            },
        },
    }
    parsed = types.Update.model_validate(update)
    send = methods.SendMessage(
        chat_id=5, text="<b>Đúng</b>",
        reply_markup=types.InlineKeyboardMarkup(
            inline_keyboard=[[types.InlineKeyboardButton(text="Tiếp", callback_data="next")]]
        ),
    )
    names = ["Update", "Message", "CallbackQuery", "InlineKeyboardMarkup", "User", "Chat",
             "Document", "Poll", "BotCommand", "LinkPreviewOptions"]
    # (EditMessageText, SendPoll, SendDocument take files: no JSON schema; they are dumped.)
    method_names = ["SendMessage", "AnswerCallbackQuery", "GetUpdates", "SetMyCommands",
                    "DeleteWebhook", "GetMe"]
    edit = methods.EditMessageText(chat_id=5, message_id=3, text="Sai", reply_markup=None)
    document = methods.SendDocument(
        chat_id=5, document=types.BufferedInputFile(b"x", "report.xlsx"), caption="Báo cáo"
    )
    print(json.dumps({
        "update": parsed.model_dump(mode="json", exclude_none=True, by_alias=True),
        "message": parsed.callback_query.message.model_dump(mode="json", exclude_none=True),
        "send": send.model_dump(exclude_none=True, warnings=False),
        "document": document.model_dump(exclude_none=True, warnings=False),
        "edit": edit.model_dump(exclude_none=True, warnings=False),
        "complete": sorted(
            name for name in types.__all__
            if getattr(getattr(types, name), "__pydantic_complete__", False)
        ),
        "schemas": {n: getattr(types, n).model_json_schema() for n in names},
        "methods": {n: getattr(methods, n).model_json_schema() for n in method_names},
    }, sort_keys=True, ensure_ascii=False, default=shown))
    """
)


def _probe(mode: str) -> dict:
    command = [sys.executable, "-W", "ignore", "-c", PROBE, mode]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)


def test_deferred_types_are_built_exactly_like_aiograms_own():
    eager, lazy = _probe("eager"), _probe("lazy")
    assert lazy["update"] == eager["update"]
    assert lazy["update"]["callback_query"]["from"]["first_name"] == "Lan"
    assert lazy["message"] == eager["message"]
    assert lazy["send"] == eager["send"]
    assert lazy["document"] == eager["document"]
    assert lazy["edit"] == eager["edit"]
    assert lazy["schemas"] == eager["schemas"]
    assert lazy["methods"] == eager["methods"]
    # The point of it: aiogram builds all of its types at import, the deferred import only
    # what was used.
    assert len(eager["complete"]) > 400
    assert len(lazy["complete"]) < 50


def test_it_steps_aside_when_aiogram_is_imported_already():
    code = (
        "import aiogram\n"
        "from hocvuso.cli.lazy_aiogram import import_aiogram\n"
        "assert import_aiogram() is False\n"
        "assert aiogram.types.Message.__pydantic_complete__\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
