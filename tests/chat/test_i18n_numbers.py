"""Small integers are placed into messages as their digits (sparing Babel's number formatting):
every message reads exactly as Fluent formats it with numbers, plural forms included."""

from __future__ import annotations

import pytest
from fluent.syntax import FluentParser, ast

from hocvuso import i18n


@pytest.mark.parametrize("language", i18n.languages())
def test_every_message_reads_the_same_with_numbers_placed_as_digits(language: str) -> None:
    bundle = i18n._bundle(language)
    resource = FluentParser().parse((i18n.LOCALES / f"{language}.ftl").read_text("utf-8"))
    messages = [e for e in resource.body if isinstance(e, ast.Message) and e.value is not None]
    assert messages
    for message in messages:
        found = i18n._Variables()
        found.visit(message)
        for value in (0, 1, 2, 5, 21, 999, -3, 1000, 123456):
            args = {name: value for name in found.names}
            pattern = bundle.get_message(message.id.name).value
            assert pattern is not None
            expected, _ = bundle.format_pattern(pattern, args)
            assert i18n.t(language, message.id.name, **args) == str(expected)
