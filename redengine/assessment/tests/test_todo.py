"""Star rating on the to-do list: the evaluations waiting for the user's move (the branch's to submit, the
district's to review, the city's to approve, per district bureau at the city) and those late at their phase,
each item at a fixed number of queries whatever the number of evaluations, none for a role without the move."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from redengine.assessment import todo
from redengine.core.todo import Reach, level_of, todos_for

from .helpers import BRANCH, SIBLING, evaluation, new_campaign, user
from .test_pages import advanced, more_branches

pytestmark = pytest.mark.django_db
ITEMS = {
    "assessment.to_submit": todo.to_submit,
    "assessment.to_review": todo.to_review,
    "assessment.to_approve": todo.to_approve,
    "assessment.late": todo.late,
}


def items_of(username):
    return {t.key: t for _section, found in todos_for(user(username)) for t in found if t.key in ITEMS}


def queries(username):
    """{item: queries it cost} for the user."""
    account = user(username)
    reach = Reach(account, level_of(account), timezone.localdate())
    found = {}
    for key, provider in ITEMS.items():
        with CaptureQueriesContext(connection) as counted:
            provider(reach)
        found[key] = len(counted)
    return found


def test_each_role_is_told_what_waits_for_its_move_and_what_is_late():
    today = timezone.localdate()
    campaign = new_campaign(self_until=today - datetime.timedelta(days=1))
    advanced(evaluation(campaign, SIBLING), "submitted")
    secretary = items_of("school_secretary")
    assert set(secretary) == {"assessment.to_submit", "assessment.late"}
    assert [row.label for row in secretary["assessment.to_submit"].rows] == [
        evaluation(campaign, BRANCH).organization.name
    ]
    assert secretary["assessment.late"].level == "late"  # not submitted after the self-assessment ended
    district = items_of("yuelu_admin")
    assert set(district) == {"assessment.to_review", "assessment.late"}
    assert district["assessment.to_review"].count == 1
    assert district["assessment.late"].count == 4  # 岳麓区's four branches still in self-assessment
    city = items_of("city_admin")
    assert "assessment.to_review" not in city
    assert "assessment.to_approve" not in city  # nothing reviewed yet
    advanced(evaluation(campaign, BRANCH), "district_reviewed")
    city = items_of("city_admin")
    assert [(row.label, row.count) for row in city["assessment.to_approve"].rows] == [("岳麓区", 1)]
    assert items_of("instructor") == {}


def test_each_item_costs_the_same_queries_with_more_evaluations():
    today = timezone.localdate()
    campaign = new_campaign(self_until=today - datetime.timedelta(days=1))
    advanced(evaluation(campaign, SIBLING), "district_reviewed")
    before = {name: queries(name) for name in ("school_secretary", "yuelu_admin", "city_admin", "instructor")}
    from redengine.assessment import services
    from redengine.core.services import Item
    from redengine.core.writes import SYSTEM

    services.add_evaluations(
        [Item({"campaign": campaign, "organization": o}) for o in more_branches(5, 20)], by=SYSTEM
    )
    after = {name: queries(name) for name in before}
    assert after == before
    # One query an item below the city (the rows with their count), two at the city (grouped, the bureaus),
    # none for a role without the move.
    assert after["school_secretary"] == {
        "assessment.to_submit": 1,
        "assessment.to_review": 0,
        "assessment.to_approve": 0,
        "assessment.late": 1,
    }
    assert after["yuelu_admin"]["assessment.to_review"] == 1
    assert after["city_admin"]["assessment.to_approve"] == 2
    assert after["city_admin"]["assessment.late"] == 2
    assert set(after["instructor"].values()) == {0}
