"""The 党组织委员 sheet (committee posts) of import-templates.md: valid rows import; every rule of the service
(a full member on the day the post begins, one secretary per organization at a time, one post per person
and organization at a time, the dates) refuses its row with a located Chinese error and writes nothing;
the template and the export carry the sheet. Real .xlsx files, written with openpyxl."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from redengine.core.models import ObjectChange
from redengine.core.validators import make_id_number
from redengine.dataio import importer
from redengine.dataio.exporting import export_workbook
from redengine.imports.tests.generated import ORG_HEADERS, PEOPLE_HEADERS, SCHOOL_HEADERS
from redengine.imports.tests.importing import run
from redengine.orgs.models import PartyOrganization
from redengine.people.models import CommitteePost, Membership, Person

pytestmark = pytest.mark.django_db

HEADERS = ["党组织代码", "公民身份号码", "职务", "任职日期", "离任日期"]
BRANCH_OWN = "CS430104-02-01"  # 梅溪湖中学初中部党支部: no post recorded
SCHOOL = "4301045902"
NEW_BRANCH = "T430104-91"
NEW_MEMBER = make_id_number("430104", datetime.date(1984, 4, 4), 13)
NEW_PROBATIONARY = make_id_number("430104", datetime.date(1994, 4, 4), 24)


def id_of(name):
    return Person.objects.get(name=name).reveal_id_number()


def xlsx(sheets, tmp_path, name="posts.xlsx"):
    """{title: rows} as a real .xlsx (openpyxl): codes and ID numbers as text, dates as Excel dates."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    path = tmp_path / name
    book.save(path)
    return path


def posts_sheet(*rows):
    return {"党组织委员": [HEADERS, *rows]}


def counts():
    return CommitteePost.objects.count(), ObjectChange.objects.count(), Person.objects.count()


def refused(path, *args):
    before = counts()
    status, _out, err = run(path, *args)
    assert status == 1, err
    assert counts() == before
    return err


def whole_file(*posts):
    """A new school, its new branch, a new full member and a new probationary member, and ``posts``."""
    member_row = ["导入委员甲", NEW_MEMBER, "男", None, "汉族", "大学本科", None, SCHOOL, "专任教师", "是"]
    probationary_row = ["导入委员乙", NEW_PROBATIONARY, "女", None, "汉族", "大学本科", None, SCHOOL]
    last_year = timezone.localdate().year - 1
    return {
        "学校": [SCHOOL_HEADERS, [SCHOOL, "岳麓区委员测试小学", "岳麓区", "公办", "小学", "城区", "否", 30]],
        "党组织": [
            ORG_HEADERS,
            [NEW_BRANCH, "岳麓区委员测试小学党支部", "党支部", "CS430104", SCHOOL, datetime.date(2015, 9, 1)],
        ],
        "人员": [
            PEOPLE_HEADERS,
            [*member_row, "中共党员", datetime.date(2010, 7, 1), datetime.date(2011, 7, 1), NEW_BRANCH],
            [
                *probationary_row,
                "专任教师",
                "否",
                "中共预备党员",
                datetime.date(last_year, 1, 10),
                None,
                NEW_BRANCH,
            ],
        ],
        "党组织委员": [HEADERS, *posts],
    }


# Valid rows -------------------------------------------------------------------------------------------
def test_valid_rows_import_and_import_again_as_no_change(tmp_path):
    path = xlsx(
        posts_sheet(
            [BRANCH_OWN, id_of("梅溪湖张老师"), "书记", datetime.date(2022, 9, 1), None],
            [BRANCH_OWN, id_of("梅溪湖王校长"), "组织委员", "2020-09-01", "2023年9月1日"],
        ),
        tmp_path,
    )
    before = ObjectChange.objects.count()
    status, out, err = run(path, "--user", "yuelu_admin")
    assert status == 0, err
    posts = CommitteePost.objects.filter(organization__code=BRANCH_OWN).order_by("start_on")
    assert [(p.person.name, p.post, p.start_on, p.end_on) for p in posts] == [
        ("梅溪湖王校长", "organizing", datetime.date(2020, 9, 1), datetime.date(2023, 9, 1)),
        ("梅溪湖张老师", "secretary", datetime.date(2022, 9, 1), None),
    ]
    assert ObjectChange.objects.count() == before + 2
    assert id_of("梅溪湖张老师") not in out + err  # no ID number in what the command prints
    status, out, err = run(path, "--user", "yuelu_admin")
    assert status == 0, err
    assert ObjectChange.objects.count() == before + 2  # the same file again changes nothing


def test_a_row_ends_a_recorded_post(tmp_path):
    code, name = "CS430104-02", "梅溪湖王校长"  # secretary since 2021-09-01
    path = xlsx(posts_sheet([code, id_of(name), "书记", datetime.date(2021, 9, 1), "2024-09-01"]), tmp_path)
    status, _out, err = run(path, "--user", "yuelu_admin")
    assert status == 0, err
    post = CommitteePost.objects.get(organization__code=code, person__name=name)
    assert post.end_on == datetime.date(2024, 9, 1)
    assert CommitteePost.objects.filter(organization__code=code).count() == 1


def test_posts_of_people_and_organizations_of_the_same_file(tmp_path):
    start = datetime.date(2016, 9, 1)
    path = xlsx(whole_file([NEW_BRANCH, NEW_MEMBER, "书记", start, None]), tmp_path)
    status, _out, err = run(path, "--user", "yuelu_admin")
    assert status == 0, err
    post = CommitteePost.objects.get(organization__code=NEW_BRANCH)
    assert (post.person.name, post.post, post.start_on) == ("导入委员甲", "secretary", start)


# Refused rows: each at its row and column, nothing written ---------------------------------------------
def test_a_probationary_member_may_not_hold_a_post(tmp_path):
    probationary = Person.objects.get(name="梅溪湖李老师")
    assert probationary.political_status == "probationary"
    path = xlsx(
        posts_sheet(
            [BRANCH_OWN, id_of("梅溪湖张老师"), "委员", datetime.date(2022, 9, 1), None],
            [BRANCH_OWN, id_of("梅溪湖李老师"), "宣传委员", datetime.date(2025, 9, 1), None],
        ),
        tmp_path,
    )
    err = refused(path, "--user", "yuelu_admin")
    assert "党组织委员 第 3 行「公民身份号码」" in err
    assert "预备党员不能担任委员职务" in err
    assert "第 2 行" not in err
    assert id_of("梅溪湖李老师") not in err


def test_a_person_of_the_file_must_be_a_full_member_on_the_start_date(tmp_path):
    too_early = datetime.date(2011, 1, 1)  # admitted 2010-07-01, full member from 2011-07-01
    path = xlsx(
        whole_file(
            [NEW_BRANCH, NEW_MEMBER, "书记", too_early, None],
            [NEW_BRANCH, NEW_PROBATIONARY, "委员", timezone.localdate(), None],
        ),
        tmp_path,
    )
    err = refused(path, "--user", "yuelu_admin")
    assert "党组织委员 第 2 行「公民身份号码」" in err
    assert "2011-01-01" in err
    assert "党组织委员 第 3 行「公民身份号码」" in err
    assert not Person.objects.filter(name__startswith="导入委员").exists()


def test_a_second_secretary_is_refused(tmp_path):
    code = "CS430104-02"  # 梅溪湖王校长 is its secretary since 2021-09-01
    path = xlsx(posts_sheet([code, id_of("梅溪湖张老师"), "书记", datetime.date(2024, 9, 1), None]), tmp_path)
    err = refused(path, "--user", "yuelu_admin")
    assert "党组织委员 第 2 行「职务」" in err
    assert "梅溪湖王校长" in err
    assert "一个党组织同一时间只有一名书记" in err


def test_two_secretaries_in_the_same_file_are_refused(tmp_path):
    path = xlsx(
        posts_sheet(
            [BRANCH_OWN, id_of("梅溪湖张老师"), "书记", datetime.date(2020, 9, 1), datetime.date(2023, 9, 1)],
            [BRANCH_OWN, id_of("梅溪湖王校长"), "书记", datetime.date(2023, 3, 1), None],
        ),
        tmp_path,
    )
    err = refused(path, "--user", "yuelu_admin")
    assert "党组织委员 第 3 行「职务」" in err


def test_a_secretary_after_the_last_one_left_is_accepted(tmp_path):
    path = xlsx(
        posts_sheet(
            [BRANCH_OWN, id_of("梅溪湖张老师"), "书记", datetime.date(2020, 9, 1), datetime.date(2023, 9, 1)],
            [BRANCH_OWN, id_of("梅溪湖王校长"), "书记", datetime.date(2023, 9, 1), None],
        ),
        tmp_path,
    )
    status, _out, err = run(path, "--user", "yuelu_admin")
    assert status == 0, err
    assert CommitteePost.objects.filter(organization__code=BRANCH_OWN, post="secretary").count() == 2


def test_an_overlapping_post_of_the_same_person_is_refused(tmp_path):
    code = "CS430104-02"
    path = xlsx(posts_sheet([code, id_of("梅溪湖王校长"), "委员", datetime.date(2024, 9, 1), None]), tmp_path)
    err = refused(path, "--user", "yuelu_admin")
    assert "党组织委员 第 2 行「公民身份号码」" in err
    assert "同一时间在一个党组织只担任一个职务" in err


def test_two_overlapping_posts_of_a_person_in_the_same_file_are_refused(tmp_path):
    path = xlsx(
        posts_sheet(
            [
                BRANCH_OWN,
                id_of("梅溪湖张老师"),
                "组织委员",
                datetime.date(2020, 9, 1),
                datetime.date(2023, 9, 1),
            ],
            [BRANCH_OWN, id_of("梅溪湖张老师"), "宣传委员", datetime.date(2023, 8, 1), None],
            [
                BRANCH_OWN,
                id_of("梅溪湖王校长"),
                "宣传委员",
                datetime.date(2020, 9, 1),
                datetime.date(2023, 9, 1),
            ],
            [BRANCH_OWN, id_of("梅溪湖王校长"), "组织委员", datetime.date(2023, 9, 1), None],
        ),
        tmp_path,
    )
    err = refused(path, "--user", "yuelu_admin")
    assert "党组织委员 第 3 行「公民身份号码」" in err
    assert "第 5 行" not in err  # the next post from the day the last one was left
    assert "工作簿未通过校验：共 2 处错误" in err  # both overlapping rows are told


def test_unknown_organization_and_person_are_refused(tmp_path):
    nobody = make_id_number("430104", datetime.date(1980, 1, 1), 91)
    path = xlsx(
        posts_sheet(
            ["NO-SUCH-ORG", id_of("梅溪湖张老师"), "委员", datetime.date(2022, 9, 1), None],
            [BRANCH_OWN, nobody, "委员", datetime.date(2022, 9, 1), None],
        ),
        tmp_path,
    )
    err = refused(path, "--user", "yuelu_admin")
    assert "党组织委员 第 2 行「党组织代码」" in err
    assert "没有该代码的党组织" in err
    assert "党组织委员 第 3 行「公民身份号码」" in err
    assert nobody not in err


def test_records_outside_the_scope_answer_as_unknown(tmp_path):
    """芙蓉区's organization and person, imported by 岳麓区's administrator: the same words as for none."""
    path = xlsx(
        posts_sheet(
            ["CS430102-01", id_of("梅溪湖张老师"), "委员", datetime.date(2022, 9, 1), None],
            [BRANCH_OWN, id_of("芙蓉周老师"), "委员", datetime.date(2022, 9, 1), None],
        ),
        tmp_path,
    )
    err = refused(path, "--user", "yuelu_admin")
    assert "党组织委员 第 2 行「党组织代码」" in err
    assert "没有该代码的党组织" in err
    assert "党组织委员 第 3 行「公民身份号码」" in err
    assert "没有该公民身份号码的人员" in err
    assert "芙蓉" not in err


def test_bad_dates_are_refused(tmp_path):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    path = xlsx(
        posts_sheet(
            [BRANCH_OWN, id_of("梅溪湖张老师"), "委员", tomorrow, None],
            [BRANCH_OWN, id_of("梅溪湖王校长"), "委员", datetime.date(2022, 9, 1), datetime.date(2022, 9, 1)],
            [BRANCH_OWN, id_of("麓山赵老师"), "委员", None, None],
            [BRANCH_OWN, id_of("一中郑老师"), "常委", "2022-13-01", None],
        ),
        tmp_path,
    )
    err = refused(path, "--user", "city_admin")
    assert "党组织委员 第 2 行「任职日期」" in err
    assert "不能晚于今天" in err
    assert "党组织委员 第 3 行「离任日期」" in err
    assert "离任日期必须晚于任职日期" in err
    assert "党组织委员 第 4 行「任职日期」" in err
    assert "党组织委员 第 5 行「职务」" in err
    assert "党组织委员 第 5 行「任职日期」" in err


def test_nothing_is_written_when_another_row_has_an_error(tmp_path):
    path = xlsx(
        whole_file(
            [NEW_BRANCH, NEW_MEMBER, "书记", datetime.date(2016, 9, 1), None],
            [BRANCH_OWN, id_of("梅溪湖李老师"), "委员", datetime.date(2025, 9, 1), None],
        ),
        tmp_path,
    )
    refused(path, "--user", "yuelu_admin")
    assert not PartyOrganization.objects.filter(code=NEW_BRANCH).exists()
    assert not Membership.objects.filter(organization__code=NEW_BRANCH).exists()


# Template and export ------------------------------------------------------------------------------------
def test_the_sheet_comes_after_organizations_and_people():
    names = [i.sheet.name for i in importer.importers()]
    assert names.index("党组织") < names.index("人员") < names.index("党组织委员")


def test_the_template_has_the_sheet_with_its_explanations(client_for):
    response = client_for("yuelu_admin").get(reverse("imports:template"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response)))
    assert "党组织委员" in book.sheetnames
    sheet = book["党组织委员"]
    assert [c.value for c in sheet[1]] == HEADERS
    notes = {c.value: c.comment.text if c.comment else "" for c in sheet[1]}
    assert "预备党员" in notes["公民身份号码"]
    assert "一个党组织同一时间只有一名书记" in notes["职务"]
    assert "必填" in notes["任职日期"]
    codes = book["代码表"]
    values = {c.value for column in codes.iter_cols() for c in column}
    assert {"书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员"} <= values


def test_the_export_has_the_posts_and_imports_back_as_no_change(example_user, tmp_path):
    yuelu, _rows, _revealed = export_workbook(example_user("yuelu_admin"))
    rows = list(openpyxl.load_workbook(io.BytesIO(yuelu))["党组织委员"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert {(r[0], r[2]) for r in rows[1:]} == {("CS430104-02", "书记"), ("CS430104-01", "书记")}
    assert all("*" in r[1] for r in rows[1:])  # masked: 岳麓区's administrator may not reveal
    city, _rows, revealed = export_workbook(example_user("city_admin"))
    assert revealed
    rows = list(openpyxl.load_workbook(io.BytesIO(city))["党组织委员"].iter_rows(values_only=True))
    assert (
        "CS430104-02",
        id_of("梅溪湖王校长"),
        "书记",
        datetime.datetime(2021, 9, 1),
        None,
    ) in rows
    assert len(rows) - 1 == CommitteePost.objects.count()
    path = tmp_path / "export.xlsx"
    path.write_bytes(city)
    before = counts()
    status, out, err = run(path, "--user", "city_admin")
    assert status == 0, err
    assert counts() == before
