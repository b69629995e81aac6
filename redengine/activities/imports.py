"""Import sheet 组织生活 (meetings), as import-templates.md gives it: one row per meeting, recorded by its
counts (应到人数, 实到人数) without an attendance list.

Each row becomes a ``services.MeetingEntry`` of the whole sheet's batch, which ``services.check_meetings``
checks as it checks the quick-entry form and the API (the date not in the future nor before the
organization's founding, the organization holds meetings of the type, one meeting of a type per
organization and day, the actual attendance not above the expected) and ``services.record_meetings``
writes. The organization is one recorded or one new in the 党组织 sheet of the same file.

A row naming a recorded meeting (the same organization, type and date) is that meeting: with the same
topic and counts it changes nothing, with others it changes them. The counts of a meeting recorded with
its attendance list follow from the list: a row typing other counts for it is refused (the list is
changed on the meeting's page).
"""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register, report
from redengine.dataio.sheets import Column, Sheet
from redengine.orgs.imports import org_code, org_lookup, present, reference_known
from redengine.orgs.models import PartyOrganization

from . import rules, services
from .models import Meeting

# The names of import-templates.md (``rules.CHINESE``): the workbook is Chinese whatever the pages' language;
# the codes (``general_meeting`` …) are read too.
MEETING_TYPES = [(code, rules.CHINESE[code]) for code in rules.MeetingType.values]

MEETINGS_SHEET = Sheet(
    "组织生活",
    [
        Column(
            "党组织代码",
            "org_code",
            org_code(),
            required=True,
            help=gettext_lazy(
                "The organization that held the meeting: in the 党组织 sheet or already recorded."
            ),
        ),
        Column(
            "类型",
            "meeting_type",
            parsers.choice(MEETING_TYPES),
            required=True,
            help=gettext_lazy(
                "A committee holds party classes and heart-to-heart talks only; a 支委会 is held by a branch "
                "with a committee, a 党小组会 by a branch divided into party groups."
            ),
        ),
        Column(
            "日期",
            "date",
            parsers.date(),
            required=True,
            help=gettext_lazy(
                "The day of the meeting; not in the future. One meeting of a type per organization and day."
            ),
        ),
        Column("主题", "topic", parsers.text(200), required=True),
        Column("应到人数", "expected", parsers.whole_number(), help=gettext_lazy("At least 1.")),
        Column("实到人数", "actual", parsers.whole_number(), help=gettext_lazy("Not above 应到人数.")),
    ],
    key=("org_code", "meeting_type", "date"),
)

MEETING_FIELDS = ["topic", "expected", "actual"]  # what a row sets besides its key
COUNTS = ("expected", "actual")
MEETING_COLUMNS = {"organization": "org_code"}  # the service's fields named otherwise in the sheet


def listed_counts_message(meeting):
    return _(
        "This meeting was recorded with its attendance list, which gives its counts (%(expected)s expected, "
        "%(actual)s present): change the list on the meeting's page, not the counts."
    ) % {"expected": meeting.expected, "actual": meeting.actual}


class MeetingSheet(SheetImporter):
    sheet = MEETINGS_SHEET
    order = 60  # after 党组织 (whose new organizations a row may name) and the people's sheets
    models = (Meeting,)

    def plan(self, ctx, data):
        orgs = org_lookup(ctx).load(row.values["org_code"] for row in data.rows)
        # An organization outside the importer's scope is answered word for word as one not recorded.
        known_org = ctx.known(PartyOrganization, [orgs.get(row.values["org_code"]) for row in data.rows])
        matched = []
        for row in data.rows:
            code = row.values["org_code"]
            org = known_org(orgs.get(code))
            if org is None:
                if not reference_known(ctx, "党组织", "org_code", code):
                    message = _("No organization with this code, neither in the 党组织 sheet nor recorded.")
                    data.issue(row, "org_code", message)
                continue
            matched.append((row, org))
        recorded = self.recorded(matched)
        fields = present(data, MEETING_FIELDS)
        rows, entries = [], []
        for row, org in matched:
            values = row.values
            entry_values = {name: values[name] for name in fields}
            meeting = recorded.get((org.pk, values["meeting_type"], values["date"])) if org.pk else None
            if meeting is None:
                entry_values.update(
                    organization=org, meeting_type=values["meeting_type"], date=values["date"]
                )
            else:
                meeting.organization = org
                if meeting.from_list:
                    for name in COUNTS:
                        if name in entry_values and entry_values[name] not in (None, getattr(meeting, name)):
                            data.issue(row, name, listed_counts_message(meeting))
            rows.append(row)
            entries.append(services.MeetingEntry(entry_values, instance=meeting))
        checked = services.check_meetings(entries, ctx.scope, by=ctx.by)
        report(data, rows, checked.problems, columns=MEETING_COLUMNS, default="org_code")
        return SheetPlan.of(checked, entries=entries, meetings=checked)

    @staticmethod
    def recorded(matched):
        """{(organization pk, type, date): meeting} of the recorded meetings the rows may name: those of their
        organizations within the rows' dates, one query per 5,000 organizations."""
        days = defaultdict(list)
        for row, org in matched:
            if org.pk:
                days[org.pk].append(row.values["date"])
        found = {}
        for chunk in chunked(sorted(days)):
            dates = [day for pk in chunk for day in days[pk]]
            meetings = Meeting.objects.filter(
                organization_id__in=chunk, date__gte=min(dates), date__lte=max(dates)
            ).order_by()
            for meeting in meetings:
                found[(meeting.organization_id, meeting.meeting_type, meeting.date)] = meeting
        return found

    def write(self, ctx, plan):
        checked = plan.extra["meetings"]
        entries = [
            entry
            for entry, item in zip(plan.extra["entries"], checked.items, strict=True)
            if item.is_new or item.changed
        ]
        # One batch, checked once more inside the import's write (its organizations are now recorded).
        services.record_meetings(entries, by=ctx.by)

    # Template and export ----------------------------------------------------------------------------
    def code_lists(self, user):
        codes = PartyOrganization.objects.visible_to(user, "view").values_list("code", flat=True)
        return {"org_code": list(codes)}

    def export_rows(self, ctx):
        meetings = Meeting.objects.visible_to(ctx.user, "export").order_by(
            "organization__path", "date", "meeting_type", "pk"
        )
        columns = ("organization__code", "meeting_type", "date", "topic", "expected", "actual")
        for code, meeting_type, date, topic, expected, actual in meetings.values_list(*columns).iterator(
            2000
        ):
            yield {
                "org_code": code,
                "meeting_type": meeting_type,
                "date": date,
                "topic": topic,
                "expected": expected,
                "actual": actual,
            }

    def export_count(self, ctx):
        return Meeting.objects.visible_to(ctx.user, "export").count()


register(MeetingSheet())
