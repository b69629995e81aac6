"""The root row of the 党组织 sheet and its 所辖区县 column (import-templates.md, 党组织 and "The root:"), and
where the schools no organization covers lie (metrics.md, "In scope")."""

import io

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.dataio.exporting import export_workbook
from redengine.dataio.template import build_template
from redengine.imports.tests.generated import ORG_HEADERS, write_xlsx
from redengine.imports.tests.importing import db_counts, refused, run
from redengine.orgs import services
from redengine.orgs.imports import ORGANIZATIONS
from redengine.orgs.models import PartyOrganization, School
from redengine.testing import empty_installation

from .test_api import auth, token_for

pytestmark = pytest.mark.django_db
HEADERS = [*ORG_HEADERS, "所辖区县"]


def org_book(tmp_path, *rows, name="orgs.xlsx"):
    path = tmp_path / name
    path.write_bytes(write_xlsx({"党组织": [HEADERS, *[list(row) for row in rows]]}))
    return path


def row(code, name, org_type, parent=None, schools=None, district=None):
    return [code, name, org_type, parent, schools, None, None, district]


def test_the_root_row_becomes_the_root_of_an_empty_installation(tmp_path):
    empty_installation()
    path = org_book(
        tmp_path,
        row("B430104", "岳麓区教育局党委", "党委", "CITY", district="岳麓区"),  # the parent comes later
        row("CITY", "某市教育工委", "党工委", district="市直"),
    )
    status, _out, err = run(path)
    assert status == 0, err
    root = PartyOrganization.objects.get(code="CITY")
    assert root.depth == 1
    assert root.district == "430100"
    bureau = PartyOrganization.objects.get(code="B430104")
    assert bureau.path.startswith(root.path)
    assert bureau.district == "430104"


def test_two_parentless_rows_in_an_empty_installation_refuse_the_second(tmp_path):
    empty_installation()
    path = org_book(tmp_path, row("CITY", "某市教育工委", "党工委"), row("OTHER", "另一个根", "党工委"))
    err = refused(path)
    assert "第 3 行「上级党组织代码」" in err
    assert "组织树已有根组织某市教育工委（CITY）" in err


def test_a_second_root_is_refused_naming_the_one_recorded(tmp_path):
    path = org_book(tmp_path, row("NEWROOT", "另一个市教育工委", "党工委"))
    err = refused(path)
    assert "党组织 第 2 行「上级党组织代码」" in err
    assert "组织树已有根组织中共长沙市委教育工作委员会（CS0001）" in err
    assert "DEV." not in err


def test_the_recorded_roots_own_row_leaves_it_unchanged(tmp_path):
    root = PartyOrganization.objects.get(code="CS0001")
    before = db_counts()
    path = org_book(tmp_path, row("CS0001", root.name, "党工委", district="430100"))
    status, out, err = run(path)
    assert status == 0, err
    assert db_counts() == before  # nothing written, not even an audit record
    same = PartyOrganization.objects.get(code="CS0001")
    assert (same.path, same.name, same.district) == (root.path, root.name, root.district)


def test_the_district_column_is_validated_at_its_row_and_column(tmp_path):
    path = org_book(
        tmp_path,
        row("CS430104-X1", "测试党委", "党委", "CS0001", district="火星区"),
        row("CS430104-X2", "测试党委二", "党委", "CS0001", district="430104"),  # 岳麓区 has its bureau
        row("CS430104-X3", "测试党委三", "党委", "CS0001", district="430112"),
        row("CS430104-X4", "测试党委四", "党委", "CS0001", district="望城区"),  # twice in the file
    )
    err = refused(path)
    assert "第 2 行「所辖区县」" in err
    assert "火星区" in err
    assert "第 3 行「所辖区县」" in err
    assert "该区县已设置教育局党组织" in err
    assert "第 5 行「所辖区县」" in err


def test_the_district_column_is_exported_and_explained(example_user):
    content, _count, _full = export_workbook(example_user("city_admin"))
    sheet = load_workbook(io.BytesIO(content))["党组织"]
    headers = [cell.value for cell in sheet[1]]
    column = headers.index("所辖区县")
    codes = headers.index("党组织代码")
    served = {r[codes]: r[column] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert served["CS0001"] == "市直"
    assert served["CS430104"] == "岳麓区"
    assert served["CS430104-01"] is None
    template = load_workbook(io.BytesIO(build_template([ORGANIZATIONS])))["党组织"]
    notes = {cell.value: cell.comment.text for cell in template[1] if cell.comment}
    assert "所辖区县" in notes
    assert "教育局" in notes["所辖区县"]
    assert "根组织" in notes["上级党组织代码"]


def wangcheng_uncovered():
    return set(
        School.objects.filter(district="430112", organizations__isnull=True).values_list("code", flat=True)
    )


def test_the_form_sets_the_district_and_uncovered_schools_fall_to_the_root(client_for):
    uncovered = wangcheng_uncovered()
    bureau = PartyOrganization.objects.get(code="CS430112")
    root = PartyOrganization.objects.get(code="CS0001")
    if not uncovered:  # make one: a 望城区 school no organization covers
        uncovered = {
            services.save_schools(
                [
                    Item(
                        {
                            "code": "4301129901",
                            "name": "望城区未建党组织学校",
                            "district": "430112",
                            "ownership": "private",
                            "school_type": "primary",
                            "urban_rural": "rural",
                        }
                    )
                ],
                by=SYSTEM,
            )[0].code
        }
    assert uncovered <= set(School.objects.in_subtree(bureau.path).values_list("code", flat=True))
    data = {
        "code": bureau.code,
        "name": bureau.name,
        "org_type": bureau.org_type,
        "district": "",
        "schools": [],
        "approves_admissions": "on",
    }
    response = client_for("city_admin").post(reverse("orgs:organization_edit", args=[bureau.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    bureau.refresh_from_db()
    assert bureau.district == ""
    assert not uncovered & set(School.objects.in_subtree(bureau.path).values_list("code", flat=True))
    assert uncovered <= set(School.objects.in_subtree(root.path).values_list("code", flat=True))
    data["district"] = "430112"
    response = client_for("city_admin").post(reverse("orgs:organization_edit", args=[bureau.pk]), data)
    assert response.status_code == 302
    bureau.refresh_from_db()
    assert bureau.district == "430112"
    assert uncovered <= set(School.objects.in_subtree(bureau.path).values_list("code", flat=True))


def test_the_api_sets_the_district_through_the_service(client):
    device = TOTPDevice.objects.get(user__username="city_admin")
    key = token_for(client, "city_admin", otp=f"{totp(device.bin_key):06d}").json()["token"]
    bureau = PartyOrganization.objects.get(code="CS430112")
    url = f"/api/orgs/organizations/{bureau.pk}/"
    wrong = client.patch(url, {"district": "999999"}, content_type="application/json", **auth(key))
    assert wrong.status_code == 400
    assert "district" in wrong.json()
    cleared = client.patch(url, {"district": ""}, content_type="application/json", **auth(key))
    assert cleared.status_code == 200, cleared.content
    bureau.refresh_from_db()
    assert bureau.district == ""
    other = PartyOrganization.objects.get(code="CS430104")
    taken = client.patch(
        f"/api/orgs/organizations/{other.pk}/",
        {"district": "430102"},
        content_type="application/json",
        **auth(key),
    )
    assert taken.status_code == 400
    assert "该区县已设置教育局党组织" in taken.content.decode()
    back = client.patch(url, {"district": "430112"}, content_type="application/json", **auth(key))
    assert back.status_code == 200
    bureau.refresh_from_db()
    assert bureau.district == "430112"


def test_a_district_administrator_cannot_take_another_district(client):
    key = token_for(client, "yuelu_admin").json()["token"]
    bureau = PartyOrganization.objects.get(code="CS430112")
    services.save_organizations([Item({"district": ""}, instance=bureau)], by=SYSTEM)  # 望城区 to the root
    branch = PartyOrganization.objects.get(code="CS430104-01")
    response = client.patch(
        f"/api/orgs/organizations/{branch.pk}/",
        {"district": "430112"},
        content_type="application/json",
        **auth(key),
    )
    assert response.status_code == 400
    branch.refresh_from_db()
    assert branch.district == ""
