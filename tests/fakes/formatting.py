"""Telegram's formatting options (HTML, MarkdownV2, Markdown), parsed the way Telegram parses them.

Each parser returns the plain text the user sees and the MessageEntity list (offsets in UTF-16
code units), or raises :class:`EntityParseError` with Telegram's wording, which the fake reports
as ``Bad Request: can't parse entities: <reason>``.
"""

from __future__ import annotations

from typing import Any


class EntityParseError(ValueError):
    """The text is not valid in its parse mode."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_HTML_TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
    "tg-time",
}
_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-time": "date_time",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML character reference at ``text[pos] == '&'`` like tdlib does."""
    end = pos + 1
    if end < len(text) and text[end] == "#":
        end += 1
        value = 0
        if end < len(text) and text[end] in "xX":
            end += 1
            start = end
            while end < len(text) and text[end] in "0123456789abcdefABCDEF":
                end += 1
            if end == start:
                return None
            value = int(text[start:end], 16)
        else:
            start = end
            while end < len(text) and text[end].isdigit():
                end += 1
            if end == start:
                return None
            value = int(text[start:end])
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        start = end
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        char_or_none = _NAMED.get(text[start:end])
        if char_or_none is None:
            return None
        char = char_or_none
    if end < len(text) and text[end] == ";":
        end += 1
    return char, end


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def parse_html(text: str, *, strict_ampersand: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode.

    Telegram keeps a bare ``&`` that starts no known character reference as a literal; with
    ``strict_ampersand`` such an ``&`` is rejected instead (it almost always means text was put
    into HTML without escaping).
    """
    out: list[str] = []
    offset = 0  # UTF-16 offset in the output
    stack: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                offset += utf16_len(char)
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f"Character '&' at byte offset {_byte_offset(text, i)} must be escaped as "
                    "&amp; (the fake's strict mode; Telegram itself would show it as is)"
                )
        if c != "<":
            out.append(c)
            offset += utf16_len(c)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            i += 1
            name_start = i
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            end_name = text[name_start:i].lower()
            while i < n and text[i].isspace():
                i += 1
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                )
            if i >= n or text[i] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(text, begin)}"
                )
            expected = stack[-1]["tag"]
            if end_name and end_name != expected:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{expected}>", found "</{end_name}>"'
                )
            i += 1
            opened = stack.pop()
            length = offset - opened["offset"]
            if length > 0:
                entity: dict[str, Any] = {
                    "type": _HTML_ENTITY_TYPES[opened["tag"]],
                    "offset": opened["offset"],
                    "length": length,
                }
                attrs: dict[str, str] = opened["attrs"]
                if opened["tag"] == "a":
                    entity["url"] = attrs.get("href", "")
                if opened["tag"] == "blockquote" and "expandable" in attrs:
                    entity["type"] = "expandable_blockquote"
                if opened["tag"] == "tg-emoji":
                    entity["custom_emoji_id"] = attrs.get("emoji-id", "")
                if opened["tag"] == "pre" and opened.get("language"):
                    entity["language"] = opened["language"]
                if opened["tag"] == "code" and stack and stack[-1]["tag"] == "pre":
                    stack[-1]["language"] = attrs.get("class", "").removeprefix("language-")
                    continue
                entities.append(entity)
            continue
        name_start = i
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[name_start:i].lower()
        if tag not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        attrs = {}
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            if text[i] == ">":
                i += 1
                break
            attr_start = i
            while i < n and not text[i].isspace() and text[i] not in "=>":
                i += 1
            attr = text[attr_start:i].lower()
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] != "=":
                # A valueless attribute such as <blockquote expandable>.
                attrs[attr] = ""
                continue
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            value_chars: list[str] = []
            if text[i] in "'\"":
                quote = text[i]
                i += 1
                while i < n and text[i] != quote:
                    if text[i] == "&" and (decoded := _decode_entity(text, i)) is not None:
                        value_chars.append(decoded[0])
                        i = decoded[1]
                        continue
                    value_chars.append(text[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                    )
                i += 1
            else:
                value_start = i
                while i < n and (text[i].isalnum() or text[i] in ".-"):
                    i += 1
                value_chars.append(text[value_start:i].lower())
                if i < n and not text[i].isspace() and text[i] != ">":
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset {_byte_offset(text, i)}"
                    )
            attrs[attr] = "".join(value_chars)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError("Invalid custom emoji identifier specified")
        stack.append({"tag": tag, "offset": offset, "attrs": attrs})
    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1]["tag"]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
}
_MD2_TYPES = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's MarkdownV2: bold, italic, underline, strike, spoiler, code, pre, links, quotes."""
    out: list[str] = []
    offset = 0
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, int]] = []  # (marker, output offset, byte offset)
    i = 0
    n = len(text)

    def emit(s: str) -> None:
        nonlocal offset
        out.append(s)
        offset += utf16_len(s)

    def reserved(ch: str) -> EntityParseError:
        return EntityParseError(
            f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
        )

    at_line_start = True
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) < 127:
            emit(text[i + 1])
            i += 2
            at_line_start = False
            continue
        if c == "`":
            start_byte = _byte_offset(text, i)
            is_pre = text.startswith("```", i)
            fence = "```" if is_pre else "`"
            j = i + len(fence)
            language = ""
            if is_pre:
                newline = text.find("\n", j)
                close = text.find("```", j)
                if newline != -1 and (close == -1 or newline < close):
                    language = text[j:newline].strip()
                    j = newline + 1
            body: list[str] = []
            while j < n and not text.startswith(fence, j):
                if text[j] == "\\" and j + 1 < n and text[j + 1] in "`\\":
                    body.append(text[j + 1])
                    j += 2
                    continue
                body.append(text[j])
                j += 1
            if j >= n:
                kind = "Pre" if is_pre else "Code"
                raise EntityParseError(
                    f"Can't find end of {kind} entity at byte offset {start_byte}"
                )
            content = "".join(body)
            entity: dict[str, Any] = {
                "type": "pre" if is_pre else "code",
                "offset": offset,
                "length": utf16_len(content),
            }
            if language:
                entity["language"] = language
            if content:
                entities.append(entity)
            emit(content)
            i = j + len(fence)
            at_line_start = False
            continue
        if c == ">" and at_line_start:
            i += 1
            at_line_start = False
            continue
        if c == "[":
            stack.append(("[", offset, _byte_offset(text, i)))
            i += 1
            at_line_start = False
            continue
        if c == "]":
            if not stack or stack[-1][0] != "[":
                raise reserved("]")
            _, start, _ = stack.pop()
            i += 1
            url = ""
            if i < n and text[i] == "(":
                j = i + 1
                chars: list[str] = []
                while j < n and text[j] != ")":
                    if text[j] == "\\" and j + 1 < n:
                        chars.append(text[j + 1])
                        j += 2
                        continue
                    chars.append(text[j])
                    j += 1
                if j >= n:
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, i)}"
                    )
                url = "".join(chars)
                i = j + 1
            if url and offset > start:
                entities.append(
                    {"type": "text_link", "offset": start, "length": offset - start, "url": url}
                )
            continue
        marker = None
        if text.startswith("__", i):
            marker = "__"
        elif text.startswith("||", i):
            marker = "||"
        elif c in "*_~":
            marker = c
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                if offset > start:
                    entities.append(
                        {"type": _MD2_TYPES[marker], "offset": start, "length": offset - start}
                    )
            else:
                stack.append((marker, offset, _byte_offset(text, i)))
            i += len(marker)
            at_line_start = False
            continue
        if c in _MD2_RESERVED:
            raise reserved(c)
        emit(c)
        at_line_start = c == "\n"
        i += 1
    if stack:
        marker, _, byte = stack[-1]
        if marker == "[":
            raise EntityParseError(f"Can't find end of a URL at byte offset {byte}")
        raise EntityParseError(
            f"Can't find end of {_MD2_NAMES[marker]} entity at byte offset {byte}"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's legacy Markdown: *bold*, _italic_, `code`, ```pre``` and [text](url)."""
    out: list[str] = []
    offset = 0
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c not in "*_`[":
            out.append(c)
            offset += utf16_len(c)
            i += 1
            continue
        start_byte = _byte_offset(text, i)
        if c == "[":
            close = text.find("]", i + 1)
            if close == -1:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {start_byte}"
                )
            label = text[i + 1 : close]
            url = ""
            i = close + 1
            if i < n and text[i] == "(":
                end = text.find(")", i)
                if end == -1:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {start_byte}"
                    )
                url = text[i + 1 : end]
                i = end + 1
            if url and label:
                entities.append(
                    {"type": "text_link", "offset": offset, "length": utf16_len(label), "url": url}
                )
            out.append(label)
            offset += utf16_len(label)
            continue
        fence = "```" if text.startswith("```", i) else c
        end = text.find(fence, i + len(fence))
        if end == -1:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {start_byte}"
            )
        content = text[i + len(fence) : end]
        kind = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}[fence]
        if content:
            entities.append({"type": kind, "offset": offset, "length": utf16_len(content)})
        out.append(content)
        offset += utf16_len(content)
        i = end + len(fence)
    return "".join(out), entities


def parse_formatted(
    text: str, parse_mode: str | None, *, strict_ampersand: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """Parse ``text`` in ``parse_mode`` (case-insensitive; None or "" means plain text)."""
    mode = (parse_mode or "").lower()
    if mode == "":
        return text, []
    if mode == "html":
        return parse_html(text, strict_ampersand=strict_ampersand)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError("unsupported parse_mode")


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims leading and trailing whitespace of a message; entities move with the text."""
    stripped_left = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped_left)
    stripped = stripped_left.rstrip()
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result
