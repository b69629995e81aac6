"""The to-do list of the first page (core/todo.py): per role, its items with counts equal to independent
counts and links to the filtered lists; a bounded number of queries; the bell in the phone's top bar."""

import datetime
import re

import pytest
from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.development.models import CaseStatus, DevelopmentCase
from redengine.orgs.models import PartyOrganization
from redengine.orgs.services import save_organizations

pytestmark = pytest.mark.django_db
# the dashboard's own queries (see test_dashboard.py) and a fixed number per to-do item
# (a school's list longer than it shows costs one more query: its count)
# (pioneer, showcase, pairing: +4 for the city; star rating: +4 for the city, +2 for a secretary;
# membership's transfers: +4 for each, one per item: waiting, late, letters, proposals;
# membership's states: +4 for the city, +3 for a secretary: lapses, proposals, floating, 留党察看 ended;
# membership's dues: +3 for each when nothing waits: arrears, members without a base, the month not opened)
TODO_QUERIES = {"city_admin": 51, "school_secretary": 40}


def items_of(response):
    return {todo.key: todo for _section, todos in response.context["todo_sections"] for todo in todos}


def subtree_ids(code):
    found, frontier = [], [PartyOrganization.objects.get(code=code)]
    while frontier:
        found.extend(frontier)
        frontier = [c for node in frontier for c in PartyOrganization.objects.get_children(node)]
    return {o.pk for o in found}


def open_cases(code):
    ids = subtree_ids(code)
    return [
        c for c in DevelopmentCase.objects.all() if c.organization_id in ids and c.status == CaseStatus.OPEN
    ]


def month_end(today):
    return (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def week_end(today):
    return today + datetime.timedelta(days=6 - today.weekday())


def expected(code):
    today = timezone.localdate()
    cases = [c for c in open_cases(code) if c.next_due is not None]
    return {
        "development.late": sum(c.next_due < today for c in cases),
        "development.week": sum(today <= c.next_due <= week_end(today) for c in cases),
        "development.month": sum(today <= c.next_due <= month_end(today) for c in cases),
    }


def make_one_late(code):
    """Move the nearest deadline of one open case of ``code``'s subtree to three days ago."""
    case = next(c for c in open_cases(code) if c.next_due is not None)
    DevelopmentCase.objects.filter(pk=case.pk).update(
        next_due=timezone.localdate() - datetime.timedelta(days=3)
    )
    return case


def test_school_secretary_sees_the_steps_of_the_school_with_a_record_link(client_for):
    late_case = make_one_late("CS430104-02")
    response = client_for("school_secretary").get("/")
    items = items_of(response)
    for key, count in expected("CS430104-02").items():
        assert items[key].count == count, key
    assert items["development.late"].count >= 1
    assert late_case.person.name in [row.label for row in items["development.late"].rows]
    assert "late=true" in items["development.late"].url
    assert "due_within=" in items["development.month"].url
    assert {"orgs.elections", "people.secretaries", "people.incomplete"} <= set(items)
    assert "reports.coverage" not in items  # no district tables for a school
    html = response.content.decode()
    assert 'id="schools-by-district"' not in html
    for key in ("development.late", "development.month"):
        for row in items[key].rows:
            case = DevelopmentCase.objects.get(pk=int(re.search(r"/cases/(\d+)/", row.action_url).group(1)))
            assert case.organization_id in subtree_ids("CS430104-02")
            assert row.action_url.endswith(f"?step={case.due_step or case.next_step}")
            assert row.action_url.replace("&", "&amp;") in html
    # the count links to the calendar filtered to it
    assert f'href="{items["development.late"].url}"' in html


def test_the_late_link_lists_the_late_cases(client_for):
    make_one_late("CS430104-02")
    client = client_for("school_secretary")
    late = items_of(client.get("/"))["development.late"]
    assert late.count >= 1
    listed = client.get(late.url)
    assert listed.status_code == 200
    assert listed.context["totals"]["open"] == late.count
    # the calendar's own 已逾期 card leads to the late cases too, keeping the other filters
    calendar = client.get("/development/due/?stage=S1").content.decode()
    assert re.search(r'href="\?[^"]*late=true[^"]*" id="count-late"', calendar)
    assert "stage=S1" in re.search(r'href="([^"]*)" id="count-late"', calendar).group(1)


def test_city_admin_sees_the_steps_per_district_with_drill_down(client_for):
    make_one_late("CS0001")
    client = client_for("city_admin")
    items = items_of(client.get("/"))
    assert items["development.late"].count >= 1
    for key, count in expected("CS0001").items():
        assert items[key].count == count, key
        assert sum(row.count for row in items[key].rows) == count
        for row in items[key].rows:
            assert "district=" in row.url
    for row in items["development.late"].rows[:2]:
        assert client.get(row.url).context["totals"]["open"] == row.count
    assert {"orgs.elections", "reports.coverage", "core.exports"} <= set(items)
    today = timezone.localdate()
    due = [
        o
        for o in PartyOrganization.objects.all()
        if o.election_due_on and o.election_due_on <= month_end(today)
    ]
    assert items["orgs.elections"].count == len(due)
    assert sum(row.count for row in items["orgs.elections"].rows) == len(due)
    for row in items["orgs.elections"].rows:  # per district bureau: the list filtered to its subtree
        code = re.search(r"[?&]within=([^&]+)", row.url).group(1)
        ids = subtree_ids(code)
        assert row.count == sum(o.pk in ids for o in due)
        listed = client.get(row.url)
        assert listed.context["paginator"].count == row.count
    lacking = items["people.secretaries"]
    assert sum(row.count for row in lacking.rows) == lacking.count
    row = lacking.rows[0]
    page = client.get(row.url)
    code = re.search(r"[?&]within=([^&]+)", row.url).group(1)
    assert page.context["scope"].code == code
    shown = {o.pk for o, _lacks in page.context["rows"]}
    assert shown <= subtree_ids(code)
    # The count links to exactly the organizations it counts: those of the subtree lacking a secretary.
    assert page.context["kind"] == "organizations"
    assert page.context["paginator"].count == row.count
    assert all("书记" in [str(label) for label in lacks] for _o, lacks in page.context["rows"])


def test_district_admin_sees_the_steps_per_school(client_for):
    make_one_late("CS430104")
    client = client_for("yuelu_admin")
    items = items_of(client.get("/"))
    assert items["development.late"].count >= 1
    for key, count in expected("CS430104").items():
        assert items[key].count == count, key
        assert sum(row.count for row in items[key].rows) == count
        assert all("school=" in row.url for row in items[key].rows)
        for row in items[key].rows:  # the drill-down lists that school's cases
            assert client.get(row.url).context["totals"]["open"] == row.count
    assert "reports.coverage" in items
    assert "芙蓉" not in client.get("/").content.decode()  # nothing of another district


def test_an_inspector_over_the_city_sees_the_city_roll_up(client_for, example_user):
    from redengine.core.todo import CITY, SCHOOL, level_of

    assert level_of(example_user("city_admin")) == CITY
    assert level_of(example_user("school_secretary")) == SCHOOL
    assert level_of(example_user("instructor")) == SCHOOL
    assert level_of(example_user("inspector")) == CITY  # an inspector over the whole city
    items = items_of(client_for("inspector").get("/"))
    assert items["development.month"].rows
    assert all("district=" in row.url for row in items["development.month"].rows)


@pytest.mark.parametrize("username", ["city_admin", "school_secretary"])
def test_query_count_is_bounded_and_does_not_grow(client_for, username, django_assert_max_num_queries):
    client = client_for(username)
    client.get("/")
    with django_assert_max_num_queries(TODO_QUERIES[username]):
        client.get("/")
    parent = PartyOrganization.objects.get(code="CS430104-02")
    save_organizations(
        [
            Item(
                {
                    "code": f"CS430104-02-T{i:02d}",
                    "name": f"测试支部{i}",
                    "org_type": "branch",
                    "parent": parent,
                }
            )
            for i in range(15)
        ],
        by=SYSTEM,
    )
    with django_assert_max_num_queries(TODO_QUERIES[username]):
        client.get("/")


def test_the_bell_is_outside_the_collapsed_menu(client_for):
    html = client_for("school_secretary").get("/").content.decode()
    bell, collapse = html.index('id="notifications-link"'), html.index('id="mainnav"')
    assert bell < collapse


def test_the_record_link_is_in_chinese_and_opens_the_step_form(client_for):
    make_one_late("CS430104-02")
    client = client_for("school_secretary")
    response = client.get("/")
    row = items_of(response)["development.late"].rows[0]
    assert ">录入<" in response.content.decode()
    form = client.get(row.action_url)
    assert form.status_code == 200
    step = row.action_url.rsplit("=", 1)[1]
    field = form.context["form"].fields["step"]
    assert field.initial == step
    assert step in [code for code, _label in field.choices]  # a step the case may record now


def test_technical_administrators_see_what_waits_for_them_and_no_records(client_for, example_user):
    from redengine.accounts.services import request_admin_change

    request_admin_change("reset", example_user("audit_admin"), by=example_user("sys_admin"))
    counts = {}
    for username in ("sys_admin", "sec_admin", "audit_admin"):
        response = client_for(username).get("/")
        assert response.status_code == 200
        items = items_of(response)
        assert not any(key.startswith(("development.", "orgs.", "people.", "reports.")) for key in items)
        counts[username] = items["accounts.admin_changes"].count
        assert f'href="{items["accounts.admin_changes"].url}"' in response.content.decode()
    # the requester and the account concerned may not confirm it: only the security administrator
    assert counts == {"sys_admin": 0, "sec_admin": 1, "audit_admin": 0}


def test_exports_to_approve_count_for_the_administrators_over_the_requester(client_for, example_user):
    from redengine.core.models import ExportRequest

    secretary = example_user("school_secretary")
    ExportRequest.objects.create(
        requested_by=secretary,
        title="人员",
        view_name="people:person_list",
        row_count=600,
        scope_path=secretary.home_scope_path(),
    )
    assert items_of(client_for("yuelu_admin").get("/"))["core.exports"].count == 1
    assert items_of(client_for("city_admin").get("/"))["core.exports"].count == 1
    assert items_of(client_for("furong_admin").get("/"))["core.exports"].count == 0  # another district
    assert "core.exports" not in items_of(client_for("school_secretary").get("/"))  # not its own


def test_imports_awaiting_confirmation_link_to_the_filtered_job_list(client_for, example_user):
    from redengine.imports.models import ImportJob

    secretary = example_user("school_secretary")
    for status in ("validated", "imported"):
        ImportJob.objects.create(
            user=secretary,
            username=secretary.username,
            file_name=f"{status}.xlsx",
            sha256=status.ljust(64, "0"),
            status=status,
            scope_path=secretary.home_scope_path(),
        )
    client = client_for("school_secretary")
    waiting = items_of(client.get("/"))["imports.validated"]
    assert waiting.count == 1
    jobs = client.get(waiting.url).context["jobs"]
    assert [job.file_name for job in jobs] == ["validated.xlsx"]
    assert "imports.validated" not in items_of(client_for("furong_admin").get("/"))


def test_the_city_roll_up_names_the_districts(client_for):
    rows = items_of(client_for("city_admin").get("/"))["orgs.elections"].rows
    assert "岳麓区" in [row.label for row in rows]
