"""Consent to the current terms: the one test every send path, mentor view and organiser list
applies, so that it cannot drift.

A learner has consented when they agreed (``consent_at``) to the terms now in force
(``Settings.consent_version``). Someone who agreed to older terms, and has declined or not yet
answered the updated ones, is treated as not having consented: no reminders, campaign
messages, broadcasts, nudges or other messages, and their name appears in nobody's list. Their
own data rights (/mydata, /forget) always work.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, FromClause, and_

from hocvuso.storage import tables
from hocvuso.storage.models import Learner


def consented(version: str, learner: FromClause = tables.LEARNER) -> ColumnElement[bool]:
    """SQL: the ``learner`` row (the table, or an alias of it) agreed to terms ``version``."""
    return and_(learner.c.consent_at.is_not(None), learner.c.consent_version == version)


def has_consented(learner: Learner, version: str) -> bool:
    """The same test on a loaded learner."""
    return learner.consent_at is not None and learner.consent_version == version
