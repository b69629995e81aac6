"""The six figures of dual cultivation on hand-made timelines, each read at a date from the titles, the
memberships and the mentorships: a title that lapsed before the date, a member admitted the day a title was
awarded, a person who moved school, a studio trainee who is probationary, a member admitted with no
development case (an imported membership), mentorships running over years and apprentices titled within
two years of the start or later. Each figure is compared with the same figure before the people were
added (the demo tree has its own), and the people each figure's page lists are the people it counts."""

import datetime

import pytest

from redengine.core.metrics import REGISTRY, Period
from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.cultivation.metrics import COUNTED
from redengine.cultivation.services import record_mentorships
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person
from redengine.people.services import HONORS, save_people

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
YUELU, FURONG, ROOT = "CS430104", "CS430102", "CS0001"
LUSHAN, MEIXIHU, CHAOYANG = "4301040001", "4301040002", "4301020001"
BRANCH_OF = {LUSHAN: "CS430104-01", MEIXIHU: "CS430104-02-01", CHAOYANG: "CS430102-01"}
_sequence = iter(range(300, 900))


def org(code):
    return PartyOrganization.objects.get(code=code)


def person(name, school, *, birth="1990-05-01", admitted=None, full=None, titles=()):
    """A person of ``school``; a member from ``admitted`` (full from ``full``; none: probationary) by an
    imported membership (no development case); with titles [(title, awarded, lapsed)]."""
    values = {
        "name": name,
        "school": School.objects.get(code=school),
        "post": "teacher",
        "front_line": True,
        "id_number": make_id_number("430104", D(birth), next(_sequence)),
    }
    if admitted:
        values["political_status"] = "member" if full else "probationary"
        values["membership"] = {
            "organization": org(BRANCH_OF[school]),
            "admitted_on": D(admitted),
            "full_on": D(full) if full else None,
        }
    found = save_people([Item(values)], by=SYSTEM)[0]
    HONORS.save(
        [
            Item(
                {
                    "person": found,
                    "title": t,
                    "level": "city",
                    "awarded_on": D(a),
                    "lapsed_on": D(lapsed) if lapsed else None,
                }
            )
            for t, a, lapsed in titles
        ],
        by=SYSTEM,
    )
    return found


def figure(name, scope, year, last=None):
    result = REGISTRY[name].compute(org(scope), Period.of(first=year, last=last or year))
    return result.value, result.denominator


def delta(before, after):
    return tuple(None if b is None else a - b for b, a in zip(before, after, strict=True))


def counted(name, scope, year):
    numerator, denominator = COUNTED[name](org(scope), Period.of(year))
    return set(numerator.values_list("name", flat=True)), (
        None if denominator is None else set(denominator.values_list("name", flat=True))
    )


def test_a_title_that_lapsed_before_the_date_is_not_held():
    name = "cultivation.member_share.backbone"
    before = {year: figure(name, YUELU, year) for year in (2017, 2018)}
    person(
        "时效骨干",
        LUSHAN,
        admitted="2010-06-01",
        full="2011-06-01",
        titles=[("backbone_teacher", "2015-09-10", "2018-06-30")],
    )
    assert delta(before[2017], figure(name, YUELU, 2017)) == (1, 1)  # held at the end of 2017
    assert delta(before[2018], figure(name, YUELU, 2018)) == (0, 0)  # lapsed before 31 December 2018
    assert "时效骨干" not in counted(name, YUELU, 2018)[1]


def test_a_member_admitted_the_day_a_title_was_awarded_counts_as_developed_without_a_case():
    name = "cultivation.backbone_developed"
    before = figure(name, YUELU, 2020)
    share_before = figure("cultivation.member_share.backbone", YUELU, 2020)
    admitted = person(
        "同日骨干", MEIXIHU, admitted="2020-06-01", titles=[("backbone_teacher", "2020-06-01", None)]
    )
    assert not admitted.development_cases.exists()  # an imported membership: no case
    later = person(
        "次日骨干", MEIXIHU, admitted="2020-06-01", titles=[("backbone_teacher", "2020-06-02", None)]
    )
    assert delta(before, figure(name, YUELU, 2020)) == (1, 2)  # both admitted, one held the title that day
    numerator, denominator = counted(name, YUELU, 2020)
    assert "同日骨干" in numerator
    assert "次日骨干" not in numerator
    assert {"同日骨干", "次日骨干"} <= denominator
    # At the end of 2020 both hold the title and both are members.
    assert delta(share_before, figure("cultivation.member_share.backbone", YUELU, 2020)) == (2, 2)
    assert later.pk


def test_a_studio_trainee_who_is_probationary_counts_as_a_member():
    name = "cultivation.member_share.studio"
    before = figure(name, ROOT, 2025)
    person("预备学员", LUSHAN, admitted="2025-07-01", titles=[("studio_trainee", "2025-03-01", None)])
    person("群众学员", LUSHAN, titles=[("studio_trainee", "2025-03-01", None)])
    assert delta(before, figure(name, ROOT, 2025)) == (1, 2)
    numerator, denominator = counted(name, ROOT, 2025)
    assert "预备学员" in numerator
    assert "群众学员" not in numerator
    assert "群众学员" in denominator


def test_principals_are_counted_by_their_two_titles_only():
    name = "cultivation.member_share.principals"
    before = figure(name, ROOT, 2024)
    person(
        "首席校长",
        LUSHAN,
        birth="1970-03-01",
        admitted="2000-06-01",
        full="2001-06-01",
        titles=[("chief_principal", "2020-01-01", None)],
    )
    person("骨干校长", LUSHAN, titles=[("backbone_teacher", "2020-01-01", None)])
    assert delta(before, figure(name, ROOT, 2024)) == (1, 1)


def test_a_person_who_moved_school_counts_where_they_are_and_once_for_the_city():
    name = "cultivation.member_share.backbone"
    before = {scope: figure(name, scope, 2025) for scope in (YUELU, FURONG, ROOT)}
    mentor = Person.objects.get(name="麓山赵老师")
    moved = person("调动老师", LUSHAN, birth="1995-02-02", titles=[("backbone_teacher", "2019-09-10", None)])
    pair = record_mentorships(
        [Item({"mentor": mentor, "apprentice": moved, "school": moved.school, "start_on": D("2020-09-01")})],
        by=SYSTEM,
    )[0]
    pairs_before = {scope: figure("cultivation.mentorships", scope, 2025) for scope in (YUELU, FURONG)}
    save_people([Item({"school": School.objects.get(code=CHAOYANG)}, instance=moved)], by=SYSTEM)
    assert delta(before[YUELU], figure(name, YUELU, 2025)) == (0, 0)
    assert delta(before[FURONG], figure(name, FURONG, 2025)) == (0, 1)  # a holder there now, not a member
    assert delta(before[ROOT], figure(name, ROOT, 2025)) == (0, 1)  # once for the city
    # The mentorship stays where it was held: at its school.
    assert figure("cultivation.mentorships", YUELU, 2025) == pairs_before[YUELU]
    assert figure("cultivation.mentorships", FURONG, 2025) == pairs_before[FURONG]
    assert pair.school.code == LUSHAN


def test_mentorships_count_in_every_year_they_run():
    name = "cultivation.mentorships"
    before = {year: figure(name, YUELU, year) for year in (2018, 2019, 2021, 2022, timezone_year())}
    mentor = Person.objects.get(name="梅溪湖张老师")
    young = person("青年党员甲", MEIXIHU, birth="1998-01-01", admitted="2019-06-01", full="2020-06-01")
    other = person("青年党员乙", MEIXIHU, birth="1999-01-01", admitted="2022-06-01", full="2023-06-01")
    school = young.school
    record_mentorships(
        [
            Item(
                {
                    "mentor": mentor,
                    "apprentice": young,
                    "school": school,
                    "start_on": D("2019-09-01"),
                    "ended_on": D("2021-08-31"),
                }
            ),
            Item({"mentor": mentor, "apprentice": other, "school": school, "start_on": D("2022-09-01")}),
        ],
        by=SYSTEM,
    )
    assert delta(before[2018], figure(name, YUELU, 2018)) == (0, None)
    assert delta(before[2019], figure(name, YUELU, 2019)) == (1, None)
    assert delta(before[2021], figure(name, YUELU, 2021)) == (1, None)
    assert delta(before[2022], figure(name, YUELU, 2022)) == (1, None)  # the second only
    assert delta(before[timezone_year()], figure(name, YUELU, timezone_year())) == (1, None)  # still running
    assert "青年党员甲" in counted(name, YUELU, 2021)[0]
    assert "青年党员乙" not in counted(name, YUELU, 2021)[0]


def timezone_year():
    from django.utils import timezone

    return timezone.localdate().year


def test_apprentices_titled_within_two_years_of_the_start():
    name = "cultivation.apprentices_titled"
    before = figure(name, YUELU, 2022)
    mentor = Person.objects.get(name="梅溪湖张老师")
    within = person(
        "两年内获评",
        MEIXIHU,
        admitted="2018-06-01",
        full="2019-06-01",
        titles=[("backbone_teacher", "2022-08-31", None)],
    )
    later = person(
        "两年后获评",
        MEIXIHU,
        admitted="2018-06-01",
        full="2019-06-01",
        titles=[("backbone_teacher", "2022-09-02", None)],
    )
    earlier = person(
        "此前已获评",
        MEIXIHU,
        admitted="2018-06-01",
        full="2019-06-01",
        titles=[("backbone_teacher", "2020-08-01", None)],
    )
    running = person(
        "尚在结对",
        MEIXIHU,
        admitted="2018-06-01",
        full="2019-06-01",
        titles=[("backbone_teacher", "2021-01-01", None)],
    )
    school = within.school
    record_mentorships(
        [
            Item({"mentor": mentor, "apprentice": p, "school": school, "start_on": D("2020-09-01"), **end})
            for p, end in [
                (within, {"ended_on": D("2022-06-30")}),
                (later, {"ended_on": D("2022-06-30")}),
                (earlier, {"ended_on": D("2022-06-30")}),
                (running, {}),
            ]
        ],
        by=SYSTEM,
    )
    # Ended in 2022: three apprentices; titled from the start to two years after it: one (a title awarded
    # after the pair ended still counts while within the two years; one awarded before the start does not).
    assert delta(before, figure(name, YUELU, 2022)) == (1, 3)
    numerator, denominator = counted(name, YUELU, 2022)
    assert "两年内获评" in numerator
    assert {"两年后获评", "此前已获评"} <= denominator - numerator
    assert "尚在结对" not in denominator


def test_every_figure_lists_the_people_it_counts():
    for name, people in COUNTED.items():
        value, denominator = figure(name, ROOT, 2025)
        numerator_people, denominator_people = people(org(ROOT), Period.of(2025))
        if name == "cultivation.mentorships":  # pairs, listed by their apprentices
            assert numerator_people.count() <= value
            continue
        assert numerator_people.count() == value, name
        assert denominator_people.count() == denominator, name
