"""Finding 6 of the penetration test: the import check is no oracle. A row naming a person the importer may not
reveal answers the same whether its mobile is the recorded one or not, and a record outside the importer's
scope (a person, a school, an organization) is answered as one that does not exist, naming nothing of it."""

import datetime

import pytest

from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import RefusedError
from redengine.orgs.models import School
from redengine.people import services
from redengine.people.models import Person

from .generated import write_xlsx
from .importing import changed, run, small_sheets

pytestmark = pytest.mark.django_db
NOWHERE_ID = make_id_number("430104", datetime.date(1979, 4, 4), 37)  # recorded nowhere
FURONG_SCHOOL, NO_SCHOOL = "4301020001", "4301049999"


def answer(sheets, tmp_path, user="yuelu_admin", name="import.xlsx"):
    """(exit status, what the command printed, what it complained of)."""
    path = tmp_path / name
    path.write_bytes(write_xlsx(sheets))
    return run(path, "--user", user)


def reasons(err):
    """The problem lines without the value shown (which is the one typed): (where, reason)."""
    found = []
    for line in err.splitlines():
        if " —— " in line:
            where, reason = line.split(" —— ", 1)
            found.append((where.split("：")[0], reason))
    return found


def person_row(person, mobile):
    return {
        "人员": [
            ["姓名", "公民身份号码", "手机号码", "学校代码", "政治面貌"],
            [
                person.name,
                person.reveal_id_number(),
                mobile,
                person.school.code,
                person.get_political_status_display(),
            ],
        ]
    }


def test_the_true_and_a_wrong_mobile_answer_the_same(tmp_path):
    """The attack: the same upload twice, with the recorded mobile and with another (same visible digits), as
    yuelu_admin, who may change but not reveal 梅溪湖张老师. Before: "unchanged" against "changed"."""
    person = Person.objects.get(name="梅溪湖张老师")
    true = person.reveal_mobile()
    wrong = true[:3] + ("0000" if true[3:7] != "0000" else "1111") + true[-4:]
    first = answer(person_row(person, true), tmp_path, name="a.xlsx")
    second = answer(person_row(person, wrong), tmp_path, name="b.xlsx")
    assert first == second
    assert first[0] == 1
    assert "人员 第 2 行「手机号码」" in first[2]
    assert "不能核对该人员的手机号：您无权查看此人的完整信息。" in first[2]
    assert true not in first[2]
    # One who may reveal the person compares as before: unchanged with the recorded mobile.
    status, out, err = answer(person_row(person, true), tmp_path, user="city_admin", name="c.xlsx")
    assert "手机号码" not in err
    assert "人员\t0\t0\t1" in out


def test_a_title_of_a_person_outside_the_scope_answers_as_for_no_person(tmp_path):
    furong = Person.objects.get(name="芙蓉周老师")
    sheets = {
        "称号": [
            small_sheets()["称号"][0],
            [furong.reveal_id_number(), "卓越教师", None, datetime.date(2020, 1, 1), None],
        ]
    }
    outside = answer(sheets, tmp_path, name="a.xlsx")
    sheets["称号"][1][0] = NOWHERE_ID
    nowhere = answer(sheets, tmp_path, name="b.xlsx")
    assert reasons(outside[2]) == reasons(nowhere[2])
    assert reasons(outside[2]) == [
        ("称号 第 2 行「公民身份号码」", "没有该公民身份号码的人员：既不在“人员”工作表中，也未在系统中登记。")
    ]
    assert outside[1] == nowhere[1]


def test_a_school_or_organization_outside_the_scope_answers_as_for_none(tmp_path):
    """The 人员 sheet naming a school or a membership's organization, the 党组织 sheet naming a parent or a
    school: outside the scope, word for word as for one not recorded."""
    cases = [
        ("人员", 3, "学校代码", FURONG_SCHOOL, NO_SCHOOL),
        ("人员", 2, "党组织代码", "CS430102-01", "CS430104-99"),
        ("党组织", 2, "上级党组织代码", "CS430102", "CS439999"),
        ("党组织", 2, "所在学校代码", FURONG_SCHOOL, NO_SCHOOL),
    ]
    assert School.objects.filter(code=FURONG_SCHOOL).exists()
    assert not School.objects.filter(code=NO_SCHOOL).exists()
    for index, (sheet, row, header, outside, missing) in enumerate(cases):
        first = answer(changed(small_sheets(), sheet, row, header, outside), tmp_path, name=f"{index}a.xlsx")
        second = answer(changed(small_sheets(), sheet, row, header, missing), tmp_path, name=f"{index}b.xlsx")
        assert first[0] == 1, (sheet, header)
        typed = reasons(first[2].replace(outside, "<typed>")), reasons(second[2].replace(missing, "<typed>"))
        assert typed[0] == typed[1], (sheet, header)  # the same words, but for the code typed
        assert f"{sheet} 第 {row} 行「{header}」" in first[2]
        assert first[1] == second[1]


def test_a_person_registered_outside_the_scope_is_refused_naming_nothing(tmp_path, example_user):
    """The one answer that must differ from a number recorded nowhere: the number is taken. It is the same
    whoever and wherever the other record is, and names nothing of it (form, API and import alike)."""
    furong = Person.objects.get(name="芙蓉周老师")
    zhang = Person.objects.get(name="梅溪湖张老师")
    school = School.objects.get(code="4301040002")
    messages = []
    for other in (furong, zhang):
        item = Item({"name": "新来的老师", "id_number": other.reveal_id_number(), "school": school})
        with pytest.raises(RefusedError) as refused:
            services.PEOPLE.save([item], by=example_user("yuelu_admin"))
        messages.append(refused.value.messages)
    assert messages[0] == messages[1]
    expected = "该身份证号不能在本单位登记；如此人从其他单位调入，请联系上级管理员办理调动。"
    assert messages[0] == [expected]
    for text in (
        furong.name,
        furong.school.name,
        furong.school.get_district_display(),
        furong.birth_date.isoformat(),
    ):
        assert text not in expected
    # In the 人员 sheet: the same words, at the ID number.
    sheets = changed(small_sheets(), "人员", 3, "公民身份号码", furong.reveal_id_number())
    _status, _out, err = answer(sheets, tmp_path)
    assert ("人员 第 3 行「公民身份号码」", expected) in reasons(err)
    assert furong.name not in err


def test_a_member_typed_as_masses_is_refused_naming_no_organization(tmp_path):
    """A member's row typed 群众 is refused without naming the organization of the membership, which may lie
    outside the importer's scope."""
    person = Person.objects.filter(name="梅溪湖张老师").get()
    membership = person.memberships.get(ended_on__isnull=True)
    row = person_row(person, "")
    row["人员"][1][-1] = "群众"
    status, _out, err = answer(row, tmp_path, user="city_admin")
    assert status == 1
    assert "该人员已登记为党员。终止党籍须在人员页面填写日期办理，不能在此修改。" in err
    assert membership.organization.code not in err
    assert membership.organization.name not in err
