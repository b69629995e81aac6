"""The engine's questions (``engine.Lookups``) answered for a whole batch of steps from a few queries.

A batch may hold thousands of steps (an import, the demo city): the full members among the people the
steps name, the training contacts' open cases and the application-form numbers used are loaded once,
and the batch's own steps are added as they are planned, so that a later step of the batch is judged
as if the earlier ones were recorded already.
"""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from redengine.core import workdays
from redengine.core.scoping import prefix_q
from redengine.core.writes import chunked
from redengine.orgs.models import PartyOrganization
from redengine.people.choices import IN_GOOD_STANDING, MembershipStatus
from redengine.people.models import Membership

from . import engine
from .models import CaseContact, CaseStatus, ContactRole, DevelopmentEvent


def case_key(case):
    return case.pk if case.pk else id(case)


class BatchLookups:
    def __init__(self, people, serials, standing=()):
        """``people``: those the steps name (contacts, introducers); ``standing``: the people whose own
        membership a step asks about (a conversion approved), read in the same query."""
        self.memberships = defaultdict(list)
        for chunk in chunked(sorted(set(people) | set(standing))):
            rows = Membership.objects.filter(person_id__in=chunk).values_list(
                "person_id",
                "admitted_on",
                "full_on",
                "ended_on",
                "observation_from",
                "observation_until",
                "status",
                "status_since",
            )
            for person_id, *dates in rows:
                self.memberships[person_id].append(tuple(dates))
        self.guiding = defaultdict(set)  # contact -> cases they guide (open, not ended)
        for chunk in chunked(sorted(people)):
            open_contacts = CaseContact.objects.filter(
                person_id__in=chunk,
                role=ContactRole.CONTACT,
                ended_on__isnull=True,
                case__status=CaseStatus.OPEN,
            ).values_list("person_id", "case_id")
            for person_id, case_id in open_contacts:
                self.guiding[person_id].add(case_id)
        self.calendars = {}  # year -> the holiday calendar of that year, read when a check needs it
        self.ends_open = {}  # case key -> whether the batch leaves the case open
        self.serials = {}
        for chunk in chunked(sorted(serials)):
            self.serials.update(
                DevelopmentEvent.objects.filter(Q(form_serial__in=chunk)).values_list(
                    "form_serial", "case_id"
                )
            )

    def working_days(self, start, end):
        years = [y for y in workdays.years_of(start, end) if y not in self.calendars]
        if years:
            read = workdays.calendar_for(datetime.date(years[0], 1, 1), datetime.date(years[-1], 12, 31))
            for year in years:
                self.calendars[year] = read
        parts = [self.calendars[y] for y in workdays.years_of(start, end)]
        merged = workdays.Calendar(
            frozenset().union(*(c.holidays for c in parts)),
            frozenset().union(*(c.working_weekends for c in parts)),
            frozenset().union(*(c.years for c in parts)),
        )
        return workdays.working_days_between(start, end, merged)

    def for_case(self, case):
        return CaseLookups(self, case_key(case))

    def planned(self, case, data):
        """A step of the batch, planned: its contacts and its form number count for the later steps."""
        key = case_key(case)
        if self.ends_open.get(key, True):
            for person_id in data.get("contacts", []):
                self.guiding[person_id].add(key)
        if data.get("form_serial"):
            self.serials.setdefault(data["form_serial"], key)


def voting_on(dates, day):
    """Whether a membership's ``(admitted, full, ended, observation_from, observation_until[, status,
    status_since])`` makes its member a voting full member on ``day``: full by then, not ended, not under
    留党察看 (党章 art. 7), and not suspended (停止党籍: a suspended member has no rights; the state is the
    membership's current one, from the day it began)."""
    admitted, full, ended, watched_from, watched_until, *standing = dates
    if not (admitted <= day and (ended is None or ended >= day) and full is not None and full <= day):
        return False
    if standing and suspended_on(*standing, day):
        return False
    return not (
        watched_from is not None and watched_from <= day and (watched_until is None or day < watched_until)
    )


def suspended_on(status, since, day):
    return status == MembershipStatus.SUSPENDED and (since is None or since <= day)


def standing_problem(memberships, day):
    """Why the person of ``memberships`` (their 7-tuples) is not in good standing on ``day``, or None: the
    latest membership has ended, or its state (suspended, out of contact) began on or before ``day``."""
    if not memberships:
        return None
    admitted, _full, ended, _from, _until, status, since = max(memberships, key=lambda dates: dates[0])
    label = MembershipStatus(status).label
    if ended is not None:
        return _("The membership ended on %(date)s (%(status)s).") % {
            "date": ended.isoformat(),
            "status": label,
        }
    if status not in IN_GOOD_STANDING and (since is None or since <= day):
        return _("The membership is %(status)s since %(date)s.") % {
            "status": label,
            "date": (since or admitted).isoformat(),
        }
    return None


class BranchRolls:
    """The voting full members of branches (the organization and its subtree, by path prefix) on given days:
    "should attend" of a branch general meeting (domain-rules §0.1) is derived from them, not typed.

    One query per chunk of organizations loads the memberships of their subtrees; each count is then taken
    in Python for the meeting's date."""

    def __init__(self, organizations):
        self.rolls = {}  # path -> [(person id, dates)]
        paths = sorted({org.path for org in organizations if org is not None and org.path})
        step = PartyOrganization.steplen
        for chunk in chunked(paths, 200):
            wanted = set(chunk)
            rows = Membership.objects.filter(prefix_q("organization__path", chunk)).values_list(
                "organization__path",
                "person_id",
                "admitted_on",
                "full_on",
                "ended_on",
                "observation_from",
                "observation_until",
                "status",
                "status_since",
            )
            for org_path, person_id, *dates in rows:
                # The organization's own path and its ancestors' (one step of the path each) that are asked.
                for end in range(step, len(org_path) + 1, step):
                    if org_path[:end] in wanted:
                        self.rolls.setdefault(org_path[:end], []).append((person_id, tuple(dates)))
        for path in paths:
            self.rolls.setdefault(path, [])

    def voting(self, organization, day):
        """The ids of the voting full members of ``organization`` on ``day``."""
        return {pk for pk, dates in self.rolls.get(organization.path, ()) if voting_on(dates, day)}


def voting_members(pairs):
    """{(organization pk, day): number of voting full members} for ``(organization, day)`` pairs."""
    pairs = list(pairs)
    rolls = BranchRolls([org for org, _day in pairs])
    return {(org.pk, day): len(rolls.voting(org, day)) for org, day in pairs}


class CaseLookups(engine.Lookups):
    def __init__(self, batch, key):
        self.batch, self.key = batch, key

    def full_members(self, person_ids, day):
        """Voting full members: not under 留党察看 (an introducer must not be, 细则 art. 14)."""
        return {
            pk for pk in person_ids for dates in self.batch.memberships.get(pk, ()) if voting_on(dates, day)
        }

    def contact_load(self, person_ids):
        return {pk: len(self.batch.guiding.get(pk, set()) - {self.key}) for pk in person_ids}

    def standing(self, person_id, day):
        return standing_problem(self.batch.memberships.get(person_id, ()), day)

    def working_days(self, start, end):
        return self.batch.working_days(start, end)

    def serial_used(self, serial):
        used = self.batch.serials.get(serial)
        return used is not None and used != self.key
