"""A whole city imported in one workbook into an empty installation, as a city administrator does on a
fresh installation (``manage.py import_workbook FILE``): the root row, the district bureaus with 所辖区县,
40 schools of which several no organization covers (in districts a bureau serves and in districts none
serves), people with memberships admitted 2021–2025 and no development case, some holding 骨干教师.

Every registered metric is checked against a count made here from the workbook's rows themselves (not
from the records, nor from the code under test), following metrics.md literally.
"""

import datetime
import io
import random

import pytest
from openpyxl import Workbook

from redengine.accounts.models import RoleAssignment, User
from redengine.core.dates import add_months
from redengine.core.metrics import REGISTRY, Period, compute_all
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM, writing
from redengine.development.models import DevelopmentCase
from redengine.imports.tests.generated import HONOR_HEADERS, ORG_HEADERS, PEOPLE_HEADERS, SCHOOL_HEADERS
from redengine.imports.tests.importing import run
from redengine.orgs.models import PartyOrganization, School
from redengine.pairing.rules import ActivityKind
from redengine.people.models import Membership
from redengine.testing import empty_installation

pytestmark = pytest.mark.django_db

ROOT = "CITY"
HEADERS = [*ORG_HEADERS, "所辖区县"]
# District → how 所辖区县 names it (a code or a name); 430112 and 430121 have no bureau organization.
SERVED = {"430100": "市直", "430102": "430102", "430103": "天心区", "430104": "岳麓区", "430105": "430105"}
DISTRICTS = ["430100", "430102", "430103", "430104", "430105", "430112", "430121", "430104"]
UNCOVERED = {3, 9, 14, 21, 29, 38}  # school numbers: in served districts (岳麓区 …) and unserved ones
BACKBONE = {"骨干教师", "卓越教师"}


def bureau_of(district):
    return ROOT if district == "430100" else (f"B{district}" if district in SERVED else None)


def city_rows(seed=7):
    """{sheet: [header, rows…]} of the whole city, and the facts the expected figures are counted from."""
    rng = random.Random(seed)
    orgs = [HEADERS, [ROOT, "中共某市委教育工作委员会", "党工委", None, None, None, None, "市直"]]
    for district, named in SERVED.items():
        if district != "430100":
            orgs.append(
                [f"B{district}", f"中共{district}教育局委员会", "党委", ROOT, None, None, None, named]
            )
    schools, facts = [SCHOOL_HEADERS], []
    for n in range(40):
        district = DISTRICTS[n % len(DISTRICTS)]
        code = f"{district}{7000 + n:04d}"
        private = n % 5 == 4
        schools.append(
            [
                code,
                f"全市导入测试第{n + 1}学校",
                district,
                "民办" if private else "公办",
                "小学",
                "城区",
                "否",
                50,
            ]
        )
        covered = n not in UNCOVERED
        home = f"S{code}" if covered else (bureau_of(district) or ROOT)
        if covered:
            orgs.append(
                [home, f"全市导入测试第{n + 1}学校党支部", "党支部", bureau_of(district) or ROOT, code]
            )
            orgs[-1] += [None, None, None]
        facts.append(
            {"code": code, "district": district, "private": private, "covered": covered, "home": home}
        )
    people, honors, persons = [PEOPLE_HEADERS], [HONOR_HEADERS], []
    serial = 0
    for school in facts:
        # Uncovered schools: none, a few, or enough for an organization of their own; one private school
        # with no members at all (a gap without an instructor).
        count = rng.choice([0, 1, 2, 4]) if not school["covered"] else rng.randint(3, 7)
        for _ in range(count + 2):  # two non-members per school
            serial += 1
            born = datetime.date(1960, 1, 1) + datetime.timedelta(days=serial * 29)
            number = make_id_number("430104", born, serial % 1000)
            member = len([p for p in persons if p["school"] == school["code"]]) < count
            admitted = full = None
            if member:
                if rng.random() < 0.3:
                    admitted = datetime.date(2010, 7, 1)
                else:
                    admitted = datetime.date(rng.randint(2021, 2025), rng.randint(1, 12), rng.randint(1, 28))
                full = (
                    add_months(admitted, 12) if add_months(admitted, 12) < datetime.date(2026, 6, 1) else None
                )
            status = ("中共党员" if full else "中共预备党员") if member else "群众"
            people.append(
                [
                    f"测试{serial}",
                    number,
                    "男" if int(number[16]) % 2 else "女",
                    None,
                    "汉族",
                    "大学本科",
                    None,
                    school["code"],
                    "专任教师",
                    "是",
                    status,
                    admitted,
                    full,
                    school["home"] if member else None,
                ]
            )
            title = None
            if rng.random() < 0.3:
                title = (
                    rng.choice(["骨干教师", "骨干教师", "卓越教师"]),
                    datetime.date(rng.randint(2018, 2024), 9, 10),
                )
                honors.append([number, title[0], "市级", title[1], None])
            persons.append({"school": school["code"], "admitted": admitted, "full": full, "title": title})
    sheets = {"学校": schools, "党组织": orgs, "人员": people, "称号": honors}
    return sheets, facts, persons


def xlsx(sheets):
    """The workbook as openpyxl writes it (codes and ID numbers as text, dates as dates)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def expected(facts, persons, scope_districts, first, last):
    """metrics.md from the rows: ``scope_districts`` None for the root (every school), else the districts
    whose bureau is the scope (a covered school lies there through its branch, an uncovered one by district)."""
    start, end = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    schools = [s for s in facts if scope_districts is None or s["district"] in scope_districts]
    codes = {s["code"] for s in schools}
    mine = [p for p in persons if p["school"] in codes]
    required = met = 0
    gaps = []
    for school in schools:
        here = [p for p in mine if p["school"] == school["code"]]
        full = sum(1 for p in here if p["full"] and p["full"] <= end)
        members = sum(1 for p in here if p["admitted"] and p["admitted"] <= end)
        if full or members or school["private"]:
            required += 1
            if school["covered"]:
                met += 1
            else:
                gaps.append(school["code"])
    admitted = [p for p in mine if p["admitted"] and start <= p["admitted"] <= end]
    backbone = [
        p for p in admitted if p["title"] and p["title"][0] == "骨干教师" and p["title"][1] <= p["admitted"]
    ]
    holders = [p for p in mine if p["title"] and p["title"][0] in BACKBONE and p["title"][1] <= end]
    members = [p for p in holders if p["admitted"] and p["admitted"] <= end]
    return {
        "orgs.school_orgs": {"value": sum(1 for s in schools if s["covered"])},
        "orgs.coverage": share(met, required),
        "orgs.coverage_gaps": {"value": len(gaps), "items": sorted(gaps)},
        "development.admitted": {"value": len(admitted)},
        "cultivation.backbone_developed": share(len(backbone), len(admitted)),
        "cultivation.member_share.backbone": share(len(members), len(holders)),
        "cultivation.member_share.principals": share(0, 0),
        "cultivation.member_share.studio": share(0, 0),
        # The workbook records no elections, affiliation changes, dispatches, grants nor cases.
        "orgs.elections_due": {"value": 0},
        "orgs.received": {"value": 0},
        "private.new_orgs": {"value": 0},
        "private.dispatched": {"value": 0},
        "private.startup_funds": {"value": "0.00", "grants": 0},
        "development.overdue": {"value": 0},
        "development.late_steps": {"value": 0},  # the workbook has no development steps
        # Every covered school's branch (no founding date: there for the whole period) and no meetings.
        "activities.compliance": share(0, sum(1 for s in schools if s["covered"])),
        # Nor mentorships.
        "cultivation.mentorships": {"value": 0},
        "cultivation.apprentices_titled": share(0, 0),
        # Nor pioneer units, showcase items or urban-rural pairs.
        "pioneer.filed": {"value": 0},
        "pioneer.certified": share(0, 0),
        "pioneer.service_hours": {"value": "0.0", "logs": 0},
        "showcase.stories": {"value": 0},
        "showcase.lessons": {"value": 0},
        "pairing.pairs": {"value": 0},
        "pairing.activities": {
            "value": 0,
            "items": [{"kind": k.value, "label": str(k.label), "value": 0} for k in ActivityKind],
        },
        # Nor star ratings.
        "assessment.upgraded": share(0, 0),
        "assessment.stars": {"value": 0, "items": [{"level": n, "value": 0} for n in range(1, 6)]},
        "assessment.demonstration": {"value": 0},
    }


def share(numerator, denominator):
    return {
        "value": numerator,
        "denominator": denominator,
        "share": numerator / denominator if denominator else None,
    }


@pytest.fixture
def city(tmp_path):
    empty_installation()
    sheets, facts, persons = city_rows()
    path = tmp_path / "city.xlsx"
    path.write_bytes(xlsx(sheets))
    status, out, err = run(path)
    assert status == 0, err
    return facts, persons


def test_a_whole_city_imports_into_an_empty_installation(city):
    facts, persons = city
    root = PartyOrganization.objects.get(code=ROOT)
    assert root.depth == 1
    assert root.district == "430100"
    assert PartyOrganization.objects.get(code="B430103").district == "430103"  # 天心区 by name
    assert School.objects.count() == 40
    assert Membership.objects.count() == sum(1 for p in persons if p["admitted"])
    assert not DevelopmentCase.objects.exists()
    assert sum(1 for p in persons if p["admitted"] and p["admitted"].year >= 2021) > 40


@pytest.mark.parametrize(("first", "last"), [(2025, 2025), (2021, 2025), (2023, 2023), (2010, 2010)])
def test_every_metric_equals_the_count_from_the_workbook(city, first, last):
    facts, persons = city
    assert set(REGISTRY) <= set(expected(facts, persons, None, first, last))  # every registered metric
    for scope, districts in [(ROOT, None), ("B430104", {"430104"}), ("B430102", {"430102"})]:
        want = expected(facts, persons, districts, first, last)
        got = compute_all(PartyOrganization.objects.get(code=scope), Period.of(first=first, last=last))
        for name in REGISTRY:
            value = got[name]
            if name == "orgs.coverage_gaps":
                value = {"value": value["value"], "items": sorted(i["school"] for i in value["items"])}
            assert value == want[name], (name, scope, first, last, value, want[name])
    want_root = expected(facts, persons, None, 2025, 2025)
    assert want_root["orgs.coverage"]["denominator"] >= 37  # the uncovered schools are counted
    assert len(want_root["orgs.coverage_gaps"]["items"]) >= 4


def account(username, role, org_code):
    with writing(SYSTEM):  # the security administrator's grant, in short
        user = User.objects.create(username=username)
        RoleAssignment.objects.create(
            user=user, role=role, organization=PartyOrganization.objects.get(code=org_code)
        )
    return user


def test_each_administrator_sees_the_uncovered_schools_of_their_scope(city):
    facts, _persons = city
    city_admin = account("city_test_admin", "city_admin", ROOT)
    yuelu = account("yuelu_test_admin", "district_admin", "B430104")
    everything = {s["code"] for s in facts}
    assert set(School.objects.visible_to(city_admin).values_list("code", flat=True)) == everything
    yuelu_schools = {s["code"] for s in facts if s["district"] == "430104"}
    assert set(School.objects.visible_to(yuelu).values_list("code", flat=True)) == yuelu_schools
    uncovered_yuelu = {s["code"] for s in facts if s["district"] == "430104" and not s["covered"]}
    assert uncovered_yuelu
    assert uncovered_yuelu <= yuelu_schools
    # Schools of a district no organization serves lie with the root only.
    unserved = {s["code"] for s in facts if s["district"] in {"430112", "430121"} and not s["covered"]}
    assert unserved
    assert unserved <= set(
        School.objects.in_subtree(PartyOrganization.objects.get(code=ROOT).path).values_list(
            "code", flat=True
        )
    )
    for code in SERVED:
        if code != "430100":
            bureau = PartyOrganization.objects.get(code=f"B{code}")
            assert not unserved & set(School.objects.in_subtree(bureau.path).values_list("code", flat=True))
