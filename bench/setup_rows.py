"""Set-up of the development benchmark: 100,000 open cases written straight into a throwaway database.

A benchmark's set-up, not the application: the rows are inserted without the write path (no checks, no
change records; primary keys numbered here, one writer) so that building a large database takes seconds.
The application never writes this way: its writes go through the services.
"""

from django.core.management.color import no_style
from django.db import connections, router
from django.db.models import Max
from django.utils import timezone

from redengine.development import engine
from redengine.development.models import CaseContact, ContactRole, DevelopmentCase, DevelopmentEvent
from redengine.development.services import apply_plan

ROLES = {"S05": ("contacts", ContactRole.CONTACT), "S09": ("introducers", ContactRole.INTRODUCER)}


def insert(model, rows, batch_size=2000):
    """Insert ``rows`` of ``model`` (dicts of field attnames and values; a field left out takes its default),
    numbering the primary keys after the table's largest; one ``executemany`` per batch (SQLite) or one
    ``COPY`` (PostgreSQL). Returns the primary keys, in order."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = meta.concrete_fields
    first = (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    pks = list(range(first, first + len(rows)))
    now = timezone.now()
    defaults = {}
    for f in fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default() if (f.has_default() or not f.null) else None
    values = [
        [f.get_db_prep_save(row[f.attname], connection) for f in fields]
        for row in ({**defaults, **row, meta.pk.attname: pk} for row, pk in zip(rows, pks, strict=True))
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            with raw.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
        else:
            sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model, quoted)
                quote(meta.db_table), columns, ", ".join(["%s"] * len(fields))
            )
            for start in range(0, len(values), batch_size):
                cursor.executemany(sql, values[start : start + batch_size])
    return pks


def row_of(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


def resolve(data):
    return {
        key: sorted(p.person.pk for p in value) if key in ("contacts", "introducers") else value
        for key, value in data.items()
    }


def write(plans):
    """The cases of ``plans`` (the demo's ``CasePlan``s), their steps and contacts; each case's derived fields
    from ``engine.plan``, as the services would leave them."""
    plans = [p for p in plans if p.steps]
    cases = []
    for plan in plans:
        done = [engine.Done(code, date, data) for code, date, data in plan.steps]
        case = DevelopmentCase(person=plan.person.person, organization=plan.organization)
        cases.append(apply_plan(case, engine.plan(done), done))
    pks = insert(DevelopmentCase, [row_of(c) for c in cases])
    events, contacts = [], []
    for plan, pk in zip(plans, pks, strict=True):
        for code, date, data in plan.steps:
            stored = resolve(data)
            serial = stored.get("form_serial")
            events.append({"case_id": pk, "step": code, "date": date, "data": stored, "form_serial": serial})
            if code in ROLES:
                key, role = ROLES[code]
                contacts += [
                    {"case_id": pk, "person_id": p.person.pk, "role": role, "assigned_on": date}
                    for p in data[key]
                ]
    insert(DevelopmentEvent, events)
    insert(CaseContact, contacts)
    return {"development cases": len(cases), "development steps": len(events), "contacts": len(contacts)}
