"""The benchmarks' province (``bench/generate.py``, ``demo/province.py``) at a tiny scale, added beside the
example tree the tests load: its size follows the scale, its tree has five levels, every person is at one
of its schools, its accounts see what their role holds, and a seed gives the same rows again."""

import importlib.util
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import Count, Q

import redengine
from redengine.accounts.models import User
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.demo import province
from redengine.orgs import services as org_services
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Membership, Person

pytestmark = pytest.mark.django_db

SCALE = 0.001  # 33 schools, 1,000 people, about 100 organizations: a few seconds
COVERAGE = PartyOrganization.schools.through


def load_bench():
    path = Path(redengine.__file__).resolve().parent.parent / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def generate():
    # The example tree's bureaus hold every Changsha code. 岳麓区's is given back (a write of the service), so
    # that the province's 岳麓区 bureau holds it, and the small schools left uncovered there fall to it.
    yuelu = PartyOrganization.objects.get(code="CS430104")
    org_services.save_organizations([Item({"district": ""}, instance=yuelu)], by=SYSTEM)
    # Seed 4 leaves one of 岳麓区's three schools uncovered at this scale.
    return bench.generate(scale=SCALE, seed=4, force=True, analyze=False)


def province_root():
    return PartyOrganization.objects.get(code=province.ROOT[0])


def province_schools():
    return School.objects.filter(code__in=[s.code for s in School.objects.all() if s.code[6:] >= "5001"])


def test_a_database_that_is_not_empty_is_refused():
    with pytest.raises(province.GenerationRefusedError, match="not empty"):
        bench.generate(scale=SCALE)
    assert not PartyOrganization.objects.filter(code=province.ROOT[0]).exists()


def check_counts(generated):
    """Schools and people scale exactly, organizations, memberships, cases and titles in proportion."""
    counts = generated["counts"]
    assert counts["schools"] == province_schools().count() == round(province.SIZES["schools"] * SCALE)
    assert counts["people"] == round(province.SIZES["people"] * SCALE)
    assert 0.35 < counts["memberships"] / counts["people"] < 0.45  # about 40% members
    root = province_root()
    assert PartyOrganization.objects.filter(path__startswith=root.path).count() == counts["organizations"]
    assert 70 <= counts["organizations"] <= 140  # about 100,000 at scale 1
    assert 0.03 < counts["development cases"] / counts["people"] < 0.08  # about 5%
    assert counts["development steps"] > 10 * counts["development cases"]
    assert 0.03 < counts["titles"] / counts["people"] < 0.1
    assert set(generated["rows"]) == {step.name for step in province.STEPS}
    assert all(generated["seconds"][step.name] > 0 for step in province.STEPS)


def check_tree():
    """Root, cities, bureaus, the schools' organizations, the branches of committees and general branches."""
    root = province_root()
    orgs = PartyOrganization.objects.filter(path__startswith=root.path)
    levels = dict(orgs.values_list("depth").annotate(n=Count("pk")))
    assert sorted(levels) == list(range(root.depth, root.depth + 5))
    assert levels[root.depth] == 1
    types = {
        depth - root.depth + 1: set(orgs.filter(depth=depth).values_list("org_type", flat=True))
        for depth in levels
    }
    assert types[2] == {"working_committee"}  # the cities' committees
    assert "committee" in types[3]  # the bureaus (and the city-direct schools' organizations)
    assert types[4] <= {"committee", "general_branch", "branch", "joint_branch"}  # the schools' organizations
    assert "general_branch" in types[4]
    assert types[5] == {"branch"}  # the branches of the schools' committees and general branches
    parents = {o.path: o.org_type for o in orgs.filter(org_type__in=["committee", "general_branch"])}
    for path in orgs.filter(depth=root.depth + 4).values_list("path", flat=True):
        assert parents[path[: -PartyOrganization.steplen]] in {"committee", "general_branch"}
    assert PartyOrganization.objects.find_problems() == ([], [], [], [], [])


def check_people(generated):
    """Every person is at a school of the province (its headcount theirs), every membership in its tree."""
    schools = province_schools()
    people = Person.objects.filter(school__in=schools)
    assert people.count() == generated["counts"]["people"]
    staff = dict(people.values_list("school").annotate(n=Count("pk")))
    for school in schools:
        assert staff.get(school.pk, 0) == school.staff_headcount > 0
    root = province_root()
    memberships = Membership.objects.filter(person__in=people)
    assert memberships.count() == generated["counts"]["memberships"]
    assert not memberships.exclude(organization__path__startswith=root.path).exists()
    for membership in memberships.select_related("person", "organization"):
        membership.full_clean()  # admitted at 18 or later, full at the end of the probation
        assert membership.person.political_status == ("member" if membership.full_on else "probationary")
    for org in PartyOrganization.objects.filter(path__startswith=root.path):
        org.full_clean()
    # The other cities would carry codes the table lacks; at this scale the province is Changsha alone.
    assert set(schools.values_list("district", flat=True)) <= {
        code for code, *_ in province.hunan.CITIES[0][3]
    } | {"430100"}


def check_scopes(generated):
    """The district administrator sees the people of the schools covered in the bureau's subtree and of the
    district's uncovered schools, nothing else; the secretary their school's; each account logs in."""
    user = User.objects.get(username="bench_district")
    bureau = PartyOrganization.objects.get(code=generated["district"])
    assert bureau.district == "430104"  # the one code left free
    covered = COVERAGE.objects.filter(partyorganization__path__startswith=bureau.path).values("school_id")
    uncovered = School.objects.filter(district=bureau.district, organizations__isnull=True)
    assert uncovered.exists()
    assert covered.exists()
    expected = set(
        Person.objects.filter(Q(school__in=covered) | Q(school__in=uncovered)).values_list("pk", flat=True)
    )
    visible = Person.objects.visible_to(user)
    assert set(visible.values_list("pk", flat=True)) == expected
    assert set(visible.values_list("school__district", flat=True)) == {"430104"}
    secretary = User.objects.get(username="bench_school")
    school = School.objects.get(pk=generated["school"])
    seen = Person.objects.visible_to(secretary)
    assert set(seen.values_list("pk", flat=True)) == set(school.staff.values_list("pk", flat=True))
    for username, account in generated["accounts"].items():
        account_user = User.objects.get(username=username)
        assert account_user.check_password(account["password"])
        assert [a.role for a in account_user.assignments()] == [account["role"]]
        assert bool(account["totp_secret"]) == account_user.requires_2fa
    whole = User.objects.get(username="bench_province")
    assert Person.objects.visible_to(whole).filter(school__in=province_schools()).count() == 1000


def test_the_province_at_a_tiny_scale():
    generated = generate()  # once (a few seconds), for the four checks
    check_counts(generated)
    check_tree()
    check_people(generated)
    check_scopes(generated)


def test_the_same_seed_writes_the_same_rows():
    digests = []
    for _run in range(2):
        with transaction.atomic():
            result = bench.generate(scale=0.0005, seed=5, force=True, analyze=False)
            digests.append((result["counts"], bench.checksum()))
            transaction.set_rollback(True)
    assert digests[0] == digests[1]
    assert digests[0][0]["people"] == 500
