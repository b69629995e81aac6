"""The engine's questions (``engine.Lookups``) answered for a whole batch of steps from a few queries.

A batch may hold thousands of steps (an import, the demo city): the full members among the people the
steps name, the training contacts' open cases and the application-form numbers used are loaded once,
and the batch's own steps are added as they are planned, so that a later step of the batch is judged
as if the earlier ones were recorded already.
"""

import datetime
from collections import defaultdict

from django.db.models import Q

from redengine.core import workdays
from redengine.core.writes import chunked
from redengine.people.models import Membership

from . import engine
from .models import CaseContact, CaseStatus, ContactRole, DevelopmentEvent


def case_key(case):
    return case.pk if case.pk else id(case)


class BatchLookups:
    def __init__(self, people, serials):
        self.memberships = defaultdict(list)
        for chunk in chunked(sorted(people)):
            rows = Membership.objects.filter(person_id__in=chunk).values_list(
                "person_id", "admitted_on", "full_on", "ended_on"
            )
            for person_id, admitted, full, ended in rows:
                self.memberships[person_id].append((admitted, full, ended))
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


class CaseLookups(engine.Lookups):
    def __init__(self, batch, key):
        self.batch, self.key = batch, key

    def full_members(self, person_ids, day):
        return {
            pk
            for pk in person_ids
            for admitted, full, ended in self.batch.memberships.get(pk, ())
            if admitted <= day and (ended is None or ended >= day) and full is not None and full <= day
        }

    def contact_load(self, person_ids):
        return {pk: len(self.batch.guiding.get(pk, set()) - {self.key}) for pk in person_ids}

    def working_days(self, start, end):
        return self.batch.working_days(start, end)

    def serial_used(self, serial):
        used = self.batch.serials.get(serial)
        return used is not None and used != self.key
