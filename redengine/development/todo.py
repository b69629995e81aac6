"""发展党员 on the to-do list (core/todo.py): the steps late, due this week and due this month.

A school's secretary sees the cases themselves (at most ``SHOWN`` of them), each with a 录入 link to the
step form of its step with the nearest deadline; a district administrator the counts per school, a city
administrator the counts per district, each linking to the calendar filtered to it. At most three
queries."""

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.core.codes import district_name
from redengine.core.todo import CITY, DISTRICT, Row, Todo, todo

from .models import CaseStatus, DevelopmentCase, DevelopmentEvent

SHOWN = 10


def due_url(**params):
    return reverse("development:due") + "?" + urlencode(params)


@todo("development.due", "due", 10)
def steps_due(reach):
    user = reach.user
    if not user.can(DevelopmentCase, "view"):
        return []
    today = reach.today
    cases = DevelopmentCase.objects.visible_to(user).filter(status=CaseStatus.OPEN, next_due__isnull=False)
    late = Q(next_due__lt=today)
    week = Q(next_due__gte=today, next_due__lte=reach.week_end)
    month = Q(next_due__gte=today, next_due__lte=reach.month_end)
    week_days, month_days = (reach.week_end - today).days, (reach.month_end - today).days
    filters = {
        "late": {"late": "true"},
        "week": {"due_within": week_days},
        "month": {"due_within": month_days},
    }
    if reach.level in (CITY, DISTRICT):
        group = (
            ("person__school__district",)
            if reach.level == CITY
            else ("person__school__code", "person__school__name")
        )
        grouped = list(
            cases.filter(late | month)
            .order_by()
            .values(*group)
            .annotate(
                late=Count("pk", filter=late), week=Count("pk", filter=week), month=Count("pk", filter=month)
            )
            .order_by("-late", "-week", *group)
        )
        totals = {kind: sum(row[kind] for row in grouped) for kind in filters}

        def rows(kind):
            found = []
            for row in grouped:
                if not row[kind]:
                    continue
                if reach.level == CITY:
                    code = row["person__school__district"]
                    label, drill = district_name(code), {"district": code}
                else:
                    label, drill = (
                        row["person__school__name"] or "—",
                        {"school": row["person__school__code"] or ""},
                    )
                found.append(Row(label, row[kind], due_url(**filters[kind], **drill)))
            return found

        shown = {kind: rows(kind) for kind in filters}
    else:
        totals = cases.aggregate(
            late=Count("pk", filter=late), week=Count("pk", filter=week), month=Count("pk", filter=month)
        )
        soonest = cases.select_related("person").order_by("next_due", "pk")
        late_cases = list(soonest.filter(late)[:SHOWN])
        month_cases = list(soonest.filter(month)[:SHOWN])  # the week's come first
        may_record = user.can(DevelopmentEvent, "add")

        def case_row(case):
            step = case.due_step or case.next_step
            return Row(
                case.person.name,
                url=case.get_absolute_url(),
                note=f"{case.due_step_name or step} · {case.next_due:%Y-%m-%d}",
                action_label=_("Record") if may_record and step else "",
                action_url=reverse("development:step_add", args=[case.pk]) + f"?step={step}" if step else "",
            )

        shown = {
            "late": [case_row(c) for c in late_cases],
            "week": [case_row(c) for c in month_cases if c.next_due <= reach.week_end],
            "month": [case_row(c) for c in month_cases],
        }
    labels = {
        "late": _("Development steps past their deadline"),
        "week": _("Development steps due this week"),
        "month": _("Development steps due this month"),
    }
    return [
        Todo(
            f"development.{kind}",
            labels[kind],
            totals[kind] or 0,
            due_url(**filters[kind]),
            shown[kind],
            level="late" if kind == "late" else "due",
        )
        for kind in filters
    ]
