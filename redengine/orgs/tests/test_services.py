"""The write path of the registry's services (see redengine.testing.writes): as 岳麓区's administrator."""

import datetime
from decimal import Decimal

from redengine.core.services import Item
from redengine.orgs import services
from redengine.orgs.models import GrantStandard, PartyOrganization, School, StartupGrant
from redengine.testing.writes import ServiceCase, build_service_tests

DAY = datetime.date(2025, 3, 1)


def org(code):
    return PartyOrganization.objects.get(code=code)


def school(code):
    return School.objects.get(code=code)


def rename_school(code, by, **values):
    return services.save_schools([Item(values or {"name": "改名测试学校"}, instance=school(code))], by=by)


def rename_org(code, by, **values):
    return services.save_organizations(
        [Item(values or {"name": "改名测试党组织"}, instance=org(code))], by=by
    )


def new_branch(parent, by):
    values = {"code": f"NEW-{parent}", "name": "新建测试支部", "org_type": "branch", "parent": org(parent)}
    return services.save_organizations([Item(values)], by=by)


def move(code, parent, by):
    return services.change_affiliation([services.Move(org(code), org(parent), DAY, "测试文号")], by=by)


def receive(parent, by):
    values = {"code": f"RECV-{parent}", "name": "接收测试支部", "org_type": "branch"}
    reception = services.Reception(org(parent), "某街道党工委", DAY, values, "接收文号")
    return services.receive_organizations([reception], by=by)


def grant_of(code):
    return StartupGrant.objects.get(organization__code=code)


def change_grant(code, by):
    return services.save_grants([Item({"amount": Decimal("1234.00")}, instance=grant_of(code))], by=by)


def new_grant(code, by):
    values = {"organization": org(code), "amount": Decimal("5000.00"), "approved_on": DAY}
    return services.save_grants([Item(values)], by=by)


def change_standard(by):
    standard = GrantStandard.objects.get(org_type="branch")
    return services.save_standards([Item({"amount": Decimal("6000.00")}, instance=standard)], by=by)


CASES = [
    ServiceCase(
        "schools",
        "yuelu_admin",
        allowed=lambda by: rename_school("4301040001", by),
        outside=lambda by: rename_school("4301020001", by),
        reference=lambda by: rename_school("4301040001", by, district="430102"),
        field="district",
    ),
    ServiceCase(
        "organizations",
        "yuelu_admin",
        allowed=lambda by: rename_org("CS430104-01", by),
        outside=lambda by: rename_org("CS430102-01", by),
        reference=lambda by: rename_org("CS430104-01", by, schools=[school("4301020001")]),
        field="schools",
    ),
    ServiceCase(
        "new_organizations",
        "yuelu_admin",
        allowed=lambda by: new_branch("CS430104-03", by),
        outside=None,
        reference=lambda by: new_branch("CS430102-01", by),
        field="parent",
    ),
    ServiceCase(
        "affiliation_changes",
        "yuelu_admin",
        allowed=lambda by: move("CS430104-03", "CS430104-02", by),
        outside=lambda by: move("CS430102-01", "CS430104", by),
        reference=lambda by: move("CS430104-03", "CS430102", by),
        field="new_parent",
    ),
    ServiceCase(
        "receptions",
        "yuelu_admin",
        allowed=lambda by: receive("CS430104", by),
        outside=None,
        reference=lambda by: receive("CS430102", by),
        field="parent",
    ),
    ServiceCase(
        "startup_grants",
        "yuelu_admin",
        allowed=lambda by: change_grant("CS430104-04", by),
        outside=lambda by: change_grant("CS430100-02", by),
        reference=lambda by: new_grant("CS430102-01", by),
        field="organization",
    ),
    ServiceCase(
        "grant_standards",
        "city_admin",
        allowed=change_standard,
        outside=change_standard,
        outsider="yuelu_admin",  # a district administrator reads the city's table, never changes it
    ),
]

globals().update(build_service_tests(*CASES))
