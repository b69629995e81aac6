"""The bulk audit helpers the importer writes with: one record per object, in a few queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.context import command_actor
from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM, writing
from redengine.orgs.models import PartyOrganization, School

pytestmark = pytest.mark.django_db


def records_of(objs):
    return ObjectChange.objects.filter(
        content_type__model="school", object_id__in=[str(o.pk) for o in objs], action="update"
    ).order_by("id")


def test_bulk_update_records_before_and_after_from_the_loaded_rows():
    schools = list(School.objects.filter(district="430104").order_by("code"))
    remember(schools)
    schools[0].name = "改名一"
    schools[1].staff_headcount = 99
    with command_actor("test"), writing(SYSTEM), CaptureQueriesContext(connection) as queries:
        changed = bulk_update_audited(School, schools, ["name", "staff_headcount"])
    assert changed == schools[:2]  # the others changed nothing: no write, no record
    selects = [q["sql"] for q in queries if q["sql"].startswith('SELECT "orgs_school"')]
    assert selects == []  # the values before came from the loaded rows
    assert len(queries) <= 6
    first, second = records_of(schools[:2])
    assert (first.action, first.changed_fields, first.before["name"], first.after["name"]) == (
        "update",
        ["name"],
        "岳麓区麓山实验小学",
        "改名一",
    )
    assert second.changed_fields == ["staff_headcount"]
    assert second.after["staff_headcount"] == 99
    assert first.actor == "manage.py test"
    assert first.scope_path
    assert not records_of(schools[2:]).exists()
    assert School.objects.get(pk=schools[0].pk).name == "改名一"


def test_bulk_update_needs_the_values_before():
    school = School.objects.first()
    school.name = "x"
    with pytest.raises(ValueError, match="remember"):
        bulk_update_audited(School, [school], ["name"])


def test_bulk_create_with_known_scope_paths_asks_nothing_more():
    parent = PartyOrganization.objects.get(code="CS430104")
    orgs = [
        PartyOrganization(
            code=f"BULK-{n}",
            name=f"批量{n}",
            org_type="branch",
            depth=parent.depth + 1,
            path=PartyOrganization._get_path(parent.path, parent.depth + 1, 100 + n),
        )
        for n in range(30)
    ]
    with writing(SYSTEM), CaptureQueriesContext(connection) as queries:
        bulk_create_audited(PartyOrganization, orgs, scope_paths=[o.path for o in orgs])
    assert len(queries) <= 3  # the rows, the content type at most, the records
    records = ObjectChange.objects.filter(content_type__model="partyorganization", action="create").filter(
        object_id__in=[str(o.pk) for o in orgs]
    )
    assert records.count() == 30
    record = records.get(object_id=str(orgs[0].pk))
    assert record.after["code"] == "BULK-0"
    assert record.scope_path == orgs[0].path
    assert "code" in record.changed_fields
