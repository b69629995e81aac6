"""A legal development path through the 25 steps, and the people it needs, on the demo data set."""

import datetime

from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person
from redengine.people.services import save_people

D = datetime.date.fromisoformat
BRANCH = "CS430104-02-01"  # 梅溪湖中学初中部党支部 (岳麓区)
SCHOOL = "4301040002"
TODAY = D("2026-11-27")

# One legal date for each step (the 7b examples' intervals), and the data each carries.
PATH = [
    ("S01", "2022-01-10", {}),
    ("S02", "2022-01-25", {}),
    ("S03", "2022-04-01", {}),
    ("S04", "2022-04-10", {}),
    ("S05", "2022-04-10", {"contacts": "contacts"}),
    ("S06", "2022-09-30", {"assessment": "表现良好"}),
    ("S06", "2023-03-20", {"assessment": "表现良好"}),
    ("S07", "2023-04-03", {}),
    ("S08", "2023-04-10", {}),
    ("S09", "2023-04-15", {"introducers": "contacts"}),
    ("S10", "2023-05-10", {"conclusion": "qualified"}),
    ("S11", "2023-05-20", {"course": "发展对象培训班", "days": 3, "hours": 24}),
    ("S12", "2023-06-01", {}),
    (
        "S13",
        "2023-06-15",
        {"publicity_from": "2023-06-02", "publicity_to": "2023-06-09", "form_serial": "serial"},
    ),
    ("S14", "2023-06-18", {}),
    ("S15", "2023-06-25", {"should_attend": 20, "present": 15, "yes": 14, "no": 1}),
    ("S16", "2023-07-05", {}),
    ("S17", "2023-08-01", {"approval_number": "岳教党发〔2023〕12号"}),
    ("S18", "2023-08-10", {}),
    ("S19", "2023-08-10", {}),
    ("S20", "2023-08-15", {}),
    ("S21", "2024-01-15", {"assessment": "按期参加组织生活"}),
    ("S22", "2024-06-01", {}),
    ("S23", "2024-06-26", {"should_attend": 20, "present": 16, "yes": 16, "outcome": "convert"}),
    ("S24", "2024-07-20", {"approval_number": "岳教党发〔2024〕30号"}),
    ("S25", "2024-08-01", {}),
]

_serials = iter(range(1, 10**6))


def branch():
    return PartyOrganization.objects.get(code=BRANCH)


def contacts():
    """Two full members of the demo data (梅溪湖张老师, 梅溪湖王校长)."""
    return list(Person.objects.filter(name__in=["梅溪湖张老师", "梅溪湖王校长"]).order_by("pk"))


def new_applicant(name="梅溪湖新老师", birth="1996-05-20", sequence=None, school=SCHOOL):
    sequence = sequence or 100 + next(_serials) % 800
    number = make_id_number("430104", D(birth), sequence)
    school = School.objects.get(code=school)
    values = {"name": name, "school": school, "post": "teacher", "front_line": True, "id_number": number}
    return save_people([Item(values)], by=SYSTEM)[0]


def step_data(code, data, people=None):
    people = people or contacts()
    filled = dict(data)
    for key in ("contacts", "introducers"):
        if key in filled:
            filled[key] = [p.pk for p in people]
    if filled.get("form_serial") == "serial":
        filled["form_serial"] = f"430104-{next(_serials):06d}"
    return filled


def vote_data(case, code, day, data):
    """A branch general meeting's figures fitted to the branch's roll on ``day`` ("should attend" is derived
    by the service): the path's turnout and majority kept as shares."""
    from redengine.demo.votes import VOTES, fit_one
    from redengine.development.lookups import voting_members

    if code in VOTES and "present" in data:
        fit_one(data, voting_members([(case.organization, day)])[(case.organization.pk, day)])
    return data


def walk(case, upto="S25", *, skip=(), today=TODAY, by=SYSTEM):
    """Record the legal path's steps on ``case`` up to and including ``upto``."""
    from redengine.development.services import record_step

    for code, day, data in PATH:
        if code in skip:
            continue
        record_step(
            case, code, D(day), data=vote_data(case, code, D(day), step_data(code, data)), today=today, by=by
        )
        if code == upto and not any(c == upto and D(d) > D(day) for c, d, _x in PATH):
            break
    case.refresh_from_db()
    return case


def rule_said(key):
    """What a user reads of rule ``key``: its text in Chinese (never the key itself)."""
    from django.utils import translation

    from redengine.development.rules import RULES

    if key not in RULES:
        return key
    with translation.override("zh-hans"):
        return str(RULES[key].text)


def assert_rule_said(key, message):
    """``message`` names rule ``key`` in plain words, with its source, and not by its internal key."""
    from redengine.development.rules import RULES

    assert rule_said(key) in message, (key, message)
    assert RULES[key].source in message, (key, message)
    assert key not in message, message


MEETING = D("2023-06-25")


def fill_roll(count, org=None, day=MEETING, at_least=False):
    """Give the branch exactly (or ``at_least``) ``count`` voting full members on ``day`` (and from 2011 on):
    people with a full membership added to those the demo data set has. Returns the number added."""
    from redengine.development.lookups import voting_members
    from redengine.people.services import set_memberships

    org = org or branch()
    have = voting_members([(org, day)])[(org.pk, day)]
    assert at_least or have <= count, f"the branch has {have} voting members already"
    added = []
    for index in range(count - have):
        person = new_applicant(f"{org.code[-5:]}支部党员{index + 1:02d}", birth="1980-03-01")
        added.append(
            Item(
                {
                    "person": person,
                    "organization": org,
                    "admitted_on": D("2010-01-10"),
                    "full_on": D("2011-01-10"),
                }
            )
        )
    if added:
        set_memberships(added, by=SYSTEM)
    return len(added)
