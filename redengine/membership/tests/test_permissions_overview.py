"""The permission matrix of the membership overview and of the member's timeline on the person page (see
redengine.testing.matrix): the overview opens for the roles that read transfers, on the top of their scope;
the timeline is a fragment of a person, 404 outside the scope as for a missing id. The sample members are
the four full members of the demo tree at the matrix's usual places, each with a status change recorded by
the real service so that the timeline has a row of its own (its marker: the reason)."""

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.membership.models import Transfer
from redengine.membership.services import statuses
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person
from redengine.testing.matrix import Detail, Page, ScopedCase, build_matrix

from .status_helpers import PLACES, days_ago, membership_of


def person_owners(person):
    school = person.school
    return list(school.organizations.all()) or list(
        PartyOrganization.objects.filter(district=school.district)
    )


def floating_members():
    statuses.record_floating(
        [
            Item(
                {
                    "membership": membership_of(name),
                    "place": f"外出-{position}",
                    "reason": "study",
                    "left_on": days_ago(40),
                    "takes_part_in": "",
                    "note": "",
                }
            )
            for position, name in PLACES.items()
        ],
        by=SYSTEM,
    )


TIMELINES = ScopedCase(
    name="membership_timeline",
    model=Person,
    lookup="name",
    owners=person_owners,
    positions=dict(PLACES),
    setup=floating_members,
    views=[
        Page("membership:overview", model=Transfer, label="home"),
        Detail("membership:person_panel"),
    ],
)

globals().update(build_matrix(TIMELINES))
