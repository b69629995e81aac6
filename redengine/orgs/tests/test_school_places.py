"""The schools' placements (``SchoolPlace``): what scoping of schools, and of everything placed by a school,
reads. Checked against the rule itself (metrics.md, "In scope"), written here as the correlated look-ups of
coverage and districts it replaced, for every organization of the tree, today and on past days; kept exact
by every write that moves a school; and read through one index range on SQLite and on PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs import services
from redengine.orgs.metrics import school_in_scope_at
from redengine.orgs.models import PartyOrganization, School, SchoolPlace, school_scope_q
from redengine.people.models import Person

pytestmark = pytest.mark.django_db
Coverage = PartyOrganization.schools.through
DAYS = [datetime.date(2012, 1, 1), datetime.date(2019, 12, 31), datetime.date(2024, 6, 30)]


def reference(prefix, day=None):
    """The schools in the subtree at ``prefix`` by the rule, from coverage and districts directly: covered
    by an organization of the subtree (that exists on ``day``), else served by a bureau of the subtree."""
    coverage = Coverage.objects.filter(school_id=OuterRef("pk"))
    if day is not None:
        coverage = coverage.filter(
            Q(partyorganization__founded_on__isnull=True) | Q(partyorganization__founded_on__lte=day)
        )
    served = PartyOrganization.objects.filter(district=OuterRef("district"), path__startswith=prefix).exclude(
        district=""
    )
    rule = Exists(coverage.filter(partyorganization__path__startswith=prefix)) | (
        ~Exists(coverage) & Exists(served)
    )
    return set(School.objects.filter(rule).values_list("pk", flat=True))


class Scope:
    def __init__(self, path):
        self.path = path


def placed(prefix, day=None):
    q = school_scope_q([prefix]) if day is None else school_in_scope_at(Scope(prefix), day)
    return set(School.objects.filter(q).values_list("pk", flat=True))


def assert_exact():
    """The placements are those the rule gives, and every non-root subtree holds the schools the rule puts
    in it, today and on each of ``DAYS``."""
    stored = sorted(SchoolPlace.objects.values_list("school_id", "path", "valid_from", "valid_until"))
    schools = list(School.objects.values_list("pk", "district"))
    expected = sorted(
        (p.school_id, p.path, p.valid_from, p.valid_until) for p in services.place_rows(schools)
    )
    assert stored == expected
    for path in PartyOrganization.objects.filter(depth__gt=1).values_list("path", flat=True):
        assert placed(path) == reference(path), path
        for day in DAYS:
            assert placed(path, day) == reference(path, day), (path, day)


def org(code):
    return PartyOrganization.objects.get(code=code)


def test_the_demo_places_are_the_rules():
    assert SchoolPlace.objects.exists()
    assert_exact()
    root = PartyOrganization.objects.get(depth=1)
    assert placed(root.path) == set(School.objects.values_list("pk", flat=True))


def test_coverage_changes_keep_the_places_exact():
    branch = org("CS430104-01")
    covered = list(branch.schools.all())
    others = list(School.objects.filter(district="430104").exclude(pk__in=[s.pk for s in covered])[:2])
    assert covered
    assert others
    services.save_organizations([Item({"schools": others}, instance=branch)], by=SYSTEM)
    assert_exact()
    services.save_organizations([Item({"schools": covered + others}, instance=branch)], by=SYSTEM)
    assert_exact()


def test_a_founding_date_moves_the_days_of_the_places():
    branch = PartyOrganization.objects.filter(schools__isnull=False, depth__gt=2).first()
    services.save_organizations([Item({"founded_on": datetime.date(2019, 6, 1)}, instance=branch)], by=SYSTEM)
    assert_exact()
    assert SchoolPlace.objects.filter(valid_until=datetime.date(2019, 6, 1)).exists() or all(
        p.valid_from is None for p in SchoolPlace.objects.filter(school__organizations=branch)
    )


def test_a_bureau_leaving_its_district_and_a_school_changing_district():
    bureau = PartyOrganization.objects.get(code="CS430112")
    services.save_organizations([Item({"district": ""}, instance=bureau)], by=SYSTEM)
    assert_exact()
    services.save_organizations([Item({"district": "430112"}, instance=bureau)], by=SYSTEM)
    assert_exact()
    school = School.objects.filter(district="430104", organizations__isnull=True).first()
    services.save_schools([Item({"district": "430102"}, instance=school)], by=SYSTEM)
    assert_exact()


def test_a_new_school_and_a_new_covering_branch():
    (school,) = services.save_schools(
        [
            Item(
                {
                    "code": "4301049977",
                    "name": "安置测试学校",
                    "district": "430104",
                    "ownership": "public",
                    "school_type": "primary",
                    "urban_rural": "urban",
                }
            )
        ],
        by=SYSTEM,
    )
    assert_exact()
    assert SchoolPlace.objects.filter(school=school, path=org("CS430104").path).exists()
    values = {
        "code": "NEW-PLACE",
        "name": "安置测试支部",
        "org_type": "branch",
        "parent": org("CS430104"),
        "schools": [school],
    }
    services.save_organizations([Item(values)], by=SYSTEM)
    assert_exact()


def test_an_affiliation_change_carries_the_places_of_the_subtree():
    moved = PartyOrganization.objects.filter(depth=3, schools__isnull=False).first()
    parent = PartyOrganization.objects.filter(depth=2).exclude(path=moved.path[:-4]).first()
    services.change_affiliation([services.Move(moved, parent, datetime.date(2025, 3, 1), "文号")], by=SYSTEM)
    moved.refresh_from_db()
    assert moved.path.startswith(parent.path)
    assert_exact()


def test_deleting_an_organization_replaces_its_places():
    values = {
        "code": "DEL-PLACE",
        "name": "删除测试支部",
        "org_type": "branch",
        "parent": org("CS430104"),
        "schools": list(School.objects.filter(district="430104")[:2]),
    }
    (branch,) = services.save_organizations([Item(values)], by=SYSTEM)
    assert_exact()
    services.ORGANIZATIONS.delete([branch], by=SYSTEM)
    assert not SchoolPlace.objects.filter(path=branch.path).exists()
    assert_exact()


def explain(queryset):
    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test database is tiny: a sequential scan is cheaper there. Disabled for this transaction,
            # the plan shows which index serves the filter (as at the city's size, where it is chosen).
            cursor.execute("SET LOCAL enable_seqscan = off")
            # Nor, on a dozen rows, does it matter in which order the placements are read: a merge join
            # walks them in the order of their school (by its index, filtering the path row by row), where
            # the demo city's plan is a nested loop from the placements' range (docs/performance.md).
            # Statistics as autovacuum keeps them, so that the rows other tests left in the shared test
            # database do not sway the choice.
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute("ANALYZE orgs_schoolplace, people_person")
        cursor.execute(prefix + sql, params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_a_districts_people_are_read_through_the_placement_index():
    """The scope is a prefix range of the placement index, on either database (the count of a district's
    people never reads the whole table of people: it goes by the index of their school)."""
    bureau = org("CS430104")
    people = Person.objects.filter(Person.scope_filter([bureau.path]))
    plan = explain(people.values("pk"))
    assert "orgs_place_path_school" in plan, plan
    assert people.count() == Person.objects.filter(school_id__in=reference(bureau.path)).count() > 0
