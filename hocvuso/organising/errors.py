"""Typed refusals: a code and a translatable message (``locales/*.ftl``), never personal data."""

from __future__ import annotations

from typing import Any

from hocvuso.i18n import t


class StaffError(Exception):
    """Something an organiser, mentor or admin asked for was refused."""

    code = "staff-error"

    def __init__(self, key: str, /, **variables: Any) -> None:
        super().__init__(key)
        self.key = key
        self.variables = variables

    def message(self, language: str) -> str:
        return t(language, self.key, **self.variables)


class Forbidden(StaffError):
    """The actor's roles do not allow this, or the thing lies outside their scope."""

    code = "forbidden"


class NotFound(StaffError):
    code = "not-found"


class Invalid(StaffError):
    code = "invalid"


class LimitReached(StaffError):
    """A protection limit (nudges per mentee or per mentor, a mute) refused the action."""

    code = "limit"
