"""The metrics' machine-readable form (metrics.md, "Machine-readable form"): ``manage.py metrics --json``, the
API ``/api/metrics/`` (scoped to the caller) and the coverage page, all giving the registry's figures."""

import datetime
import html
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from redengine.core.metrics import REGISTRY, Period, compute_all
from redengine.core.validators import make_id_number
from redengine.orgs import rules
from redengine.orgs.models import PartyOrganization
from redengine.people.metrics import gap_reason
from redengine.people.models import Membership, Person

from .brute_force import ROOT, BruteForce, Records, day

pytestmark = pytest.mark.django_db
MONEY = re.compile(r"^\d+\.\d{2}$")
API = "/api/metrics/"


def command(*args):
    out = io.StringIO()
    call_command("metrics", *args, stdout=out)
    return out.getvalue()


def command_json(*args):
    return json.loads(command(*args, "--json"))


def registry_json(code, first, last=None):
    """What the registry computes, through a JSON round trip (as the command and the API print it)."""
    scope = PartyOrganization.objects.get(code=code)
    return json.loads(json.dumps(compute_all(scope, Period.of(first=first, last=last or first))))


# --- The command ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [ROOT, "CS430104", "T-X"])
def test_command_prints_every_metric_in_the_fixed_form(tree, scope):
    """metrics.md: one JSON object, metric name → {"value": N}, plus "denominator" and "share" (a fraction)
    where the metric has a share, "items" for orgs.coverage_gaps ({"school", "reason"}); counts are
    integers, money a decimal string in yuan."""
    figures = command_json("--scope", scope, "--year", "2019")
    assert set(figures) == set(REGISTRY)
    assert figures == registry_json(scope, 2019)
    for name, data in figures.items():
        assert "value" in data, name
        if "denominator" in data:
            assert isinstance(data["denominator"], int), name
            expected = data["value"] / data["denominator"] if data["denominator"] else None
            assert data["share"] == expected, name
    shares = {"orgs.coverage", *(n for n in figures if n.startswith("cultivation.member_share."))}
    assert shares <= {n for n, d in figures.items() if "denominator" in d}
    for name in [
        "orgs.school_orgs",
        "orgs.received",
        "orgs.elections_due",
        "private.dispatched",
        "private.new_orgs",
    ]:
        assert type(figures[name]["value"]) is int, name
    funds = figures["private.startup_funds"]
    assert isinstance(funds["value"], str), funds
    assert MONEY.match(funds["value"]), funds
    assert type(funds["grants"]) is int
    gaps = figures["orgs.coverage_gaps"]
    assert gaps["value"] == len(gaps["items"])
    assert all(set(item) == {"school", "reason"} for item in gaps["items"])
    brute = BruteForce(scope, 2019).figures()
    assert [item["school"] for item in gaps["items"]] == [
        code for code, _n, _kind in brute["orgs.coverage_gaps"]["gaps"]
    ]
    assert figures["orgs.school_orgs"]["value"] == brute["orgs.school_orgs"]["value"]


def test_command_gap_reasons_are_chinese(tree):
    """The reasons are written in the language of the installation (简体中文)."""
    items = command_json("--scope", "T-X", "--year", "2019")["orgs.coverage_gaps"]["items"]
    b = tree["schools"]["B"].code
    assert {"school": b, "reason": "正式党员 3 名，仅由联合党支部覆盖：达到 3 名应单独建立党组织"} in items
    private = tree["schools"]["H"].code
    assert {"school": private, "reason": "民办学校无党员，未建立党组织，也未选派党建指导员"} in items


def test_command_span_of_years(tree):
    """--from/--to: the period is the span; "within the period" counts every year of it, the states are
    taken at the end of its last year."""
    span = command_json("--scope", "T-X", "--from", "2017", "--to", "2019")
    assert span == registry_json("T-X", 2017, 2019)
    assert span["private.startup_funds"] == {"value": "13000.50", "grants": 2}
    assert span["orgs.received"]["value"] == 1
    assert span["orgs.coverage"] == command_json("--scope", "T-X", "--year", "2019")["orgs.coverage"]
    assert command_json("--scope", "T-X", "--from", "2019") == registry_json("T-X", 2019)


def test_command_root_by_default_and_one_metric():
    root = command_json("--year", "2019")
    assert root == registry_json(ROOT, 2019)
    only = command_json("--year", "2019", "--metric", "orgs.school_orgs", "--metric", "orgs.coverage")
    assert only == {k: root[k] for k in ["orgs.school_orgs", "orgs.coverage"]}


def test_command_text_form():
    text = command("--scope", "CS430104", "--year", "2019")
    assert text.splitlines()[0].startswith("CS430104 ")
    figures = registry_json("CS430104", 2019)
    for name, data in figures.items():
        assert re.search(rf"^  {re.escape(name)} +{re.escape(str(data['value']))}", text, re.M), name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "NOPE", "--year", "2019"], "NOPE"),
        (["--year", "2019", "--metric", "orgs.nothing"], "orgs.nothing"),
        (["--from", "2019", "--to", "2017"], "first year"),
        (["--year", "99999"], "four digits"),
        (["--year", "0"], "four digits"),
    ],
)
def test_command_refuses_what_it_cannot_compute(args, message):
    with pytest.raises(CommandError, match=message):
        command(*args, "--json")


# --- The API ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "scope"),
    [("city_admin", ROOT), ("city_admin", "T-X"), ("yuelu_admin", "CS430104"), ("inspector", "CS430102")],
)
def test_api_gives_the_commands_object(tree, client_for, username, scope):
    """`/api/metrics/?scope=CODE&year=Y` returns the same object as the command (metrics.md); an inspector
    of the whole city may ask for any scope."""
    response = client_for(username).get(API, {"scope": scope, "year": 2019})
    assert response.status_code == 200
    assert response.json() == command_json("--scope", scope, "--year", "2019")


def test_api_span(tree, client_for):
    response = client_for("city_admin").get(API, {"scope": "T-X", "from": 2017, "to": 2019})
    assert response.status_code == 200
    assert response.json() == command_json("--scope", "T-X", "--from", "2017", "--to", "2019")


def test_api_without_scope_answers_for_the_callers_subtree(client_for):
    response = client_for("yuelu_admin").get(API, {"year": 2019})
    assert response.status_code == 200
    assert response.json() == command_json("--scope", "CS430104", "--year", "2019")
    school = client_for("school_secretary").get(API, {"year": 2019})
    assert school.json() == command_json("--scope", "CS430104-02", "--year", "2019")


@pytest.mark.parametrize(
    ("username", "scope"),
    [
        ("yuelu_admin", "CS430102"),  # another district
        ("yuelu_admin", ROOT),  # above its subtree
        ("school_secretary", "CS430104"),  # its district
        ("instructor", "CS430104-02"),  # a sibling
        ("yuelu_admin", "NO-SUCH-CODE"),
    ],
)
def test_api_answers_404_for_a_scope_the_caller_does_not_see(client_for, username, scope):
    assert client_for(username).get(API, {"scope": scope, "year": 2019}).status_code == 404


@pytest.mark.parametrize("username", ["sys_admin", "sec_admin", "audit_admin"])
def test_api_refuses_technical_administrators(client_for, username):
    assert client_for(username).get(API, {"year": 2019}).status_code == 403
    assert client_for(username).get(API, {"scope": ROOT, "year": 2019}).status_code == 403


def test_api_refuses_anonymous_callers(client):
    assert client.get(API, {"year": 2019}).status_code in {401, 403}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"year": "二〇一九"}, "year", "请输入四位数年份。"),
        ({"year": "2019x"}, "year", "请输入四位数年份。"),
        ({"year": "-2019"}, "year", "请输入四位数年份。"),
        ({"from": "abc", "to": "2019"}, "from", "请输入四位数年份。"),
        ({"from": "2020", "to": "2019"}, "from", "起始年度晚于结束年度。"),
    ],
)
def test_api_bad_year_is_a_400_in_chinese(client_for, query, field, message):
    response = client_for("city_admin").get(API, query)
    assert response.status_code == 400
    assert response.json()[field] == message


@pytest.mark.parametrize("year", ["0", "99999", "１９"])
def test_api_year_out_of_range_is_a_400_not_a_500(client_for, year):
    """Not four digits: refused (before, 0 silently meant this year and 99999 was a server error)."""
    response = client_for("city_admin").get(API, {"year": year})
    assert response.status_code == 400


# --- The coverage page ----------------------------------------------------------------------------------


def advice_section(client, query):
    """The advice items of the coverage page (one page of them): the rows of its item table."""
    page = client.get("/reports/coverage/", {**query, "kind": "advice"}).content.decode()
    return page[page.index('id="coverage-items"') : page.index("</table>", page.index('id="coverage-items"'))]


def text_of(row):
    return html.unescape(re.sub(r"<[^>]+>", "|", row))


@pytest.mark.parametrize(("scope", "year"), [("T-X", 2019), ("T-X", 2020), (ROOT, 2019), ("T-A", 2019)])
def test_coverage_page_lists_exactly_the_metrics_gaps(tree, client_for, scope, year):
    """The page's gaps are orgs.coverage_gaps for the scope and year, each with its reason (sorted by
    district, then school code); the summary counts them."""
    client = client_for("city_admin")
    response = client.get("/reports/coverage/", {"scope": scope, "year": year})
    assert response.status_code == 200
    items = command_json("--scope", scope, "--year", str(year))["orgs.coverage_gaps"]["items"]
    shown = [(g["code"], g["text"]) for g in response.context["gaps"]]
    assert sorted(shown) == sorted((i["school"], i["reason"]) for i in items)
    assert sum(counts[0][0] for _name, counts, _t, _u in response.context["districts"]) == len(items)
    page = client.get("/reports/coverage/", {"scope": scope, "year": year, "kind": "gap"}).content.decode()
    rows = re.findall(
        r'<tr data-kind="gap">(?:<td[^>]*>[^<]*</td>){2}<td[^>]*>(\d{10})</td><td[^>]*><a[^>]*>[^<]*</a></td>'
        r"<td[^>]*>([^<]*)</td></tr>",
        page,
    )
    assert [(code, html.unescape(reason)) for code, reason in rows] == shown[:25]


def test_coverage_page_for_a_district_administrator(tree, client_for):
    client = client_for("yuelu_admin")
    assert client.get("/reports/coverage/", {"scope": "T-X", "year": 2019}).status_code == 404
    own = client.get("/reports/coverage/", {"year": 2019})
    assert own.context["scope"].code == "CS430104"


def big_branches(sizes):
    """Branches under 浏阳市's organization with the given numbers of full members (and one probationary
    member each), written in bulk."""
    parent = PartyOrganization.objects.get(code="CS430181")
    r = Records("ADV")
    people, owners, branches = [], [], []
    for i, size in enumerate(sizes):
        school = r.school(i, district="430181")
        branch = r.org(i, parent, founded=day("2010-01-01"), schools=[school])
        branches.append(branch)
        for k in range(size + 1):
            born = datetime.date(1965, 1, 1) + datetime.timedelta(days=100 * i + k // 400)
            person = Person(name=f"建议{i}-{k}", school=school, sex="male", birth_date=born)
            person.set_id_number(make_id_number("130102", born, k % 400 * 2 + 1))
            people.append(person)
            owners.append((branch, k < size))
    Person.objects.bulk_create(people)
    Membership.objects.bulk_create(
        Membership(
            person=person,
            organization=branch,
            admitted_on=day("2012-07-01"),
            full_on=day("2013-07-01") if full else None,
        )
        for person, (branch, full) in zip(people, owners, strict=True)
    )
    return branches


def test_coverage_page_advises_on_branches_of_7_and_50(client_for):
    """A branch with 7 full members elects a branch committee (支部工作条例 ch. 6); with 6 full members and 1
    probationary there is none (the committee counts full members). The size of a branch counts every member,
    probationary included (支部工作条例 art. 4; domain-rules §0.2): 49 full and 1 probationary make 50, which
    call for a general branch (机关基层组织工作条例 art. 6); 50 full and 1 probationary make 51, over the 50 a
    branch normally has. No advice names an internal rule key; each cites its text."""
    six, seven, forty_nine, fifty = big_branches([6, 7, 49, 50])
    client = client_for("city_admin")
    response = client.get("/reports/coverage/", {"scope": "CS430181", "year": 2019})
    assert response.status_code == 200
    advice = {a["code"]: a["text"] for a in response.context["page_obj"] if a["kind"] == "advice"}
    assert set(advice) == {seven.code, forty_nine.code, fifty.code}
    assert advice[forty_nine.code].startswith("党员 50 名")
    assert advice[fifty.code].startswith("党员 51 名")
    section = text_of(advice_section(client, {"scope": "CS430181", "year": 2019}))
    assert f"{seven.name}|||正式党员 7 名：达到 7 名的党支部应选举产生 3 至 5 人的支部委员会" in section
    assert f"{forty_nine.name}|||党员 50 名（含预备党员）：达到 50 名应成立党总支" in section
    assert f"{fifty.name}|||党员 51 名（含预备党员）：党支部党员人数一般不超过 50 名" in section
    assert "《中国共产党支部工作条例（试行）》第四条" in section
    assert six.name not in section
    assert not re.search(r"\b[A-Z]+\.[A-Z_]+\b", section)
    # The branches' schools have their own organizations: no gap.
    assert response.context["gaps"] == []


def test_joint_branch_over_five_units_is_advice_with_its_rule(client_for, monkeypatch):
    """支部工作条例 art. 5: a joint branch normally covers at most 5 units (rules.JOINT_BRANCH_MAX_UNITS, a
    parameter: Hunan's private-school rule says 6). Six units is advice citing the article, not a refusal:
    the organization is recorded and the coverage page advises."""
    parent = PartyOrganization.objects.get(code="CS430181")
    r = Records("JNT")
    schools = [r.school(i, district="430181") for i in range(6)]
    joint = r.org("J", parent, org_type="joint_branch", founded=day("2010-01-01"), schools=schools)
    five = r.org("K", parent, org_type="joint_branch", founded=day("2010-01-01"), schools=schools[:5])
    response = client_for("city_admin").get("/reports/coverage/", {"scope": "CS430181", "year": 2019})
    advice = {a["code"]: a["text"] for a in response.context["page_obj"] if a["kind"] == "advice"}
    assert five.code not in advice
    assert advice[joint.code].startswith("覆盖 6 个单位：联合党支部覆盖的单位一般不超过 5 个")
    assert "《中国共产党支部工作条例（试行）》第五条" in advice[joint.code]
    monkeypatch.setattr(rules, "JOINT_BRANCH_MAX_UNITS", 6)  # the Hunan private-school reading
    again = client_for("city_admin").get("/reports/coverage/", {"scope": "CS430181", "year": 2019})
    assert joint.code not in {a["code"] for a in again.context["page_obj"] if a["kind"] == "advice"}


def test_gap_reason_reads_the_row():
    """The reason names the rule each kind of gap breaks (English here)."""
    from django.utils import translation

    with translation.override("en"):
        assert "joint branch" in gap_reason({"full": 4, "covered": True})
        assert "need an organization of its own" in gap_reason({"full": 3, "covered": False})
        assert "join or form a joint branch" in gap_reason({"full": 2, "covered": False})
        assert "instructor" in gap_reason({"full": 0, "covered": False})
