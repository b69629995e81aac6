"""Importing the workbook of import-templates.md: valid files import exactly and re-import as no change;
every bad input is refused with a located Chinese error and leaves the database as it was."""

import datetime
import io
import os
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from redengine.core.models import ObjectChange
from redengine.core.validators import make_id_number
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Honor, Membership, Person

from .generated import generated_workbook
from .importing import (
    BRANCH,
    MEMBER_ID,
    OTHER_ID,
    SCHOOL,
    changed,
    db_counts,
    refused,
    run,
    small_sheets,
    workbook,
)

pytestmark = pytest.mark.django_db


# Valid files --------------------------------------------------------------------------------------
def test_small_workbook_imports_exactly(tmp_path):
    before = db_counts()
    status, out, err = run(workbook(tmp_path=tmp_path))
    assert status == 0, err
    assert "导入完成" in out
    after = db_counts()
    assert {k: after[k] - before[k] for k in after} == {
        "School": 1,
        "PartyOrganization": 1,
        "Person": 2,
        "Membership": 1,
        "Honor": 1,
        "ObjectChange": 1 + 1 + 1 + 2 + 1 + 1,  # the branch's coverage is its own record
    }
    school = School.objects.get(code=SCHOOL)
    assert (school.district, school.ownership, school.school_type, school.urban_rural) == (
        "430104",
        "public",
        "primary",
        "urban",
    )
    assert school.staff_headcount == 40
    assert not school.city_managed
    branch = PartyOrganization.objects.get(code=BRANCH)
    parent = PartyOrganization.objects.get(code="CS430104")
    assert branch.path.startswith(parent.path)
    assert branch.depth == parent.depth + 1
    assert list(branch.schools.all()) == [school]
    assert branch.election_due_on == datetime.date(2018, 9, 1)  # founded 2015, a branch's term is 3 years
    assert PartyOrganization.objects.find_problems() == ([], [], [], [], [])
    member = Person.objects.with_id_number(MEMBER_ID).get()
    assert member.reveal_id_number() == MEMBER_ID
    assert member.id_number_masked.startswith("4301")
    assert member.reveal_mobile() == "13900001111"
    assert (member.sex, member.birth_date, member.ethnic_group, member.education) == (
        "male",
        datetime.date(1985, 3, 1),
        "01",
        "bachelor",
    )
    assert member.political_status == "member"
    assert member.front_line
    assert member.post == "teacher"
    membership = member.memberships.current().get()
    assert (membership.organization, membership.admitted_on, membership.full_on) == (
        branch,
        datetime.date(2010, 7, 1),
        datetime.date(2011, 7, 1),
    )
    other = Person.objects.with_id_number(OTHER_ID).get()
    assert other.political_status == "masses"
    assert other.sex == "female"
    assert other.mobile_cipher == ""
    honor = Honor.objects.get(person=member)
    assert (honor.title, honor.level, honor.awarded_on) == (
        "backbone_teacher",
        "city",
        datetime.date(2019, 9, 10),
    )
    records = ObjectChange.objects.filter(actor="manage.py import_workbook")
    assert records.count() == after["ObjectChange"] - before["ObjectChange"]
    person_record = records.get(content_type__model="person", object_id=str(member.pk))
    assert person_record.action == "create"
    assert person_record.username == ""
    assert "id_number_cipher" not in person_record.after
    assert MEMBER_ID not in str(person_record.after)
    assert person_record.scope_path == branch.path  # the school is covered by the new branch


def test_reimporting_the_same_file_writes_nothing_and_says_so(tmp_path):
    path = workbook(tmp_path=tmp_path)
    assert run(path)[0] == 0
    before = db_counts()
    status, out, _err = run(path)
    assert status == 0
    assert "无需写入" in out
    assert db_counts() == before


def test_a_changed_row_is_an_update_with_before_and_after(tmp_path):
    assert run(workbook(tmp_path=tmp_path))[0] == 0
    sheets = changed(small_sheets(), "人员", 3, "学历", "博士研究生")
    sheets = changed(sheets, "学校", 2, "教职工数", 41)
    status, out, err = run(workbook(sheets, tmp_path, "second.xlsx"))
    assert status == 0, err
    assert "学校\t0\t1\t0" in out
    assert "人员\t0\t1\t1" in out
    other = Person.objects.with_id_number(OTHER_ID).get()
    assert other.education == "doctorate"
    record = ObjectChange.objects.filter(content_type__model="person", object_id=str(other.pk)).latest("id")
    assert record.action == "update"
    assert record.changed_fields == ["education"]
    assert record.before["education"] == "master"
    assert record.after["education"] == "doctorate"
    school = ObjectChange.objects.filter(content_type__model="school").latest("id")
    assert school.before["staff_headcount"] == 40
    assert school.after["staff_headcount"] == 41


def test_probationary_then_full_member_follows_the_membership(tmp_path):
    admitted = timezone.localdate() - datetime.timedelta(days=100)
    sheets = changed(small_sheets(), "人员", 2, "政治面貌", "中共预备党员")
    sheets = changed(sheets, "人员", 2, "入党日期", admitted)
    sheets = changed(sheets, "人员", 2, "转正日期", None)
    assert run(workbook(sheets, tmp_path))[0] == 0
    member = Person.objects.with_id_number(MEMBER_ID).get()
    assert member.political_status == "probationary"
    assert member.memberships.current().get().full_on is None
    # A year and a bit later the same person is confirmed: the membership changes, the status follows.
    sheets = changed(small_sheets(), "人员", 2, "入党日期", datetime.date(2010, 7, 1))
    assert run(workbook(sheets, tmp_path, "full.xlsx"))[0] == 0
    member.refresh_from_db()
    assert member.political_status == "member"
    assert member.memberships.current().get().full_on == datetime.date(2011, 7, 1)


def test_text_dates_in_the_usual_forms_are_read(tmp_path):
    sheets = changed(small_sheets(), "人员", 2, "入党日期", "2010/7/1")
    sheets = changed(sheets, "人员", 2, "转正日期", "2011年7月1日")
    sheets = changed(sheets, "称号", 2, "认定日期", "2019-09-10")
    assert run(workbook(sheets, tmp_path))[0] == 0
    membership = Person.objects.with_id_number(MEMBER_ID).get().memberships.get()
    assert (membership.admitted_on, membership.full_on) == (
        datetime.date(2010, 7, 1),
        datetime.date(2011, 7, 1),
    )


def test_rows_refer_across_sheets_and_to_recorded_records(tmp_path):
    """A person of a recorded school and organization; a title of a recorded person; a parent later on."""
    sheets = small_sheets()
    sheets["党组织"] += [
        ["T-CHILD", "后面才出现上级的支部", "党支部", "T-PARENT", None, None, None],
        ["T-PARENT", "后出现的上级党委", "党委", BRANCH, None, None, None],
    ]
    number = make_id_number("430104", datetime.date(1988, 3, 3), 3)
    recorded = ["导入王老师", number, "男", None, None, None, None, "4301040002"]
    recorded += [
        "专任教师",
        "是",
        "中共党员",
        datetime.date(2012, 1, 1),
        datetime.date(2013, 1, 1),
        "CS430104-02-01",
    ]
    sheets["人员"].append(recorded)
    demo = Person.objects.get(name="梅溪湖张老师")
    sheets["称号"].append([demo.reveal_id_number(), "卓越教师", "区县级", datetime.date(2020, 1, 1), None])
    assert run(workbook(sheets, tmp_path))[0] == 0
    parent = PartyOrganization.objects.get(code="T-PARENT")
    child = PartyOrganization.objects.get(code="T-CHILD")
    assert PartyOrganization.objects.get_parent(child) == parent
    assert PartyOrganization.objects.get_parent(parent).code == BRANCH
    assert PartyOrganization.objects.find_problems() == ([], [], [], [], [])
    person = Person.objects.with_id_number(recorded[1]).get()
    assert person.school.code == "4301040002"
    assert person.memberships.get().organization.code == "CS430104-02-01"
    assert demo.honors.filter(title="excellent_teacher").exists()


def test_a_new_organization_goes_after_its_siblings_and_moves_none_of_them(tmp_path):
    """A new organization is appended as its parent's last child, whatever its code: no recorded
    organization's path changes (a change the trail would not see), and the tree stays sound."""
    sheets = small_sheets()
    sheets["党组织"] += [
        ["CS430104-00", "排在前面的新支部", "党支部", "CS430104", None, None, None],
        ["CS430104-00-01", "它的下级支部", "党支部", "CS430104-00", None, None, None],
    ]
    parent = PartyOrganization.objects.get(code="CS430104")
    paths = dict(PartyOrganization.objects.values_list("code", "path"))
    assert run(workbook(sheets, tmp_path))[0] == 0
    assert PartyOrganization.objects.find_problems() == ([], [], [], [], [])
    after = dict(PartyOrganization.objects.values_list("code", "path"))
    assert {code: after[code] for code in paths} == paths
    children = list(PartyOrganization.objects.get_children(parent).values_list("code", flat=True))
    assert children[-1] == "CS430104-00"
    assert PartyOrganization.objects.get(code="CS430104-00-01").depth == parent.depth + 2
    assert (
        ObjectChange.objects.filter(content_type__model="partyorganization", action="create")
        .filter(object_id=str(PartyOrganization.objects.get(code="CS430104-00").pk))
        .exists()
    )


def test_a_generated_workbook_imports_and_reimports_as_no_change(tmp_path):
    path = tmp_path / "generated.xlsx"
    generated_workbook(120, seed=11, path=str(path))
    before = db_counts()
    status, out, err = run(path)
    assert status == 0, err
    assert db_counts()["Person"] == before["Person"] + 120
    assert PartyOrganization.objects.find_problems() == ([], [], [], [], [])
    members = Person.objects.filter(political_status__in=["member", "probationary"], name__regex=r"^.{3}$")
    assert Membership.objects.filter(person__in=members, ended_on__isnull=True).count() == members.count()
    after = db_counts()
    status, out, _err = run(path)
    assert status == 0
    assert "无需写入" in out
    assert db_counts() == after


# Bad rows: each refused with its place named, nothing written ---------------------------------------
BAD_ROWS = [
    pytest.param(
        "人员",
        2,
        "公民身份号码",
        MEMBER_ID[:-1] + ("0" if MEMBER_ID[-1] != "0" else "1"),
        "校验码错误",
        id="check-digit",
    ),
    pytest.param("人员", 2, "性别", "女", "性别与公民身份号码不符", id="sex"),
    pytest.param(
        "人员", 2, "出生日期", datetime.date(1985, 3, 2), "出生日期与公民身份号码不符", id="birth-date"
    ),
    pytest.param("人员", 2, "入党日期", datetime.date(2002, 1, 1), "年满 18 周岁方可入党", id="under-18"),
    pytest.param(
        "人员", 2, "转正日期", datetime.date(2010, 12, 1), "预备期满之日：2011-07-01", id="full-too-soon"
    ),
    pytest.param("人员", 2, "转正日期", datetime.date(2013, 1, 1), "2012-07-01 之一", id="full-too-late"),
    # PROB.LENGTH / PROB.EXTEND — 党章第七条; 细则第三十二条: not any date between one and two years.
    pytest.param(
        "人员", 2, "转正日期", datetime.date(2012, 3, 15), "2012-01-01、2012-02-01", id="full-between"
    ),
    pytest.param("人员", 3, "公民身份号码", MEMBER_ID, "与第 2 行重复", id="duplicate-id"),
    pytest.param("人员", 3, "学校代码", "4301049999", "没有该代码的学校", id="unknown-school"),
    pytest.param("人员", 2, "党组织代码", "NO-SUCH-ORG", "没有该代码的党组织", id="unknown-organization"),
    pytest.param("人员", 2, "入党日期", None, "中共党员和中共预备党员必填", id="admitted-missing"),
    pytest.param("人员", 2, "党组织代码", None, "中共党员和中共预备党员必填", id="organization-missing"),
    pytest.param(
        "人员",
        3,
        "入党日期",
        datetime.date(2015, 1, 1),
        "仅限中共党员和中共预备党员",
        id="admitted-for-non-member",
    ),
    pytest.param("人员", 2, "入党日期", "2010年13月1日", "该日期不存在", id="impossible-text-date"),
    pytest.param("人员", 2, "入党日期", "去年七月", "不是日期", id="text-in-a-date-column"),
    pytest.param("人员", 2, "手机号码", "1390000111", "手机号码", id="mobile"),
    pytest.param("人员", 2, "政治面貌", "党员同志", "不是可选的值", id="unknown-choice"),
    pytest.param("学校", 2, "所在区县", "火星区", "不是可选的值", id="unknown-district"),
    pytest.param("学校", 2, "学校代码", "43010459", "学校代码应为 10 位数字", id="school-code"),
    pytest.param(
        "党组织", 2, "成立日期", datetime.date(2090, 1, 1), "成立日期不能晚于今天", id="founded-in-future"
    ),
    pytest.param(
        "党组织",
        2,
        "换届日期",
        datetime.date(2010, 1, 1),
        "上次换届日期不能早于成立日期",
        id="election-before-founding",
    ),
    pytest.param(
        "党组织", 2, "上级党组织代码", "NO-SUCH-PARENT", "没有该代码的上级党组织", id="unknown-parent"
    ),
    pytest.param(
        "党组织", 2, "所在学校代码", "4301049998", "既不在“学校”工作表中", id="unknown-covered-school"
    ),
    pytest.param(
        "称号",
        2,
        "截止日期",
        datetime.date(2019, 9, 10),
        "截止日期必须晚于认定日期",
        id="lapse-not-after-award",
    ),
]


@pytest.mark.parametrize(("sheet", "row", "header", "value", "reason"), BAD_ROWS)
def test_bad_rows_are_refused_with_their_place(tmp_path, sheet, row, header, value, reason):
    path = workbook(changed(small_sheets(), sheet, row, header, value), tmp_path)
    err = refused(path)
    place = f"{sheet} 第 {row} 行「{header}」"
    lines = [line for line in err.splitlines() if line.startswith(place)]
    assert lines, err
    assert any(reason in line for line in lines), err
    assert "未写入任何数据" in err


def test_unknown_title_person_is_refused(tmp_path):
    sheets = small_sheets()
    stranger = make_id_number("430104", datetime.date(1970, 1, 1), 5)
    sheets["称号"].append([stranger, "骨干教师", None, datetime.date(2020, 1, 1), None])
    err = refused(workbook(sheets, tmp_path))
    assert "称号 第 3 行「公民身份号码」" in err
    assert "没有该公民身份号码的人员" in err


def test_a_parent_cycle_is_refused_on_each_of_its_rows(tmp_path):
    sheets = small_sheets()
    sheets["党组织"] += [
        ["T-A", "甲支部", "党支部", "T-B", None, None, None],
        ["T-B", "乙支部", "党支部", "T-C", None, None, None],
        ["T-C", "丙支部", "党支部", "T-A", None, None, None],
        ["T-SELF", "自己的上级", "党支部", "T-SELF", None, None, None],
    ]
    err = refused(workbook(sheets, tmp_path))
    for row in (3, 4, 5, 6):
        assert f"党组织 第 {row} 行「上级党组织代码」" in err
    assert "上级党组织形成循环" in err
    assert "T-A → T-B → T-C → T-A" in err


def test_moving_an_organization_is_not_an_import(tmp_path):
    sheets = small_sheets()
    sheets["党组织"].append(
        ["CS430104-01", "中共岳麓区麓山实验小学支部委员会", "党支部", "CS430102", None, None, None]
    )
    err = refused(workbook(sheets, tmp_path))
    assert "党组织 第 3 行「上级党组织代码」" in err
    assert "调整隶属关系" in err


def test_ending_a_membership_is_not_an_import(tmp_path):
    assert run(workbook(tmp_path=tmp_path))[0] == 0
    sheets = changed(small_sheets(), "人员", 2, "政治面貌", "群众")
    for header in ("入党日期", "转正日期", "党组织代码"):
        sheets = changed(sheets, "人员", 2, header, None)
    err = refused(workbook(sheets, tmp_path, "second.xlsx"))
    assert "人员 第 2 行「政治面貌」" in err


def test_every_error_of_the_file_is_reported_at_once(tmp_path):
    sheets = changed(small_sheets(), "人员", 2, "性别", "女")
    sheets = changed(sheets, "人员", 3, "学校代码", "4301049999")
    sheets = changed(sheets, "学校", 2, "城乡类别", "海岛")
    err = refused(workbook(sheets, tmp_path))
    assert "学校 第 2 行「城乡类别」" in err
    assert "人员 第 2 行「性别」" in err
    assert "人员 第 3 行「学校代码」" in err


# Bad files ----------------------------------------------------------------------------------------
def test_an_id_number_stored_as_a_number_is_refused(tmp_path):
    path = workbook(changed(small_sheets(), "人员", 3, "公民身份号码", int(OTHER_ID[:17] + "0")), tmp_path)
    err = refused(path)
    assert "人员 第 3 行「公民身份号码」" in err
    assert "Excel 已丢失" in err


def test_a_formula_cell_is_refused(tmp_path):
    path = workbook(tmp_path=tmp_path)
    book = openpyxl.load_workbook(path)
    book["学校"]["H2"] = "=20+20"
    book.save(path)
    err = refused(path)
    assert "学校 第 2 行「教职工数」" in err
    assert "公式" in err


def test_a_missing_column_header_is_refused(tmp_path):
    sheets = small_sheets()
    sheets["人员"] = [row[:1] + row[2:] for row in sheets["人员"]]  # no 公民身份号码 column
    sheets["称号"] = sheets["称号"][:1]
    err = refused(workbook(sheets, tmp_path))
    assert "人员 第 1 行「公民身份号码」" in err
    assert "缺少此必填列" in err


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"", "文件为空", id="empty"),
        pytest.param(
            "学校代码,学校名称\r\n4301045901,某小学\r\n".encode("gb18030"), "文本文件", id="csv-renamed"
        ),
        pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 8, "不是 Excel 工作簿", id="pdf-renamed"),
        pytest.param(None, "已损坏或不完整", id="truncated"),
        pytest.param("zip", "不是 Excel 工作簿", id="plain-zip"),
        pytest.param("big", "文件超过 20 MB", id="50-MB"),
    ],
)
def test_files_that_are_no_workbook_are_refused(tmp_path, content, reason):
    path = tmp_path / "upload.xlsx"
    if content is None:
        whole = workbook()
        content = whole[: len(whole) // 2]
    elif content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "not a workbook")
        content = path.read_bytes()
    elif content == "big":
        content = b"PK\x03\x04" + os.urandom(50 * 1024 * 1024)
    path.write_bytes(content)
    err = refused(path)
    assert reason in err


def test_a_workbook_without_any_of_the_sheets_is_refused(tmp_path):
    err = refused(workbook({"Sheet1": [["名称"], ["某某"]]}, tmp_path))
    assert "学校、党组织、人员、党组织委员、称号" in err


# The command --------------------------------------------------------------------------------------
def test_the_command_exits_non_zero_and_prints_every_error(tmp_path, capfd):
    path = workbook(changed(small_sheets(), "人员", 2, "性别", "女"), tmp_path)
    status, out, err = run(path)
    assert status == 1
    assert "人员 第 2 行「性别」：女 —— 性别与公民身份号码不符。" in err
    assert "未通过校验" in err


def test_the_command_names_itself_or_the_user_in_the_audit_trail(tmp_path):
    assert run(workbook(tmp_path=tmp_path), "--user", "yuelu_admin")[0] == 0
    school = School.objects.get(code=SCHOOL)
    record = ObjectChange.objects.get(content_type__model="school", object_id=str(school.pk))
    assert record.actor == "manage.py import_workbook"
    assert record.username == "yuelu_admin"


def test_the_command_masks_id_numbers_in_its_problem_lines(tmp_path):
    wrong = MEMBER_ID[:-1] + ("0" if MEMBER_ID[-1] != "0" else "1")  # a wrong check character
    path = workbook(changed(small_sheets(), "人员", 2, "公民身份号码", wrong), tmp_path)
    status, _out, err = run(path, "--user", "yuelu_admin")
    assert status == 1
    assert wrong not in err
    assert wrong[:4] + "*" * 12 + wrong[-2:] in err
    status, _out, err = run(path, "--user", "city_admin")  # may reveal, yet the stored lines are masked
    assert status == 1
    assert wrong not in err


def test_dry_run_writes_nothing(tmp_path):
    before = db_counts()
    status, out, _err = run(workbook(tmp_path=tmp_path), "--dry-run")
    assert status == 0
    assert "试运行" in out
    assert "人员\t2\t0\t0" in out
    assert db_counts() == before


def test_the_command_refuses_unknown_users_and_files(tmp_path):
    assert run(workbook(tmp_path=tmp_path), "--user", "nobody")[0] == 1
    assert run(tmp_path / "missing.xlsx")[0] == 1
    assert run(workbook(tmp_path=tmp_path), "--user", "audit_admin")[0] == 1  # may not import


def test_a_progress_bar_goes_to_stderr(tmp_path):
    err = io.StringIO()
    call_command("import_workbook", str(workbook(tmp_path=tmp_path)), stdout=io.StringIO(), stderr=err)
    assert "已校验 [##############################] 5/5" in err.getvalue()


# Scope --------------------------------------------------------------------------------------------
def test_an_import_writes_only_inside_the_users_scope(tmp_path):
    """yuelu_admin may not touch a Furong school: the row is named, nothing is written."""
    sheets = small_sheets()
    sheets["学校"].append(
        ["4301020001", "芙蓉区朝阳路小学（改名）", "芙蓉区", "公办", "小学", "城区", "否", None]
    )
    sheets["学校"].append(["4301025901", "芙蓉区新学校", "芙蓉区", "公办", "小学", "城区", "否", None])
    err = refused(workbook(sheets, tmp_path), "--user", "yuelu_admin")
    assert "学校 第 3 行「学校代码」：4301020001 —— 该记录不在您的权限范围内" in err
    assert "学校 第 4 行「所在区县」" in err
    assert "学校 第 2 行" not in err  # the Yuelu school is fine
    assert School.objects.get(code="4301020001").name == "芙蓉区朝阳路小学"


def test_scope_of_people_titles_and_memberships(tmp_path):
    furong = Person.objects.get(name="芙蓉周老师")
    sheets = small_sheets()
    row = [
        furong.name,
        furong.reveal_id_number(),
        None,
        None,
        None,
        None,
        None,
        "4301020001",
        "专任教师",
        "是",
    ]
    sheets["人员"].append(row + ["群众", None, None, None])
    sheets["称号"].append([furong.reveal_id_number(), "卓越教师", None, datetime.date(2020, 1, 1), None])
    sheets = changed(sheets, "人员", 2, "党组织代码", "CS430102-01")  # a Furong branch
    err = refused(workbook(sheets, tmp_path), "--user", "yuelu_admin")
    assert "人员 第 4 行「公民身份号码」" in err
    assert "称号 第 3 行" not in err  # its 人员 row says it (as for any 人员 row refused)
    assert "人员 第 2 行「党组织代码」" in err


def test_the_whole_tree_without_user(tmp_path):
    sheets = small_sheets()
    sheets["学校"].append(["4301025901", "芙蓉区新学校", "芙蓉区", "公办", "小学", "城区", "否", None])
    assert run(workbook(sheets, tmp_path))[0] == 0
    assert School.objects.filter(code="4301025901").exists()


def test_a_masked_id_number_is_refused_with_its_reason(tmp_path):
    sheets = changed(small_sheets(), "称号", 2, "公民身份号码", MEMBER_ID[:4] + "*" * 10 + MEMBER_ID[-4:])
    err = refused(workbook(sheets, tmp_path))
    assert "称号 第 2 行「公民身份号码」" in err
    assert "已脱敏" in err


# Changes of recorded records ----------------------------------------------------------------------
def test_renaming_and_covering_other_schools_are_recorded(tmp_path):
    assert run(workbook(tmp_path=tmp_path))[0] == 0
    sheets = changed(small_sheets(), "党组织", 2, "党组织名称", "岳麓区导入测试小学联合党支部")
    sheets = changed(sheets, "党组织", 2, "组织类别", "联合党支部")
    sheets = changed(sheets, "党组织", 2, "所在学校代码", f"{SCHOOL}；4301040003")
    status, out, err = run(workbook(sheets, tmp_path, "second.xlsx"))
    assert status == 0, err
    assert "党组织\t0\t1\t0" in out
    branch = PartyOrganization.objects.get(code=BRANCH)
    assert branch.name == "岳麓区导入测试小学联合党支部"
    assert branch.org_type == "joint_branch"
    assert sorted(branch.schools.values_list("code", flat=True)) == ["4301040003", SCHOOL]
    records = ObjectChange.objects.filter(content_type__model="partyorganization", object_id=str(branch.pk))
    update = records.filter(action="update").exclude(changed_fields=["schools"]).latest("id")
    assert set(update.changed_fields) == {"name", "org_type"}
    assert update.before["org_type"] == "branch"
    coverage = records.filter(changed_fields=["schools"]).latest("id")
    school_pks = sorted(School.objects.filter(code__in=[SCHOOL, "4301040003"]).values_list("pk", flat=True))
    assert coverage.after == {"schools": school_pks}
    assert coverage.before == {"schools": [School.objects.get(code=SCHOOL).pk]}


def test_a_membership_moves_to_another_organization(tmp_path):
    assert run(workbook(tmp_path=tmp_path))[0] == 0
    sheets = changed(small_sheets(), "人员", 2, "党组织代码", "CS430104-01")
    sheets = changed(sheets, "称号", 2, "级别", "区县级")
    status, out, err = run(workbook(sheets, tmp_path, "second.xlsx"))
    assert status == 0, err
    assert "人员\t0\t1\t1" in out
    assert "称号\t0\t1\t0" in out
    member = Person.objects.with_id_number(MEMBER_ID).get()
    membership = member.memberships.get()
    assert membership.organization.code == "CS430104-01"
    record = ObjectChange.objects.filter(
        content_type__model="membership", object_id=str(membership.pk)
    ).latest("id")
    assert record.action == "update"
    assert record.changed_fields == ["organization"]
    assert record.before["organization"] == PartyOrganization.objects.get(code=BRANCH).pk
    assert record.after["organization"] == membership.organization_id
    assert Honor.objects.get(person=member).level == "district"
