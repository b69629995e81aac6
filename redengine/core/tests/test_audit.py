"""The audit trail and the access log (security-goals.md: Audit)."""

import pytest
from django.urls import reverse

from redengine.accounts import services
from redengine.accounts.models import ApiToken, User
from redengine.core import audit
from redengine.core.models import AccessEvent, AppendOnlyError, ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, writing
from redengine.orgs.models import PartyOrganization, School
from redengine.orgs.services import SCHOOLS
from redengine.testing import audit_store_fails, login_client

pytestmark = pytest.mark.django_db


def school_form(school, **changes):
    data = {
        "code": school.code,
        "name": school.name,
        "district": school.district,
        "ownership": school.ownership,
        "school_type": school.school_type,
        "urban_rural": school.urban_rural,
        "city_managed": school.city_managed,
    }
    data.update(changes)
    return data


def changes_for(obj):
    """The object's change records after the demo data set created it."""
    return ObjectChange.objects.filter(
        object_id=str(obj.pk), content_type__model=obj._meta.model_name
    ).exclude(actor="manage.py seed_demo")


def test_a_change_through_the_ui_leaves_one_record_with_before_and_after(client_for):
    school = School.objects.get(code="4301040001")
    client = client_for("yuelu_admin")
    response = client.post(
        reverse("orgs:school_edit", args=[school.pk]),
        school_form(school, name="岳麓区麓山实验小学（新校区）", urban_rural="town"),
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302
    records = list(changes_for(school))
    assert len(records) == 1
    record = records[0]
    assert record.action == "update"
    assert record.username == "yuelu_admin"
    assert record.actor == "web"
    assert record.ip_address == "10.20.30.40"
    assert len(record.request_id) == 32
    assert sorted(record.changed_fields) == ["name", "urban_rural"]
    assert record.before["name"] == "岳麓区麓山实验小学"
    assert record.after["name"] == "岳麓区麓山实验小学（新校区）"
    assert record.before["urban_rural"] == "urban"
    assert record.after["urban_rural"] == "town"
    assert record.scope_path.startswith(PartyOrganization.objects.get(code="CS430104").path)


def test_a_change_through_the_api_leaves_one_record_with_before_and_after(client, example_user):
    key, _ = ApiToken.issue(example_user("furong_admin"))
    school = School.objects.get(code="4301020001")
    response = client.patch(
        f"/api/orgs/schools/{school.pk}/",
        {"name": "芙蓉区朝阳路小学（本部）"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 200
    records = list(changes_for(school))
    assert len(records) == 1
    assert records[0].username == "furong_admin"
    assert records[0].actor == "api"
    assert records[0].changed_fields == ["name"]
    assert records[0].before["name"] == "芙蓉区朝阳路小学"
    assert records[0].after["name"] == "芙蓉区朝阳路小学（本部）"


def test_a_save_that_changes_nothing_leaves_no_record():
    school = School.objects.get(code="4301040001")
    school.save()
    assert not changes_for(school).exists()


def test_create_coverage_and_delete_are_recorded(client_for):
    client = client_for("yuelu_admin")
    response = client.post(
        reverse("orgs:organization_add"),
        {
            "code": "CS430104-09",
            "name": "岳麓区测试党支部",
            "org_type": "branch",
            "parent": "CS430104",
            "founded_on": "2020-05-04",
            "schools": [School.objects.get(code="4301040003").pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    org = PartyOrganization.objects.get(code="CS430104-09")
    actions = list(changes_for(org).order_by("id").values_list("action", "changed_fields"))
    assert actions[0][0] == "create"
    assert actions[1] == ("update", ["schools"])
    assert client.post(reverse("orgs:organization_delete", args=[org.pk])).status_code == 302
    deleted = changes_for(org).get(action="delete")
    assert deleted.before["code"] == "CS430104-09"
    assert deleted.after is None


def test_if_the_audit_write_fails_the_business_write_rolls_back(client_for):
    school = School.objects.get(code="4301040001")
    client = client_for("yuelu_admin")
    client.raise_request_exception = False
    with audit_store_fails():
        response = client.post(
            reverse("orgs:school_edit", args=[school.pk]), school_form(school, name="不应保存")
        )
    assert response.status_code >= 500
    school.refresh_from_db()
    assert school.name == "岳麓区麓山实验小学"


def test_a_write_outside_a_service_is_refused():
    school = School.objects.get(code="4301040001")
    school.name = "绕过服务"
    with pytest.raises(audit.WriteOutsideServiceError):
        school.save()
    with pytest.raises(audit.WriteOutsideServiceError):
        audit.bulk_create_audited(School, [School(code="4301049991", name="x", district="430104")])


def rename(school, name):
    (school,) = SCHOOLS.save([Item({"name": name}, instance=school)], by=SYSTEM)
    return school


def test_audit_rows_cannot_be_changed_or_deleted():
    school = School.objects.get(code="4301040001")
    rename(school, "改名")
    record = changes_for(school).get()
    record.actor = "forged"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ObjectChange.objects.filter(pk=record.pk).update(actor="forged")
    with pytest.raises(AppendOnlyError):
        ObjectChange.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()


def test_audit_pages_have_no_way_to_edit(client_for):
    client = client_for("city_admin")
    assert client.post(reverse("audit_changes")).status_code == 405
    assert client.post(reverse("audit_access")).status_code == 405


def make_inspector(username, org_code):
    user, _ = services.create_account(username=username, password="Inspect@2026x", by=SYSTEM)
    user.must_change_password = False
    user.save()
    services.grant_role(
        user=user, role="inspector", organization=PartyOrganization.objects.get(code=org_code), by=SYSTEM
    )
    return user


def test_the_trail_is_browsable_within_the_scope_only(client):
    furong = School.objects.get(code="4301020001")
    yuelu = School.objects.get(code="4301040001")
    for school, name in [(furong, "芙蓉改名标记"), (yuelu, "岳麓改名标记")]:
        rename(school, name)
    login_client(client, make_inspector("yuelu_inspector", "CS430104"))
    page = client.get(reverse("audit_changes")).content.decode()
    assert "岳麓改名标记" in page
    assert "芙蓉改名标记" not in page


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("city_admin", 200),
        ("inspector", 200),
        ("audit_admin", 200),
        ("yuelu_admin", 403),
        ("school_secretary", 403),
        ("instructor", 403),
        ("sys_admin", 403),
        ("sec_admin", 403),
    ],
)
def test_who_may_browse_the_trail(client_for, username, status):
    client = client_for(username)
    assert client.get(reverse("audit_changes")).status_code == status
    assert client.get(reverse("audit_access")).status_code == status


def test_audit_admin_sees_account_changes_city_admin_does_not(client_for):
    services.create_account(username="trail_marker_account", by=SYSTEM)
    assert "trail_marker_account" in client_for("audit_admin").get(reverse("audit_changes")).content.decode()
    assert (
        "trail_marker_account" not in client_for("city_admin").get(reverse("audit_changes")).content.decode()
    )


def test_trail_filters(client_for):
    school = School.objects.get(code="4301040001")
    rename(school, "筛选标记")
    client = client_for("city_admin")
    hit = client.get(reverse("audit_changes"), {"object_id": str(school.pk), "action": "update"})
    assert "筛选标记" in hit.content.decode()
    miss = client.get(reverse("audit_changes"), {"object_id": str(school.pk), "action": "delete"})
    assert "筛选标记" not in miss.content.decode()


def test_exports_are_logged_with_their_row_count(client_for):
    client = client_for("yuelu_admin")
    response = client.get(reverse("orgs:school_list"), {"export": "xlsx", "ownership": "private"})
    assert response.status_code == 200
    event = AccessEvent.objects.get(kind="export", username="yuelu_admin")
    assert event.row_count == School.objects.filter(district="430104", ownership="private").count()
    assert "ownership=private" in event.detail


def test_logins_and_refusals_are_logged(client, client_for, example_user):
    client.post("/accounts/login/", {"username": "yuelu_admin", "password": "Hongse@2026"})
    assert AccessEvent.objects.filter(kind="login", username="yuelu_admin").exists()
    assert client_for("sys_admin").get(reverse("orgs:school_list")).status_code == 403
    assert AccessEvent.objects.filter(
        kind="refused", username="sys_admin", object_type="orgs.school"
    ).exists()
    key, _ = ApiToken.issue(example_user("audit_admin"), otp_verified=True)
    assert client.get("/api/orgs/schools/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 403
    assert AccessEvent.objects.filter(
        kind="refused", username="audit_admin", object_type="orgs.school"
    ).exists()


def test_access_events_are_scoped_to_the_accounts_subtree(client):
    from redengine.core.audit import log_access

    yuelu_event = log_access("login", user=User.objects.get(username="yuelu_admin"))
    furong_event = log_access("login", user=User.objects.get(username="furong_admin"))
    technical = log_access("login", user=User.objects.get(username="sys_admin"))
    assert yuelu_event.scope_path == PartyOrganization.objects.get(code="CS430104").path
    assert technical.scope_path == ""
    login_client(client, make_inspector("yuelu_inspector2", "CS430104"))
    ids = {row.pk for row in client.get(reverse("audit_access")).context["object_list"]}
    assert yuelu_event.pk in ids
    assert furong_event.pk not in ids
    assert technical.pk not in ids


def test_failed_logins_are_seen_by_the_accounts_auditors(client):
    client.post("/accounts/login/", {"username": "yuelu_admin", "password": "wrong"})
    event = AccessEvent.objects.get(kind="login_failed", username="yuelu_admin")
    assert event.scope_path == PartyOrganization.objects.get(code="CS430104").path


def test_bulk_created_objects_are_audited_in_bulk(django_assert_max_num_queries):
    schools = [
        School(
            code=f"43010400{i:02d}",
            name=f"批量学校{i}",
            district="430104",
            ownership="public",
            school_type="primary",
            urban_rural="rural",
        )
        for i in range(60, 80)
    ]
    with django_assert_max_num_queries(6), writing(SYSTEM):
        created = audit.bulk_create_audited(School, schools)
    records = ObjectChange.objects.filter(
        object_id__in=[str(s.pk) for s in created], action="create", content_type__model="school"
    )
    assert records.count() == 20
    assert records.first().after["district"] == "430104"


def test_client_address_behind_trusted_proxies(client_for, settings):
    from redengine.core.middleware import RequestContextMiddleware

    settings.TRUSTED_PROXY_COUNT = 1
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        from django.http import HttpResponse

        return HttpResponse()

    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.7", REMOTE_ADDR="127.0.0.1")
    RequestContextMiddleware(view)(request)
    assert seen["addr"] == "10.0.0.7"  # what nginx saw; the forged first entry is ignored
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="127.0.0.1")
    RequestContextMiddleware(view)(request)
    assert seen["addr"] == "127.0.0.1"


def test_database_outage_answers_503_naming_nothing_secret(rf):
    from django.db import OperationalError

    from redengine.core.views import server_error

    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert "DATABASE_URL" in response.content.decode()
    try:
        raise ValueError("boom")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500


def test_a_record_shows_its_own_change_history_within_the_scope(client_for):
    from redengine.core.templatetags.history import history_url

    school = School.objects.get(code="4301040001")
    rename(school, "历史标记学校")
    url = history_url(school)
    html = client_for("yuelu_admin").get(url).content.decode()
    assert "学校名称" in html
    assert client_for("furong_admin").get(url).status_code == 404
    page = client_for("yuelu_admin").get(school.get_absolute_url()).content.decode()
    assert url in page
