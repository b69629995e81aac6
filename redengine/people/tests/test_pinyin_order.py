"""Names sort by pinyin, as a dictionary orders them, on every database: a key stored beside the name."""

import datetime

from django.urls import reverse

from redengine.core.services import Item
from redengine.core.text import pinyin_key
from redengine.core.validators import make_id_number
from redengine.orgs.models import PartyOrganization, School
from redengine.people import services
from redengine.people.models import Person

SCHOOL = "4301040001"  # a 岳麓区 school of the example tree


def test_the_key_orders_names_by_pinyin_then_tone():
    names = ["张三", "李四", "王五", "阿明"]
    assert sorted(names, key=pinyin_key) == ["阿明", "李四", "王五", "张三"]
    assert sorted(["马丽", "麦丽", "吗丽"], key=pinyin_key)[0] == "马丽"  # mǎ before mài
    assert pinyin_key("西安") != pinyin_key("先")
    assert pinyin_key("Anna 李") == "anna li3"
    assert pinyin_key("") == ""


def _add(names, by):
    school = School.objects.get(code=SCHOOL)
    items = [
        Item(
            {
                "name": name,
                "id_number": make_id_number("430104", datetime.date(1980, 1, 1 + i), 300 + i),
                "school": school,
                "post": "teacher",
            }
        )
        for i, name in enumerate(names)
    ]
    return services.save_people(items, by=by)  # (a refusal raises)


def test_people_written_in_bulk_and_renamed_carry_their_key(example_user):
    by = example_user("yuelu_admin")
    _add(["张三丰", "阿明明"], by)
    zhang = Person.objects.get(name="张三丰")
    assert zhang.name_key == "zhang1 san1 feng1"
    services.save_people([Item({"name": "李四海"}, instance=zhang)], by=by)
    zhang.refresh_from_db()
    assert zhang.name_key == "li3 si4 hai3"
    # the demo city, written with the bulk helpers, has every key
    assert not Person.objects.filter(name_key="").exists()
    assert not School.objects.filter(name_key="").exists()
    assert not PartyOrganization.objects.filter(name_key="").exists()


def test_the_key_never_enters_the_trail(example_user):
    by = example_user("yuelu_admin")
    _add(["钱多多"], by)
    person = Person.objects.get(name="钱多多")
    from redengine.core.models import ObjectChange

    change = ObjectChange.objects.filter(object_id=person.pk).latest("pk")
    assert "name" in change.after
    assert "name_key" not in change.after


def test_the_staff_list_sorted_by_name_follows_pinyin(client_for, example_user):
    _add(["张小一", "王小二", "阿小三", "李小四"], example_user("yuelu_admin"))
    client = client_for("yuelu_admin")
    html = client.get(reverse("people:person_list"), {"q": "小", "sort": "name_key"}).content.decode()
    order = [name for name in ("阿小三", "李小四", "王小二", "张小一") if name in html]
    assert len(order) == 4
    positions = [html.index(name) for name in order]
    assert positions == sorted(positions)
    html = client.get(reverse("people:person_list"), {"q": "小", "sort": "-name_key"}).content.decode()
    assert html.index("张小一") < html.index("阿小三")


def test_the_migration_fills_the_keys_of_rows_already_there(db):
    from django.apps import apps

    from redengine.core.fields import fill_sort_keys

    Person.objects.update(name_key="")
    School.objects.update(name_key="")
    fill_sort_keys("people.Person", "orgs.School")(apps, None)
    assert not Person.objects.filter(name_key="").exists()
    for person in Person.objects.all():
        assert person.name_key == pinyin_key(person.name)
    assert School.objects.get(code=SCHOOL).name_key == pinyin_key(School.objects.get(code=SCHOOL).name)
