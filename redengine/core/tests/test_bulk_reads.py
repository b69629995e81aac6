"""Pen-test finding 7: bulk reads of personal data were neither limited nor logged (the inspector's token
read 30,012 people in 61 requests; exports of 30,014 rows needed no approval). Now: per-account rate
limits on the API's personal data, an access-log row per read with the people counted per account and
window, a volume alert to the security and audit administrators, and a second person's approval for
large or unmasked exports, downloaded once."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.accounts.models import ApiToken
from redengine.core.approvals import download_url
from redengine.core.models import AccessEvent, ExportRequest, Notification, PersonalReadWindow
from redengine.core.reads import window_start
from redengine.people.models import Person
from redengine.testing import export_with_approval, login_client

pytestmark = pytest.mark.django_db
PEOPLE_API = "/api/people/people/"


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture
def inspector_key(example_user):
    key, _token = ApiToken.issue(example_user("inspector"))
    return key


def events(kind, username):
    return AccessEvent.objects.filter(kind=kind, username=username)


def read_every_page(client, key, page_size):
    """The attack: page through every person the token may see."""
    url, pages, ids = PEOPLE_API + f"?page_size={page_size}", 0, []
    while url:
        response = client.get(url, **auth(key))
        assert response.status_code == 200
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    return pages, ids


def test_paging_through_people_is_logged_once_per_request_and_counted(client, example_user, inspector_key):
    inspector = example_user("inspector")
    pages, ids = read_every_page(client, inspector_key, page_size=7)
    assert pages > 1
    assert set(ids) == set(Person.objects.visible_to(inspector).values_list("pk", flat=True))
    reads = events(AccessEvent.Kind.READ, "inspector")
    assert reads.count() == pages  # one row per request…
    assert sum(reads.values_list("row_count", flat=True)) == len(ids)  # …with the rows it read
    assert set(reads.values_list("object_type", flat=True)) == {"people.person"}
    window = PersonalReadWindow.objects.get(user=inspector, window_start=window_start())
    assert window.requests == pages  # one row per account and window, updated per request
    assert window.people == sorted(ids)
    assert window.people_count == len(ids)
    assert PersonalReadWindow.objects.filter(user=inspector).count() == 1
    # Reading the same people again adds requests, not people.
    read_every_page(client, inspector_key, page_size=50)
    window.refresh_from_db()
    assert window.people_count == len(ids)


def test_read_accounting_costs_the_same_queries_whatever_the_page_size(client, inspector_key):
    client.get(PEOPLE_API, {"page_size": 1}, **auth(inspector_key))  # the window row exists from here on

    def queries(page_size):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PEOPLE_API, {"page_size": page_size}, **auth(inspector_key)).status_code == 200
        return len(captured)

    assert queries(2) == queries(40)
    # Records of a person (memberships) name their people with one query at most.
    assert client.get("/api/people/memberships/", {"page_size": 40}, **auth(inspector_key)).status_code == 200
    with CaptureQueriesContext(connection) as small:
        client.get("/api/people/memberships/", {"page_size": 2}, **auth(inspector_key))
    with CaptureQueriesContext(connection) as large:
        client.get("/api/people/memberships/", {"page_size": 40}, **auth(inspector_key))
    assert len(small) == len(large)


def test_detail_pages_list_pages_and_the_api_detail_are_logged(
    client, client_for, example_user, inspector_key
):
    person = Person.objects.visible_to(example_user("yuelu_admin")).first()
    web = client_for("yuelu_admin")
    assert web.get(reverse("people:person_list")).status_code == 200
    assert web.get(reverse("people:person_detail", args=[person.pk])).status_code == 200
    reads = list(events(AccessEvent.Kind.READ, "yuelu_admin").order_by("id"))
    assert [r.object_type for r in reads] == ["people.person", "people.person"]
    assert reads[1].row_count == 1
    assert str(person.id_number_masked) not in reads[1].path  # no identifier in the log
    api = Client()
    assert api.get(f"{PEOPLE_API}{person.pk}/", **auth(inspector_key)).status_code == 200
    assert events(AccessEvent.Kind.READ, "inspector").get().row_count == 1
    # Records that are not about people are not counted.
    assert web.get(reverse("orgs:school_list")).status_code == 200
    assert events(AccessEvent.Kind.READ, "yuelu_admin").count() == 2


def test_api_reads_of_personal_data_are_rate_limited_per_account(
    client, settings, inspector_key, example_user
):
    settings.API_PERSONAL_READ_RATES = {"default": "50/min", "inspector": "4/min"}
    answers = [client.get(PEOPLE_API, **auth(inspector_key)) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 4 + [429] * 3
    refused = answers[4]
    assert "个人信息" in refused.json()["detail"]  # a Chinese message
    assert int(refused["Retry-After"]) > 0
    assert events(AccessEvent.Kind.THROTTLED, "inspector").count() == 1  # once per window, not per request
    assert events(AccessEvent.Kind.READ, "inspector").count() == 4  # the refused ones read nothing
    # Records that are not personal are not limited; another account has its own count.
    assert client.get("/api/orgs/schools/", **auth(inspector_key)).status_code == 200
    other, _token = ApiToken.issue(example_user("yuelu_admin"))
    assert client.get(PEOPLE_API, **auth(other)).status_code == 200


def test_reading_many_people_alerts_the_security_and_audit_administrators_once(
    client, settings, inspector_key
):
    settings.BULK_READ_ALERT_PEOPLE = 10
    read_every_page(client, inspector_key, page_size=6)
    alerts = events(AccessEvent.Kind.VOLUME_ALERT, "inspector")
    assert alerts.count() == 1
    assert alerts.get().row_count > 10
    told = Notification.objects.filter(key__startswith="volume-alert-")
    assert set(told.values_list("user__username", flat=True)) == {"sec_admin", "audit_admin"}
    assert "孙明" in told.first().title
    read_every_page(client, inspector_key, page_size=6)  # the same window: no second alert
    assert alerts.count() == 1
    assert told.count() == 2


def test_after_the_alert_the_window_row_no_longer_grows_with_what_is_read(
    client, settings, inspector_key, example_user
):
    """The window keeps the distinct people only until the alert: a big reader's row (rewritten on each
    request) must not grow with everything the account reads after."""
    settings.BULK_READ_ALERT_PEOPLE = 10
    _pages, ids = read_every_page(client, inspector_key, page_size=6)
    window = PersonalReadWindow.objects.get(user=example_user("inspector"), window_start=window_start())
    assert window.alerted_at is not None
    assert window.people == []
    assert 10 < window.people_count <= len(set(ids))  # the count when the alert was raised
    alerted_count, requests = window.people_count, window.requests
    pages, _ids = read_every_page(client, inspector_key, page_size=5)
    window.refresh_from_db()
    assert window.people == []
    assert window.people_count == alerted_count
    assert window.requests == requests + pages  # every request still counted


def test_a_small_export_of_masked_columns_stays_immediate(client_for):
    web = client_for("yuelu_admin")
    response = web.get(reverse("people:person_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportRequest.objects.exists()
    assert events(AccessEvent.Kind.READ, "yuelu_admin").get().detail == "export"


def test_a_large_export_waits_for_a_second_persons_approval(client_for, settings, example_user):
    settings.EXPORT_APPROVAL_THRESHOLD = 5
    web = client_for("yuelu_admin")
    url = reverse("people:person_list") + "?export=xlsx&political_status="
    asked = web.get(url)
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("export_requests"))
    export = ExportRequest.objects.get()
    count = Person.objects.visible_to(example_user("yuelu_admin"), "export").count()
    assert (export.state, export.row_count, export.view_name) == ("pending", count, "people:person_list")
    assert not events(AccessEvent.Kind.EXPORT, "yuelu_admin").exists()  # no file yet
    page = web.get(reverse("export_requests")).content.decode()
    assert f'id="request-{export.pk}"' in page
    assert "等待审批" in page
    # The city administrator approves it; the requester downloads it once.
    approver = login_client(Client(), example_user("city_admin"))
    approver_page = approver.get(reverse("export_requests")).content.decode()
    assert f'id="pending-{export.pk}"' in approver_page
    assert f'href="{reverse("export_requests")}"' in approver_page  # in the approver's menu
    assert approver.post(reverse("export_request_approve", args=[export.pk])).status_code == 302
    response = web.get(download_url(export))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    stamp = book.active["A1"].value
    assert "王志强" in stamp
    assert "陈建国" in stamp
    assert book.active.max_row == count + 2
    export.refresh_from_db()
    assert export.state == "downloaded"
    assert export.approved_by.username == "city_admin"
    again = web.get(download_url(export))
    assert again.status_code == 302  # once only
    assert events(AccessEvent.Kind.EXPORT, "yuelu_admin").count() == 1
    details = list(
        AccessEvent.objects.filter(kind=AccessEvent.Kind.APPROVAL).values_list("detail", flat=True)
    )
    assert details[2] == "requested"
    assert details[1].startswith("approved")
    assert details[0] == "downloaded"


def test_who_may_approve_an_export(client_for, settings, example_user):
    settings.EXPORT_APPROVAL_THRESHOLD = 5
    client_for("yuelu_admin").get(reverse("people:person_list") + "?export=xlsx")
    export = ExportRequest.objects.get()
    clients = {name: login_client(Client(), example_user(name)) for name in ("yuelu_admin", "furong_admin")}
    approve = reverse("export_request_approve", args=[export.pk])
    assert clients["yuelu_admin"].post(approve).status_code == 404  # never the requester
    assert clients["furong_admin"].post(approve).status_code == 404  # another district: as if absent
    assert login_client(Client(), example_user("school_secretary")).post(approve).status_code == 403
    assert login_client(Client(), example_user("sec_admin")).post(approve).status_code == 403
    export.refresh_from_db()
    assert export.state == "pending"
    # The inspector (over the whole city) may reject it; it cannot be downloaded then.
    inspector = login_client(Client(), example_user("inspector"))
    assert inspector.post(reverse("export_request_reject", args=[export.pk])).status_code == 302
    export.refresh_from_db()
    assert export.state == "rejected"
    assert export.approved_by.username == "inspector"
    assert inspector.post(approve).status_code == 404  # decided already
    assert client_for("yuelu_admin").get(download_url(export)).status_code == 302


def test_an_approval_expires(client_for, settings, example_user):
    settings.EXPORT_APPROVAL_THRESHOLD = 5
    web = client_for("yuelu_admin")
    web.get(reverse("people:person_list") + "?export=xlsx")
    export = ExportRequest.objects.get()
    login_client(Client(), example_user("city_admin")).post(
        reverse("export_request_approve", args=[export.pk])
    )
    ExportRequest.objects.filter(pk=export.pk).update(
        decided_at=timezone.now() - settings.EXPORT_APPROVAL_VALID - datetime.timedelta(minutes=1)
    )
    assert web.get(download_url(export)).status_code == 302
    assert not events(AccessEvent.Kind.EXPORT, "yuelu_admin").exists()


def test_an_export_request_never_holds_an_identifier(client_for, settings, example_user):
    settings.EXPORT_APPROVAL_THRESHOLD = 0
    person = Person.objects.visible_to(example_user("yuelu_admin")).first()
    web = client_for("yuelu_admin")
    response = web.get(reverse("people:person_list"), {"export": "xlsx", "q": person.reveal_id_number()})
    assert response.status_code == 302
    assert not ExportRequest.objects.exists()
    # Nor does the access log: the search by ID number is logged without it.
    logged = AccessEvent.objects.filter(username="yuelu_admin").values_list("path", "detail")
    assert not [row for row in logged if person.reveal_id_number() in "".join(row)]
    web.get(reverse("people:person_list"), {"q": person.reveal_id_number()})  # the list page's own search
    assert events(AccessEvent.Kind.READ, "yuelu_admin").get().path == reverse("people:person_list") + "?q=***"
    assert web.get(reverse("people:person_list"), {"export": "xlsx", "q": person.name}).status_code == 302
    assert QueryDict(ExportRequest.objects.get().query)["q"] == person.name


def test_the_import_workbook_with_full_id_numbers_needs_approval(client_for, example_user):
    web = client_for("city_admin")  # may reveal: the workbook holds ID numbers in full
    assert web.get(reverse("imports:export")).status_code == 302
    assert ExportRequest.objects.get().reason == "完整的身份证号码和手机号码"
    response = export_with_approval(web, reverse("imports:export"), example_user("inspector"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "孙明" in book.worksheets[0]["A1"].comment.text
