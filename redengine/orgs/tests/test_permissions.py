"""The permission matrix for the registry (see redengine.testing.matrix): one line per model."""

from redengine.orgs.models import PartyOrganization, School
from redengine.testing.matrix import ScopedCase, build_matrix


def school_owners(school):
    covering = list(school.organizations.all())
    return covering or list(PartyOrganization.objects.filter(district=school.district))


ORGANIZATIONS = ScopedCase(
    name="organization",
    model=PartyOrganization,
    lookup="code",
    owners=lambda org: [org],
    url_prefix="orgs:organization",
    api_url="/api/orgs/organizations/",
    positions={
        "own": "CS430104-02-01",
        "sibling": "CS430104-01",
        "ancestor": "CS430104",
        "joint": "CS430104-04",
        "other_district": "CS430102-01",
        "root": "CS0001",
    },
    edit_fields=["code", "name", "org_type", "founded_on", "schools"],
    deletable=lambda org: (
        org.delete_refusal() is None
        and not org.memberships.exists()
        and not org.startup_grants.exists()
        and not org.affiliation_changes.exists()
    ),
    create_data=lambda parent: {
        "code": f"NEW-{parent.code}",
        "name": "新建测试支部",
        "org_type": "branch",
        "parent": parent.code,
        "founded_on": "",
        "schools": [],
    },
    create_owners=lambda parent: [parent],
)
SCHOOLS = ScopedCase(
    name="school",
    model=School,
    lookup="code",
    owners=school_owners,
    url_prefix="orgs:school",
    api_url="/api/orgs/schools/",
    positions={
        "own": "4301040002",
        "sibling": "4301040001",
        "private": "4301040004",
        "other_district": "4301020001",
        "city_direct": "4301000001",
    },
    edit_fields=["code", "name", "district", "ownership", "school_type", "urban_rural", "city_managed"],
    create_data=lambda school: {
        "code": f"{school.code[:6]}9999",
        "name": "新建测试学校",
        "district": school.district,
        "ownership": "public",
        "school_type": "primary",
        "urban_rural": "rural",
    },
    create_owners=lambda school: list(PartyOrganization.objects.filter(district=school.district)),
    deletable=lambda school: not school.staff.exists() and not school.dispatches.exists(),
)

globals().update(build_matrix(ORGANIZATIONS, SCHOOLS))
