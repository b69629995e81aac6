"""``make bench`` suite ``files``: the development overdue scan and the daily refresh, and the people list's
.xlsx export, each beside what it costs by hand.

On the province data set as ``bench/run.py`` loads it (development cases with their steps, about 5% of the
people):

- **the overdue scan** — the 发展日历's figures and rows for the city and for a district (``calendar`` of
  ``bench/development.py``: counts of open, late and soon-due cases, per district and per organization,
  the first page, every open case with its next step and dates) against the same through hand-written SQL
  (``calendar_raw``); the metric ``development.overdue`` for the whole tree this year (the stored plans)
  against one ``COUNT``;
- **the daily refresh** — every open case's plan derived again from its steps (``refresh``: the steps
  loaded in bulk, ``engine.plan`` and ``services.apply_plan`` per case, the changed cases written; and
  once every case written with ``bulk_update``) against reading the same steps and writing the same
  columns with a raw ``executemany`` (``refresh_raw``); the writes are rolled back;
- **the export** — the people list of the province account, every person, as the background export
  writes it (``core/export_jobs.py`` ``write_export``: the view rebuilt for the account, the rows read
  with ``iterator``, XlsxWriter with ``constant_memory`` to a temporary file, the bytes stored in the
  job's row) against XlsxWriter alone, ``constant_memory`` too, writing the same cells from one
  hand-written query. Checked: the same number of rows, the same header and first rows, read back with
  python-calamine.
"""

import io
import os

from bench import development
from bench.harness import Case

FIRST_ROWS = 200  # rows of the two exports compared cell by cell (besides the count and the header)


def cases(context):
    from redengine.orgs.models import PartyOrganization

    city = PartyOrganization.objects.get(code=context.city)
    district = PartyOrganization.objects.get(code=context.district)
    root = PartyOrganization.objects.get(depth=1)  # the province's education work committee
    return [
        Case(
            "overdue scan (发展日历), city",
            lambda: development.calendar(city),
            lambda: development.calendar_raw(city),
            check=same_calendar,
        ),
        Case(
            "overdue scan (发展日历), district",
            lambda: development.calendar(district),
            lambda: development.calendar_raw(district),
            check=same_calendar,
        ),
        Case("development.overdue, province, this year", lambda: overdue(root), lambda: overdue_raw(root)),
        Case(
            "daily refresh, changed cases written",
            lambda: development.refresh("changed"),
            development.refresh_raw,
            check=same_steps,
        ),
        Case(
            "daily refresh, every case written (bulk_update)",
            lambda: development.refresh("all"),
            development.refresh_raw,
            check=same_steps,
            repeat=1,
            note="one timed run: Django's bulk_update of every open case is the slow part",
        ),
        export_case(context),
    ]


# The overdue scan and the refresh ---------------------------------------------------------------------
def same_calendar(ours, baseline):
    found = {key: ours[key] for key in ("open", "late", "districts")}
    assert found == baseline, (found, baseline)
    assert ours["open"] > 0, "no open development case in the scope: nothing was measured"


def same_steps(ours, baseline):
    assert ours["steps"] == baseline["steps"] > 0, (ours["steps"], baseline["steps"])


def overdue(root):
    from django.utils import timezone

    from redengine.core.metrics import REGISTRY, Period

    return REGISTRY["development.overdue"].compute(root, Period.of(timezone.localdate().year)).value


def overdue_raw(root):
    from django.db import connection
    from django.utils import timezone

    day = connection.ops.adapt_datefield_value(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM development_developmentcase c "
            "JOIN orgs_partyorganization o ON o.id = c.organization_id "
            "WHERE c.status = 'open' AND c.next_due < %s AND o.path LIKE %s",
            [day, root.path + "%"],
        )
        return cursor.fetchone()[0]


# The export ---------------------------------------------------------------------------------------------
def export_case(context):
    from redengine.people.models import Person

    user = context.accounts["province"]
    rows = Person.objects.visible_to(user, "export").count()
    path = os.path.join(context.workdir, "people-baseline.xlsx")
    return Case(
        f"people list export (.xlsx), province, {rows:,} rows",
        lambda: export(user),
        lambda: export_raw(user, path),
        check=same_workbook,
        note="ours: write_export of a background job (view rebuilt, iterator, constant_memory, bytes stored "
        "in the job); baseline: one SQL query and XlsxWriter with constant_memory",
    )


def export(user):
    """The background export of the people list, every row the account may export: (rows, file bytes)."""
    from django.urls import reverse

    from redengine.core import export_jobs
    from redengine.core.models import ExportJob

    job = ExportJob.objects.create(
        user=user, title="人员", file_name="教职工名册.xlsx", path=reverse("people:person_list")
    )
    try:
        assert export_jobs.write_export.call(job.pk) == ExportJob.Status.DONE
        rows, content = ExportJob.objects.filter(pk=job.pk).values_list("rows_written", "content").get()
    finally:
        ExportJob.objects.filter(pk=job.pk).delete()
    return rows, bytes(content)


def export_raw(user, path):
    """The same cells by hand: one query, the choices' labels from a dictionary, XlsxWriter alone."""
    import xlsxwriter
    from django.db import connection
    from django.utils import timezone

    from redengine.people.models import Person
    from redengine.people.views import PersonListView

    def labels(name):
        return {value: str(label) for value, label in Person._meta.get_field(name).flatchoices}

    sexes, posts, statuses = labels("sex"), labels("post"), labels("political_status")
    book = xlsxwriter.Workbook(
        path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet("人员")
    sheet.write(0, 0, f"{user} {timezone.localtime():%Y-%m-%d %H:%M}")
    sheet.write_row(1, 0, [str(c.label) for c in PersonListView.columns])
    count = 1
    with connection.cursor() as cursor:
        cursor.execute(  # the province account's scope is the whole tree: every person
            "SELECT p.name, p.id_number_masked, p.sex, s.name, p.post, p.political_status, p.mobile_masked "
            "FROM people_person p JOIN orgs_school s ON s.id = p.school_id ORDER BY s.code, p.name, p.id"
        )
        while chunk := cursor.fetchmany(2000):
            for name, number, sex, school, post, status, mobile in chunk:
                count += 1
                sheet.write_row(
                    count,
                    0,
                    (
                        name,
                        number,
                        sexes.get(sex, sex),
                        school,
                        posts.get(post, post),
                        statuses.get(status, status),
                        mobile,
                    ),
                )
    book.close()
    return count - 1, path


def same_workbook(ours, baseline):
    import python_calamine

    rows, content = ours
    count, path = baseline
    mine = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    mine = mine.get_sheet_by_index(0).to_python()
    theirs = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    assert rows == count == len(mine) - 2 == len(theirs) - 2 > 0, (rows, count, len(mine), len(theirs))
    assert mine[1] == theirs[1], (mine[1], theirs[1])  # the header (row 0 is the stamp: who, when)
    for number, (a, b) in enumerate(zip(mine[2 : 2 + FIRST_ROWS], theirs[2 : 2 + FIRST_ROWS], strict=True)):
        assert a == b, (number, a, b)
