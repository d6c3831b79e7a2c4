"""Where personal data lives, and what ``/mydata`` and ``/forget`` do with each table.

Every table of the models is listed here, either as holding a person's data (:data:`PERSONAL`)
or as holding none (:data:`NOT_PERSONAL`, with the reason). For a personal table, ``/mydata``
exports the person's rows under ``exported_as`` and ``/forget`` either deletes them
(``deleted``) or keeps them anonymised (``anonymised``): then each column is either cleared
(blanked, reset, coarsened or replaced) or kept, with the reason it no longer identifies anyone.
``tests/organising/test_personal_data.py`` checks this against the models and the behaviour,
so a new table or column fails until it is classified here (and in ``docs/privacy.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ANONYMOUS_KEY = "the row's own key, pointing at the emptied learner row"


@dataclass(frozen=True)
class Personal:
    #: Where ``/mydata`` puts the person's rows (dotted paths into the export).
    exported_as: tuple[str, ...]
    erasure: Literal["deleted", "anonymised"]
    #: Anonymised tables: columns ``/forget`` clears (blanks, resets, coarsens or replaces).
    cleared: frozenset[str] = frozenset()
    #: Anonymised tables: columns kept, and why they no longer identify the person.
    kept: Mapping[str, str] = field(default_factory=dict)


PERSONAL: Mapping[str, Personal] = {
    "learner": Personal(
        ("learner",),
        "anonymised",
        cleared=frozenset(
            {
                "chat_id",
                "display_name",
                "role",
                "language",
                "timezone",
                "reminder_hour",
                "consent_at",
                "consent_version",
                "state",
                "created_at",  # to the first day of its month
                "last_active_at",
                "reminders_paused_until",
                "status",  # erased
                "erased_at",  # the day only
            }
        ),
        kept={
            "id": ANONYMOUS_KEY,
            "platform": "the same for every learner of the deployment",
            "bot_id": "the same for every learner of the bot",
            "unit_code": "the unit's figures (people joined, certified) count the row",
            "level": "the unit's figures by level",
            "placement_done": "a yes/no, meaningless alone",
        },
    ),
    "certificate": Personal(
        ("certificates",),
        "anonymised",
        cleared=frozenset(
            {"score", "total", "issued_at", "revoked_at", "revoked_reason", "credential"}
        ),
        kept={
            "id": "the printed code: its check page says only that it is revoked",
            "status_index": "its bit in the public revocation list, set",
            "learner_id": ANONYMOUS_KEY,
            "level": "the unit's certified figures",
            "exam_id": "the anonymised exam it was earned in",
        },
    ),
    "exam_attempt": Personal(
        ("exams",),
        "anonymised",
        cleared=frozenset({"started_at", "finished_at"}),
        kept={
            "id": ANONYMOUS_KEY,
            "learner_id": ANONYMOUS_KEY,
            "level": "pass rates by level",
            "question_ids": "how often each question is drawn and passed",
            "correct": "pass rates",
            "answered": "pass rates",
            "passed": "pass rates",
        },
    ),
    "quiz_attempt": Personal(
        ("quiz_attempts",),
        "anonymised",
        cleared=frozenset({"answered_at"}),
        kept={
            "id": ANONYMOUS_KEY,
            "learner_id": ANONYMOUS_KEY,
            "question_id": "how hard each question is",
            "mode": "how hard each question is",
            "chosen": "which wrong answers are chosen",
            "correct": "how hard each question is",
            "prompt_nonce": "a random value",
            "lesson_id": "how hard each lesson is",
            "exam_id": "the anonymised exam",
            "predicted_recall": "how well reviews are scheduled (the retention report)",
        },
    ),
    "lesson_progress": Personal(
        ("lesson_progress",),
        "anonymised",
        cleared=frozenset({"started_at", "completed_at"}),
        kept={
            "id": ANONYMOUS_KEY,
            "learner_id": ANONYMOUS_KEY,
            "lesson_id": "how many finish each lesson",
            "level": "how many finish each lesson",
            "status": "how many finish each lesson",
        },
    ),
    "broadcast": Personal(
        ("broadcasts_requested",),
        "anonymised",
        cleared=frozenset({"requested_by"}),
        kept={
            "id": "an announcement to a unit, not about its author",
            "kind": "as id",
            "campaign_id": "as id",
            "occurrence": "as id",
            "text": "sent to the unit; blanked by the retention sweep",
            "audience": "which units it went to",
            "created_at": "as id; deleted by the retention sweep",
            "progress_reported": "as id",
            "finished_at": "as id",
        },
    ),
    "audit_log": Personal(
        ("organising.staff_actions", "organising.audit_about_me"),
        "anonymised",
        kept={
            "id": "ids only; staff actions stay accountable (who granted, linked, broadcast)",
            "at": "as id",
            "actor_id": "as id; an erased actor's id points at an emptied row",
            "via": "as id",
            "action": "as id",
            "unit_id": "as id",
            "details": "ids and counts, never names or texts; ids point at emptied rows",
        },
    ),
    "delivery": Personal(("messages.to_me", "messages.from_me"), "deleted"),
    "processed_update": Personal(("replies_waiting",), "deleted"),
    "review_card": Personal(("review_cards",), "deleted"),
    "role_grant": Personal(("organising.roles",), "deleted"),
    "role_invite": Personal(("organising.invites",), "deleted"),
    "mentor_link": Personal(("organising.mentors", "organising.mentees"), "deleted"),
    "mentor_code": Personal(("organising.mentor_code",), "deleted"),
    "nudge": Personal(("organising.nudges",), "deleted"),
    "learner_preference": Personal(("organising.preferences",), "deleted"),
    # Pending ones are never sent; copies of the sent ones are in the LRS under a pseudonym.
    "xapi_statement": Personal(("xapi_statements",), "deleted"),
    "dashboard_login": Personal(("organising.dashboard_links",), "deleted"),
    "dashboard_session": Personal(("organising.dashboard_sessions",), "deleted"),
}

#: Tables that hold nothing about a person.
NOT_PERSONAL: Mapping[str, str] = {
    "bot": "the deployment's bots: names and the name of each token's variable",
    "consent_refusal": "a refusal of consent: platform, terms version and time, no identifier",
    "unit": "the unit tree: names of offices, communes, villages",
    "campaign": "campaign definitions from the organisers' files",
    "sender_lease": "which process sends a bot's messages",
    "apscheduler_jobs": "the scheduler's jobs",
}
