"""Helpers of the import tests: a small hand-made workbook of the four sheets, the database's counts,
and the command run as a user would run it."""

import copy
import datetime
import io

from django.core.management import CommandError, call_command

from redengine.core.models import ObjectChange
from redengine.core.validators import make_id_number
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Honor, Membership, Person

from .generated import HONOR_HEADERS, ORG_HEADERS, PEOPLE_HEADERS, SCHOOL_HEADERS, write_xlsx

MEMBER_ID = make_id_number("430104", datetime.date(1985, 3, 1), 11)  # a man (odd sequence)
OTHER_ID = make_id_number("430104", datetime.date(1990, 5, 5), 22)  # a woman
SCHOOL = "4301045901"
BRANCH = "T430104-90"


def small_sheets():
    """{title: rows}: a new Yuelu school, its new branch, a member and a non-member, and a title."""
    return {
        "学校": [SCHOOL_HEADERS, [SCHOOL, "岳麓区导入测试小学", "岳麓区", "公办", "小学", "城区", "否", 40]],
        "党组织": [
            ORG_HEADERS,
            [
                BRANCH,
                "岳麓区导入测试小学党支部",
                "党支部",
                "CS430104",
                SCHOOL,
                datetime.date(2015, 9, 1),
                None,
            ],
        ],
        "人员": [
            PEOPLE_HEADERS,
            [
                "导入张老师",
                MEMBER_ID,
                "男",
                datetime.date(1985, 3, 1),
                "汉族",
                "大学本科",
                "13900001111",
                SCHOOL,
                "专任教师",
                "是",
                "中共党员",
                datetime.date(2010, 7, 1),
                datetime.date(2011, 7, 1),
                BRANCH,
            ],
            [
                "导入李老师",
                OTHER_ID,
                "女",
                None,
                "01",
                "硕士研究生",
                None,
                SCHOOL,
                "管理人员",
                "否",
                "群众",
                None,
                None,
                None,
            ],
        ],
        "称号": [HONOR_HEADERS, [MEMBER_ID, "骨干教师", "市级", datetime.date(2019, 9, 10), None]],
    }


COLUMNS = {
    "学校": SCHOOL_HEADERS,
    "党组织": ORG_HEADERS,
    "人员": PEOPLE_HEADERS,
    "称号": HONOR_HEADERS,
}


def changed(sheets, sheet, row, header, value):
    """A copy of ``sheets`` with the cell at Excel row ``row`` under ``header`` set to ``value``."""
    sheets = copy.deepcopy(sheets)
    sheets[sheet][row - 1][COLUMNS[sheet].index(header)] = value
    return sheets


def workbook(sheets=None, tmp_path=None, name="import.xlsx"):
    content = write_xlsx(sheets or small_sheets())
    if tmp_path is None:
        return content
    path = tmp_path / name
    path.write_bytes(content)
    return path


def db_counts():
    return {
        model.__name__: model.objects.count()
        for model in (School, PartyOrganization, Person, Membership, Honor, ObjectChange)
    }


def run(path, *args):
    """(exit status, stdout, stderr) of ``manage.py import_workbook path *args``."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_workbook", str(path), "--no-progress", *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
        return 1, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def refused(path, *args):
    """Run the command on a file it must refuse: the errors it printed, and nothing written."""
    before = db_counts()
    status, _out, err = run(path, *args)
    assert status == 1, err
    assert db_counts() == before
    return err
