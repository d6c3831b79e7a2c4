"""What the learning core answers: transport-agnostic replies.

A transport (Telegram, the local terminal chat) turns these into platform messages. Texts are
already translated and use a small HTML subset (``<b>``, ``<i>``) with everything else escaped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from hocvuso.delivery.payloads import Button


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    #: How to rebuild it when replies are replayed (the bytes are never stored).
    kind: str


@dataclass(frozen=True)
class Later:
    """A document made when its reply is sent, not in the update's transaction.

    The transaction records only ``kind`` (``certificate:<code>``), with the replies it stores;
    the engine gives the reply its ``make`` once the transaction is committed, and the
    transport calls :func:`ready` when it comes to the reply, after sending the ones before it:
    a slow document (a certificate PDF, 70-250 ms) holds neither the learner's row nor the
    replies in front of it. ``fallback`` is sent instead if it cannot be made at all (the
    database unreachable at send time).
    """

    kind: str
    fallback: str
    make: Callable[[], Awaitable[Reply | None]] | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    #: Replace the message whose button was pressed instead of sending a new one.
    edit: bool = False
    document: Document | None = None
    #: A document still to be made (see :class:`Later`): the reply to send comes from :func:`ready`.
    later: Later | None = None

    def to_json(self) -> dict[str, Any]:
        kind = self.later.kind if self.later else self.document.kind if self.document else None
        return {
            "text": self.text,
            "buttons": [[[b.label, b.data] for b in row] for row in self.buttons],
            "edit": self.edit,
            "document_kind": kind,
            "document_name": self.document.filename if self.document else None,
            "document_later": self.later is not None,
            "document_fallback": self.later.fallback if self.later else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        later = None
        if data.get("document_later") and data.get("document_kind"):
            later = Later(data["document_kind"], data.get("document_fallback") or "")
        return cls(
            text=data["text"],
            buttons=tuple(tuple(Button(label, d) for label, d in row) for row in data["buttons"]),
            edit=data.get("edit", False),
            later=later,
        )


async def ready(reply: Reply) -> Reply | None:
    """The reply as it is sent: itself, or what its :class:`Later` document became (a reply
    with the document, or a note such as "revoked"); None when nothing is to be sent (the
    certificate was erased meanwhile)."""
    if reply.later is None:
        return reply
    if reply.later.make is None:  # not given one by the engine: the caption would promise a file
        return replace(reply, text=reply.later.fallback, later=None)
    return await reply.later.make()


@dataclass
class Outcome:
    """Everything one incoming event produced."""

    replies: list[Reply] = field(default_factory=list)
    #: A short notice for the pressed button (Telegram: answerCallbackQuery text).
    toast: str | None = None
    #: Show the toast as an alert the person must dismiss.
    alert: bool = False
    #: The event was a redelivery of one already applied.
    duplicate: bool = False
    learner_id: int | None = None


def rows(buttons: list[Button], per_row: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
