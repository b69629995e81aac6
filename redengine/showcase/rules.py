"""The showcase library as data: the kinds of item, their statuses and the moves between them, the files each
kind keeps, and the parameters of the search (domain-rules.md §5 and glossary.md: 党员故事 member story,
特色课堂 典型课例 featured lesson, 道德模范 role model).

No central text sets a workflow for the showcase: what follows is the bureau's practice of publishing only
what a reviewer above the school has read (the school writes and submits, the district bureau or the city
publishes), in a version with an effective date (``core/rules.py``) where it is a number.

Readings fixed here:

* An item is a **draft** while its school writes it; **submitted** once the school hands it to review;
  **published** once a reviewer in scope publishes it. A reviewer may **return** a submitted item to draft
  (with a reason) and **withdraw** a published one (back to draft, with a reason). Each move is allowed from
  the statuses ``MOVES`` names only: a draft never submitted is not published.
* Only a draft is **edited** or deleted (a published item is withdrawn first, a submitted one returned):
  what the library shows is what the reviewer read.
* A **role model** is a minor: only the name, school, grade, deed, honour and its date are kept; no text
  holding something that looks like an ID number or a mobile; a photo only with the consent recorded (who
  gave it, their relation to the student, the date; security-goals.md "Privacy").
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from redengine.core.rules import RuleBook, RuleVersion

PUBLISH = "publish"  # the app's own action: publish, return for revision, withdraw (the reviewers')
VIDEO_MAX_BYTES = 200 * 1024 * 1024  # a lesson's video: larger than the 10 MB of other files


class Kind(models.TextChoices):
    STORY = "story", _("member story")
    LESSON = "lesson", _("featured lesson")
    ROLE_MODEL = "rolemodel", _("role model")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    PUBLISHED = "published", _("published")


@dataclass(frozen=True)
class MoveRule:
    name: str
    label: str
    from_statuses: tuple
    to_status: str
    action: str  # the role action it needs ("change" for the school's submit, PUBLISH for the reviewer's)
    needs_reason: bool = False


MOVES = {
    "submit": MoveRule("submit", _("Submit for review"), (Status.DRAFT,), Status.SUBMITTED, "change"),
    "publish": MoveRule("publish", _("Publish"), (Status.SUBMITTED,), Status.PUBLISHED, PUBLISH),
    "return": MoveRule(
        "return", _("Return for revision"), (Status.SUBMITTED,), Status.DRAFT, PUBLISH, needs_reason=True
    ),
    "withdraw": MoveRule(
        "withdraw", _("Withdraw"), (Status.PUBLISHED,), Status.DRAFT, PUBLISH, needs_reason=True
    ),
}

FILE_KINDS = {  # what each file of an item may be (core/files.py SIGNATURES)
    "plan": ("pdf", "docx"),
    "video": ("mp4",),
    "photo": ("jpg", "jpeg", "png"),
}

RULES = RuleBook(
    RuleVersion(
        "2024-1",
        datetime.date(2024, 1, 1),
        _("Showcase library: the bureau's practice"),
        "domain-rules.md §5; glossary.md (党员故事, 特色课堂 典型课例, 道德模范)",
        {
            "show.snippet_chars": 60,  # the characters of a text shown around a search hit
            "show.search_results": 50,  # the results the search page shows per kind
        },
    )
)


def param(name, on=None):
    return RULES.param(name, on=on)
