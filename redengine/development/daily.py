"""The daily reminder scan: open cases whose deadline has passed or comes within a week."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.accounts.models import RoleAssignment
from redengine.core.daily import daily
from redengine.core.notifications import notify

from . import rules
from .models import DevelopmentCase

REMIND_DAYS_BEFORE = 7
# Who is reminded: the school secretaries over the case's organization; where there is none, the
# district administrators over it.
FIRST, FALLBACK = "school_secretary", "district_admin"


def recipients(assignments, path):
    """The accounts to remind of a case at ``path``: the deepest level of responsibility that exists."""
    for role in (FIRST, FALLBACK):
        users = [a.user for a in assignments if a.role == role and path.startswith(a.organization.path)]
        if users:
            return users
    return []


@daily("development.reminders")
def remind(today):
    horizon = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    cases = (
        DevelopmentCase.objects.open()
        .filter(next_due__lte=horizon)
        .select_related("person", "organization")
        .order_by("next_due", "pk")
    )
    assignments = [
        a
        for a in RoleAssignment.objects.filter(role__in=[FIRST, FALLBACK], user__is_active=True)
        .select_related("user", "organization")
        .order_by("organization__path")
        if a.organization_id
    ]
    messages, scanned = [], 0
    for case in cases.iterator(2000):
        scanned += 1
        step = rules.STEP[case.due_step]
        late = case.next_due < today
        title = (
            _("Late: %(step)s of %(name)s was due by %(date)s")
            if late
            else _("Due soon: %(step)s of %(name)s by %(date)s")
        ) % {"step": f"{step.code} {step.name}", "name": case.person.name, "date": case.next_due.isoformat()}
        rule = rules.RULES.get(case.due_rule)
        body = f"{case.organization.name}。{rule.text}（{rule.source}）" if rule else case.organization.name
        key = (
            f"development:{case.pk}:{case.due_step}:{case.next_due.isoformat()}:{'late' if late else 'soon'}"
        )
        url = reverse("development:case_detail", args=[case.pk])
        for user in recipients(assignments, case.organization.path):
            messages.append((user, key, title, body, url))
    written = notify(messages)
    return _("%(cases)s cases due or late, %(count)s new reminders.") % {"cases": scanned, "count": written}
