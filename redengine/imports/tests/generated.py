"""Valid import workbooks of any size, deterministic from a seed (for the tests and bench/import_workbook.py).

The schools and organizations sit under the demo data set's district organizations (``CS4301xx``);
their codes do not collide with the demo's. Some committees come after their branches in the 党组织
sheet, so that a parent may come later in the file. ID numbers are valid (``make_id_number``), mobiles
unique; about 40% of the people are full members, 5% probationary members, 10% hold a title.
"""

import datetime
import io
import random

import xlsxwriter

from redengine.core.dates import add_months
from redengine.core.validators import make_id_number

DISTRICTS = ["430102", "430103", "430104", "430105", "430111", "430112", "430121", "430181", "430182"]
SCHOOL_HEADERS = ["学校代码", "学校名称", "所在区县", "办学性质", "学段", "城乡类别", "市管", "教职工数"]
ORG_HEADERS = [
    "党组织代码",
    "党组织名称",
    "组织类别",
    "上级党组织代码",
    "所在学校代码",
    "成立日期",
    "换届日期",
]
PEOPLE_HEADERS = [
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "民族",
    "学历",
    "手机号码",
    "学校代码",
    "岗位",
    "一线教师",
    "政治面貌",
    "入党日期",
    "转正日期",
    "党组织代码",
]
HONOR_HEADERS = ["公民身份号码", "称号", "级别", "认定日期", "截止日期"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
SCHOOL_TYPES = ["小学", "初中", "高中", "完全中学", "九年一贯制学校", "幼儿园"]
EDUCATION = ["博士研究生", "硕士研究生", "大学本科", "大学本科", "大学专科"]
POSTS = ["专任教师", "专任教师", "专任教师", "管理人员", "教辅人员", "工勤人员"]
TITLES = ["骨干教师", "卓越教师", "名校长", "名校长工作室学员"]
LEVELS = ["市级", "区县级", "校级", ""]


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def workbook_rows(people=100, seed=1, today=None, school_offset=0):
    """{sheet title: [header, row, ...]} for ``people`` people and the schools and organizations they need.

    ``school_offset`` shifts the school codes (and so the organization codes), for a second workbook
    whose schools are new as well."""
    rng = random.Random(seed)
    today = today or datetime.date.today()
    school_count = max(2, people // 50)
    schools, orgs = [SCHOOL_HEADERS], [ORG_HEADERS]
    school_codes, branches = [], {}
    committees_after = []
    for n in range(school_count):
        district = DISTRICTS[n % len(DISTRICTS)]
        code = f"{district}{5001 + school_offset + n // len(DISTRICTS):04d}"
        school_codes.append(code)
        schools.append(
            [
                code,
                f"导入测试第{n + 1}学校",
                district,
                rng.choice(["公办", "公办", "公办", "民办"]),
                rng.choice(SCHOOL_TYPES),
                rng.choice(["城区", "镇区", "乡村"]),
                rng.choice(["是", "否", None]),
                rng.randint(20, 300),
            ]
        )
        founded = datetime.date(rng.randint(1990, 2015), rng.randint(1, 12), rng.randint(1, 28))
        election = add_years(founded, rng.randint(1, 8)) if rng.random() < 0.5 else None
        if n % 10 == 0:  # a committee with two branches, written after its branches
            committee = f"IMP{code}"
            for part in (1, 2):
                branch = f"IMP{code}-{part:02d}"
                orgs.append(
                    [branch, f"导入测试第{n + 1}学校第{part}党支部", "党支部", committee, code, founded, None]
                )
                branches.setdefault(code, []).append(branch)
            committees_after.append(
                [
                    committee,
                    f"中共导入测试第{n + 1}学校委员会",
                    "党委",
                    f"CS{district}",
                    code,
                    founded,
                    election,
                ]
            )
        else:
            branch = f"IMP{code}"
            branches[code] = [branch]
            orgs.append(
                [
                    branch,
                    f"中共导入测试第{n + 1}学校支部委员会",
                    "党支部",
                    f"CS{district}",
                    code,
                    founded,
                    election,
                ]
            )
    orgs.extend(committees_after)
    rows, honors = [PEOPLE_HEADERS], [HONOR_HEADERS]
    used_ids, used_mobiles = set(), set()
    for n in range(people):
        while True:
            born = datetime.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
            number = make_id_number(rng.choice(DISTRICTS), born, rng.randint(0, 999))
            if number not in used_ids:
                used_ids.add(number)
                break
        sex = "男" if int(number[16]) % 2 else "女"
        while True:
            mobile = f"13{rng.randint(0, 999_999_999):09d}"
            if mobile not in used_mobiles:
                used_mobiles.add(mobile)
                break
        school = school_codes[n % school_count]
        draw = rng.random()
        status, admitted, full, org = "群众", None, None, None
        eighteen = add_years(born, 18)
        if draw < 0.40 and add_years(eighteen, 3) < today:
            status = "中共党员"
            admitted = eighteen + datetime.timedelta(
                days=rng.randint(0, (add_years(today, -3) - eighteen).days)
            )
            # The end of the probation, extended in a few cases by 6 to 12 months (the engine's calendar).
            extension = rng.randint(6, 12) if rng.random() < 0.05 else 0
            full = add_months(admitted, 12 + extension)
            org = rng.choice(branches[school])
        elif draw < 0.45 and eighteen < add_years(today, -1):
            status = "中共预备党员"
            admitted = today - datetime.timedelta(days=rng.randint(30, 300))
            org = rng.choice(branches[school])
        elif draw < 0.55:
            status = "共青团员" if born.year > 1990 else "无党派人士"
        rows.append(
            [
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                number,
                sex,
                born if rng.random() < 0.5 else None,
                "汉族" if rng.random() < 0.9 else rng.choice(["土家族", "苗族", "侗族", "瑶族"]),
                rng.choice(EDUCATION),
                mobile,
                school,
                rng.choice(POSTS),
                rng.choice(["是", "否"]),
                status,
                admitted,
                full,
                org,
            ]
        )
        if rng.random() < 0.10:
            awarded = datetime.date(rng.randint(2010, today.year - 1), rng.randint(1, 12), rng.randint(1, 28))
            lapsed = add_years(awarded, 3) if rng.random() < 0.3 else None
            honors.append([number, rng.choice(TITLES), rng.choice(LEVELS) or None, awarded, lapsed])
    return {"学校": schools, "党组织": orgs, "人员": rows, "称号": honors}


def write_xlsx(sheets, path=None):
    """Write {title: rows} as an .xlsx (codes and ID numbers as text, dates as dates); bytes, or to ``path``."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        path or buffer,
        {
            "constant_memory": True,
            "in_memory": path is None,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date)
                elif isinstance(value, int):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, value)
    book.close()
    return path if path else buffer.getvalue()


def generated_workbook(people=100, seed=1, path=None, today=None, school_offset=0):
    return write_xlsx(workbook_rows(people, seed, today, school_offset), path)
