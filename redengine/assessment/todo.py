"""Star rating on the to-do list (core/todo.py): the evaluations waiting for the user's move — to submit (the
branch's secretary: still in self-assessment), to review (the district: submitted), to approve (the city:
reviewed by the district) — and those late at their phase (not submitted after the self-assessment ended,
not reviewed after the district review ended, not approved after the city review ended: a time limit on
the organizations' own work, flagged, never refused).

A school's secretary and a district administrator see the evaluations (at most ``SHOWN``) with a link to
each; a city administrator the counts per district bureau. An item that applies costs one query (the rows
with their count) below the city, two at the city (the grouped counts and the bureaus); none for a role
without the move.
"""

from urllib.parse import urlencode

from django.db.models import Count, Window
from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.core.todo import CITY, Row, Todo, todo
from redengine.orgs.todo import bureau_label, per_bureau

from .campaign_filters import late_q
from .models import Evaluation
from .rules import CONFIRM, REVIEW, SUBMIT, Status

SHOWN = 10


def list_url(campaign=None, **params):
    """The evaluations of a campaign (filtered), or the overview of the campaigns."""
    if campaign is None:
        return reverse("assessment:overview")
    return reverse("assessment:evaluation_list", args=[campaign.pk]) + "?" + urlencode(params)


def evaluation_item(reach, key, label, found, query, level=""):
    user = reach.user
    url = list_url()
    if reach.level == CITY:
        grouped = per_bureau(found, user, path="organization__path")
        total = sum(n for _org, n in grouped)
        rows = [Row(bureau_label(org), n, url) for org, n in grouped]
    else:
        shown = list(
            found.select_related("organization", "campaign")
            .annotate(rows_found=Window(Count("pk")))
            .order_by("campaign__self_until", "organization__path", "pk")[:SHOWN]
        )
        total = shown[0].rows_found if shown else 0
        rows = [
            Row(
                e.organization.name,
                url=e.get_absolute_url(),
                note=f"{e.campaign.name} · {e.get_status_display()}",
                action_label=_("Open"),
                action_url=e.get_absolute_url(),
            )
            for e in shown
        ]
        if shown and all(e.campaign_id == shown[0].campaign_id for e in shown) and total <= SHOWN:
            url = list_url(shown[0].campaign, **query)
    if not total:
        return []
    return [Todo(key, label, total, url, rows, level=level)]


def waiting(reach, key, action, status, label):
    if not reach.user.can(Evaluation, action):
        return []
    found = Evaluation.objects.visible_to(reach.user, action).filter(status=status)
    return evaluation_item(reach, key, label, found, {"status": status})


@todo("assessment.to_submit", "waiting", 60)
def to_submit(reach):
    """Evaluations still in self-assessment: the branch scores itself and submits (the secretary's move)."""
    if reach.level == CITY:
        return []
    return waiting(
        reach, "assessment.to_submit", SUBMIT, Status.DRAFT, _("Star rating self-assessments to submit")
    )


@todo("assessment.to_review", "waiting", 61)
def to_review(reach):
    """Submitted evaluations waiting for the district's review."""
    if reach.level == CITY:
        return []
    return waiting(
        reach, "assessment.to_review", REVIEW, Status.SUBMITTED, _("Star rating evaluations to review")
    )


@todo("assessment.to_approve", "waiting", 62)
def to_approve(reach):
    """Evaluations reviewed by the district, waiting for the city's approval."""
    if reach.level != CITY:
        return []
    return waiting(
        reach,
        "assessment.to_approve",
        CONFIRM,
        Status.DISTRICT_REVIEWED,
        _("Star rating evaluations to approve"),
    )


@todo("assessment.late", "due", 60)
def late(reach):
    """Evaluations late at their phase, for those who move them (a branch, a district, the city)."""
    user = reach.user
    actions = [a for a in (SUBMIT, REVIEW, CONFIRM) if user.can(Evaluation, a)]
    if not actions:
        return []
    found = Evaluation.objects.visible_to(user, actions[0]).filter(late_q(reach.today))
    return evaluation_item(
        reach,
        "assessment.late",
        _("Star rating evaluations late at their phase"),
        found,
        {"late": "true"},
        level="late",
    )
