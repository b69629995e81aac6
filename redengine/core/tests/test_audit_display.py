"""The change records as people read them: Chinese field names and values, actors by name, the object
types by their Chinese names, imports under their job, and the audit administrator shown no personal value."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.core.audit_display import import_request_id, page_name
from redengine.core.context import Actor, acting
from redengine.core.models import AccessEvent
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import School
from redengine.orgs.services import SCHOOLS
from redengine.people.models import Person
from redengine.people.services import PEOPLE

pytestmark = pytest.mark.django_db


def other_choice(field, current):
    return next(key for key, _label in field.flatchoices if key and key != current)


def changed_person():
    """A person whose education, school and front-line flag are changed; (person, old school, new school)."""
    person = Person.objects.filter(political_status="masses").select_related("school").order_by("pk").first()
    old_school = person.school
    new_school = School.objects.filter(district=old_school.district).exclude(pk=old_school.pk).first()
    education = other_choice(Person._meta.get_field("education"), person.education)
    values = {"education": education, "school": new_school, "front_line": not person.front_line}
    (person,) = PEOPLE.save([Item(values, instance=person)], by=SYSTEM)
    return person, old_school, new_school


def trail_of(client, obj):
    content_type = ContentType.objects.get_for_model(obj)
    return client.get(reverse("audit_changes"), {"content_type": content_type.pk, "object_id": obj.pk})


def test_the_diff_names_fields_choices_and_related_records_in_chinese(client_for):
    person, old_school, new_school = changed_person()
    html = trail_of(client_for("inspector"), person).content.decode()
    education = dict(Person._meta.get_field("education").flatchoices)[person.education]
    for text in ("学历", "学校", "一线教师", education, old_school.name, new_school.name):
        assert text in html, text
    assert "<td>是</td>" in html
    assert "<td>否</td>" in html
    for raw in ("front_line", "education", f"<td>{new_school.pk}</td>", f"<td>{person.education}</td>"):
        assert raw not in html, raw
    # The record's own history panel says the same.
    from redengine.core.templatetags.history import history_url

    panel = client_for("city_admin").get(history_url(person)).content.decode()
    assert "学历" in panel
    assert education in panel
    assert new_school.name in panel
    assert "front_line" not in panel


def test_choice_labels_of_a_school(client_for):
    school = School.objects.get(code="4301040001")
    field = School._meta.get_field("urban_rural")
    new = other_choice(field, school.urban_rural)
    SCHOOLS.save([Item({"urban_rural": new}, instance=school)], by=SYSTEM)
    html = trail_of(client_for("city_admin"), school).content.decode()
    labels = dict(field.flatchoices)
    assert str(labels[new]) in html
    assert str(labels[school.urban_rural]) in html
    assert f"<td>{new}</td>" not in html


def test_the_object_type_filter_names_models_in_chinese_under_their_app(client_for):
    html = client_for("city_admin").get(reverse("audit_changes")).content.decode()
    school_type = ContentType.objects.get_for_model(School)
    assert f'<option value="{school_type.pk}">学校</option>' in html
    assert '<optgroup label="组织与学校">' in html
    assert "Orgs |" not in html


def test_the_actor_is_named_with_the_account(client_for, example_user):
    admin = example_user("yuelu_admin")
    assert admin.full_name
    school = School.objects.get(code="4301040001")
    with acting(Actor(label="web", user=admin)):
        SCHOOLS.save([Item({"name": "署名标记学校"}, instance=school)], by=admin)
    html = trail_of(client_for("city_admin"), school).content.decode()
    assert f"{admin.full_name}（yuelu_admin）" in html


def test_the_audit_administrator_sees_no_personal_value(client_for):
    person, old_school, new_school = changed_person()
    inspector_view = trail_of(client_for("inspector"), person).content.decode()
    assert person.name in inspector_view
    assert new_school.name in inspector_view
    html = trail_of(client_for("audit_admin"), person).content.decode()
    assert "（个人信息，已隐藏）" in html
    assert "学历" in html  # which field changed is shown, not its values
    assert person.name not in html
    assert person.id_number_masked not in html
    education = dict(Person._meta.get_field("education").flatchoices)[person.education]
    assert education not in html


def test_an_imports_rows_are_one_line_under_the_job(client_for):
    schools = list(School.objects.order_by("pk")[:3])
    with acting(Actor(label="web", request_id=import_request_id(987))):
        SCHOOLS.save([Item({"name": f"{s.name}（导入）"}, instance=s) for s in schools], by=SYSTEM)
    client = client_for("city_admin")
    html = client.get(reverse("audit_changes")).content.decode()
    assert reverse("imports:job_detail", args=[987]) in html
    assert "导入任务 #987" in html
    assert "3 条变更记录" in html
    assert "（导入）" not in html  # the rows themselves are listed on the job's own list
    listed = client.get(reverse("audit_changes"), {"job": 987}).content.decode()
    assert listed.count("（导入）") >= 3


def test_access_events_name_the_page(client_for):
    client = client_for("city_admin")
    client.get(reverse("people:person_list"), {"export": "xlsx"})
    event = AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT).latest("id")
    assert page_name(event.path) not in ("", event.path)
    html = client.get(reverse("audit_access"), {"kind": "export"}).content.decode()
    assert "people.person" not in html
    assert re.search(rf"<td[^>]*>{re.escape(str(page_name(event.path)))}</td>", html)


def queries_of(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("audit_changes"), params)
    assert response.status_code == 200
    return len(queries)


def test_the_list_reads_a_bounded_number_of_queries(client_for):
    people = list(Person.objects.filter(political_status="masses").order_by("pk")[:30])
    schools = list(School.objects.order_by("pk")[:30])
    person_type = ContentType.objects.get_for_model(Person)
    for person, school in zip(people, schools, strict=False):
        PEOPLE.save(
            [Item({"school": school, "front_line": not person.front_line}, instance=person)], by=SYSTEM
        )
    client = client_for("inspector")
    client.get(reverse("audit_changes"))  # warm whatever a first page caches (content types)
    few = queries_of(client, {"content_type": person_type.pk, "action": "update", "object_id": people[0].pk})
    many = queries_of(client, {"content_type": person_type.pk, "action": "update"})
    assert many == few
    assert many <= 25


def test_the_export_of_the_trail_reads_as_the_page(client_for):
    import io

    import openpyxl

    person, _old_school, _new_school = changed_person()
    content_type = ContentType.objects.get_for_model(person)
    response = client_for("inspector").get(
        reverse("audit_changes"), {"content_type": content_type.pk, "object_id": person.pk, "export": "xlsx"}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert any("学历" in c for c in cells)
    assert not any("front_line" in c for c in cells)


def test_a_related_record_outside_the_readers_scope_is_not_named(client_for):
    from redengine.core.templatetags.history import history_url

    person = (
        Person.objects.filter(political_status="masses", school__district="430102").order_by("pk").first()
    )
    furong_school = person.school
    yuelu_school = School.objects.get(code="4301040001")
    (person,) = PEOPLE.save([Item({"school": yuelu_school}, instance=person)], by=SYSTEM)
    panel = client_for("yuelu_admin").get(history_url(person)).content.decode()
    assert yuelu_school.name in panel
    assert furong_school.name not in panel
    assert "（无权查看或已删除的记录）" in panel
    assert furong_school.name in client_for("city_admin").get(history_url(person)).content.decode()
