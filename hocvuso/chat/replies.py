"""What the learning core answers: transport-agnostic replies.

A transport (Telegram, the local terminal chat) turns these into platform messages. Texts are
already translated and use a small HTML subset (``<b>``, ``<i>``) with everything else escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hocvuso.delivery.payloads import Button


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    #: How to rebuild it when replies are replayed (the bytes are never stored).
    kind: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    #: Replace the message whose button was pressed instead of sending a new one.
    edit: bool = False
    document: Document | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [[[b.label, b.data] for b in row] for row in self.buttons],
            "edit": self.edit,
            "document_kind": self.document.kind if self.document else None,
            "document_name": self.document.filename if self.document else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data["text"],
            buttons=tuple(tuple(Button(label, d) for label, d in row) for row in data["buttons"]),
            edit=data.get("edit", False),
        )


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
