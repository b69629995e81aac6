"""The pages of party dues: a secretary declares a base, opens the month, pays one month and a whole month in a
batch, records a relief and a voluntary payment passed up; a bad payment (too much, a suspended member) is the
form again with its Chinese message and nothing written; the ledger grid, the calculator, the year totals
against hand sums (and their export), the to-do items; and the same queries whatever the number of members."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.membership.models import DuesBase, DuesEntry, VoluntaryPayment
from redengine.membership.services import dues

from .dues_helpers import (
    LUSHAN,
    MEIXIHU_JUNIOR,
    MEIXIHU_SENIOR,
    D,
    Y,
    declare,
    new_member,
    open_months,
    org,
    pay,
    set_status,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def this_month():
    return f"{today():%Y-%m}"


def ready(name, base="5000.01", code=MEIXIHU_SENIOR):
    """A member with a base from this month and this month opened."""
    member = new_member(name, code=code)
    declare(member, base, month=this_month(), today=today().isoformat())
    dues.open_month(today().replace(day=1), [member.organization], by=SYSTEM)
    return member


def errors(response):
    form = response.context["form"]
    return " ".join(str(e) for field in form.errors.values() for e in field)


def test_a_secretary_declares_opens_and_pays_through_the_pages(client_for):
    secretary = client_for("school_secretary")
    member = new_member("页面党员", code=MEIXIHU_SENIOR)
    page = secretary.get(reverse("membership:dues_member", args=[member.pk])).content.decode()
    assert 'id="declare-base"' in page
    assert "尚未申报" in page
    response = secretary.post(
        reverse("membership:dues_base_add", args=[member.pk]),
        {
            "category": "in_service",
            "base": "5000.01",
            "from_month": this_month(),
            "declared_on": today().isoformat(),
        },
    )
    assert response.status_code == 302, errors(response)
    assert DuesBase.objects.get(membership=member).monthly == Y("75.00")
    senior = org(MEIXIHU_SENIOR)
    response = secretary.post(reverse("membership:dues_open", args=[senior.pk]), {"month": this_month()})
    assert response.status_code == 302, errors(response)
    entry = DuesEntry.objects.get(membership=member)
    assert (entry.due, entry.organization) == (Y("75.00"), senior)
    ledger = secretary.get(reverse("membership:dues_ledger"), {"org": senior.code}).content.decode()
    assert "页面党员" in ledger
    assert f'data-member="{member.pk}"' in ledger
    too_much = secretary.post(
        reverse("membership:dues_pay", args=[entry.pk]),
        {"paid": "80", "paid_on": today().isoformat(), "method": "cash"},
    )
    assert too_much.status_code == 200
    assert "自愿多交" in errors(too_much)
    assert DuesEntry.objects.get(pk=entry.pk).paid == 0
    response = secretary.post(
        reverse("membership:dues_pay", args=[entry.pk]),
        {"paid": "75", "paid_on": today().isoformat(), "method": "payroll"},
    )
    assert response.status_code == 302, errors(response)
    entry.refresh_from_db()
    assert (entry.paid, entry.method) == (Y("75.00"), "payroll")
    change = ObjectChange.objects.filter(content_type__model="duesentry", object_id=str(entry.pk)).latest(
        "id"
    )
    assert (change.username, change.before["paid"], change.after["paid"]) == (
        "school_secretary",
        "0.00",
        "75.00",
    )


def test_a_whole_month_is_marked_paid_for_the_members_chosen(client_for):
    secretary = client_for("school_secretary")
    jia, yi, bing = (ready(name) for name in ("批量甲", "批量乙", "批量丙"))
    senior = org(MEIXIHU_SENIOR)
    url = reverse("membership:dues_pay_batch", args=[senior.pk])
    form = secretary.get(url, {"month": this_month()}).content.decode()
    assert "批量甲（75.00）" in form
    chosen = [DuesEntry.objects.get(membership=m).pk for m in (jia, bing)]
    response = secretary.post(
        url, {"month": this_month(), "entries": chosen, "paid_on": today().isoformat(), "method": "cash"}
    )
    assert response.status_code == 302, errors(response)
    assert {m.person.name: DuesEntry.objects.get(membership=m).paid for m in (jia, yi, bing)} == {
        "批量甲": Y("75.00"),
        "批量乙": Y("0.00"),
        "批量丙": Y("75.00"),
    }
    ticked = secretary.get(url, {"month": this_month(), "all": "1"}).content.decode()
    assert "批量乙" in ticked
    assert "批量甲（" not in ticked  # paid already: not offered again


def test_a_suspended_member_cannot_pay_through_the_form(client_for):
    secretary = client_for("school_secretary")
    member = ready("停籍缴费")
    set_status(member, "suspended", today().isoformat())
    entry = DuesEntry.objects.get(membership=member)
    before = ObjectChange.objects.count()
    response = secretary.post(
        reverse("membership:dues_pay", args=[entry.pk]),
        {"paid": "75", "paid_on": today().isoformat(), "method": "cash"},
    )
    assert response.status_code == 200
    assert "停止党籍" in errors(response)
    assert ObjectChange.objects.count() == before
    assert DuesEntry.objects.get(pk=entry.pk).paid == 0


def test_a_relief_and_a_voluntary_payment_passed_up_through_the_pages(client_for):
    secretary = client_for("school_secretary")
    member = ready("减免党员")
    response = secretary.post(
        reverse("membership:dues_relief_add", args=[member.pk]),
        {
            "exempt": "on",
            "monthly": "",
            "from_month": this_month(),
            "until_month": this_month(),
            "reason": "大病住院，支部研究同意",
            "approved_by": "中共岳麓区梅溪湖中学委员会",
            "approved_on": today().isoformat(),
        },
    )
    assert response.status_code == 302, errors(response)
    assert DuesEntry.objects.get(membership=member).due == Y("0.00")  # the month not paid: re-priced
    missing_approval = secretary.post(
        reverse("membership:dues_relief_add", args=[member.pk]),
        {"exempt": "on", "from_month": this_month(), "until_month": this_month(), "reason": "再次"},
    )
    assert missing_approval.status_code == 200
    response = secretary.post(
        reverse("membership:dues_voluntary_add", args=[member.pk]),
        {"amount": "2000", "paid_on": today().isoformat(), "note": "七一自愿多交"},
    )
    assert response.status_code == 302, errors(response)
    payment = VoluntaryPayment.objects.get(membership=member)
    assert payment.to_pass_up
    page = secretary.get(reverse("membership:dues_member", args=[member.pk])).content.decode()
    assert "上缴中央" in page
    assert "大病住院" in page
    home = secretary.get("/").content.decode()
    assert 'id="todo-membership-dues-pass-up"' in home
    response = secretary.post(
        reverse("membership:dues_passed_up", args=[payment.pk]), {"passed_up_on": today().isoformat()}
    )
    assert response.status_code == 302, errors(response)
    assert not VoluntaryPayment.objects.get(pk=payment.pk).to_pass_up
    assert 'id="todo-membership-dues-pass-up"' not in secretary.get("/").content.decode()


def test_the_calculator_answers_with_the_rule_and_its_source(client_for):
    client = client_for("instructor")
    page = client.get(reverse("membership:dues_calculator"), {"base": "5000.01", "category": "in_service"})
    text = page.content.decode()
    assert '<div class="display-6" id="quote-monthly">75.00' in text
    assert "1.5%" in text
    assert "中组发〔2008〕3号" in text
    assert "全额" in text
    retired = client.get(reverse("membership:dues_calculator"), {"base": "5200", "category": "retired"})
    assert 'id="quote-monthly">52.00' in retired.content.decode()
    bad = client.get(reverse("membership:dues_calculator"), {"base": "三千", "category": "in_service"})
    assert "quote-monthly" not in bad.content.decode()
    assert "金额" in bad.content.decode()
    assert client_for("sys_admin").get(reverse("membership:dues_calculator")).status_code == 403


def test_the_to_do_list_names_arrears_members_without_a_base_and_months_not_opened(client_for):
    owing = new_member("欠费党员", code=MEIXIHU_JUNIOR, admitted="2015-07-01")
    months = [f"{today().year - 1}-{n:02d}" for n in (9, 10, 11, 12)]
    declare(owing, "3000", month=months[0], today=f"{months[0]}-05")
    open_months(MEIXIHU_JUNIOR, months, today=f"{months[-1]}-20")
    new_member("未申报党员", code=MEIXIHU_JUNIOR)
    waiting = new_member("未开账党员", code=MEIXIHU_JUNIOR)
    declare(waiting, "3000", month=this_month(), today=today().isoformat())
    secretary = client_for("school_secretary").get("/")
    page = secretary.content.decode()
    assert 'id="todo-membership-dues-arrears"' in page
    assert "欠费党员" in page
    assert 'id="todo-membership-dues-no-base"' in page
    assert "未申报党员" in page
    assert 'id="todo-membership-dues-not-opened"' in page
    assert "未开账党员" in page
    city = client_for("city_admin").get("/")
    arrears = next(
        t
        for _section, items in city.context["todo_sections"]
        for t in items
        if t.key == "membership.dues_arrears"
    )
    assert ("岳麓区", 1) in [(row.label, row.count) for row in arrears.rows]
    assert 'id="todo-membership-dues-arrears"' not in client_for("furong_admin").get("/").content.decode()


def test_the_to_do_items_cost_the_same_queries_with_more_members(client_for):
    from redengine.core.todo import Reach
    from redengine.membership.todos import dues as items

    def counted(user):
        reach = Reach(user, "school", today())
        with CaptureQueriesContext(connection) as queries:
            for item in (items.arrears, items.without_base, items.not_opened, items.to_pass_up):
                item(reach)
        return len(queries)

    from redengine.accounts.models import User

    secretary = User.objects.get(username="school_secretary")
    counted(secretary)
    before = counted(secretary)
    for n in range(6):
        member = new_member(f"待办批量{n}", code=MEIXIHU_JUNIOR)
        if n % 2:
            declare(member, "3000", month=this_month(), today=today().isoformat())
        else:
            dues.record_voluntary(
                [Item({"membership": member, "amount": "1000", "paid_on": today()})], by=SYSTEM
            )
    assert counted(secretary) == before


# Year totals ------------------------------------------------------------------------------------------
YEAR = 2024


def year_of_dues():
    """Three members in two schools, a year of dues, some of it paid; voluntary payments, one passed up."""
    junior = new_member("统计甲", code=MEIXIHU_JUNIOR, admitted="2010-07-01")
    senior = new_member("统计乙", code=MEIXIHU_SENIOR, admitted="2010-07-01")
    lushan = new_member("统计丙", code=LUSHAN, admitted="2010-07-01")
    declare(junior, "3000", month="2024-01", today="2024-01-05")  # 15.00
    declare(senior, "5000.01", month="2024-01", today="2024-01-05")  # 75.00
    declare(lushan, "12000", month="2024-01", today="2024-01-05")  # 240.00
    months = [f"2024-{n:02d}" for n in range(1, 13)]
    for code in (MEIXIHU_JUNIOR, MEIXIHU_SENIOR, LUSHAN):
        open_months(code, months, today="2024-12-31")
    for month in months[:10]:
        pay(junior, month, "15", "2024-12-20", today="2024-12-31")
    for month in months[:6]:
        pay(senior, month, "75", "2024-12-20", today="2024-12-31")
    pay(lushan, "2024-01", "100", "2024-12-20", today="2024-12-31")  # in part
    dues.record_voluntary(
        [
            Item({"membership": senior, "amount": "1000", "paid_on": D("2024-07-01")}),
            Item({"membership": lushan, "amount": "300", "paid_on": D("2024-07-01")}),
        ],
        by=SYSTEM,
        today=D("2024-07-02"),
    )
    return junior, senior, lushan


def test_the_year_totals_match_the_hand_sums_and_drill_down(client_for):
    year_of_dues()
    district = client_for("yuelu_admin")
    response = district.get(reverse("membership:dues_totals"), {"org": "CS430104", "year": YEAR})
    rows = {r.organization.code: r for r, _label, _url in response.context["rows"]}
    meixihu, lushan = rows["CS430104-02"], rows["CS430104-01"]
    # 梅溪湖 (both its branches): due 12 × 15 + 12 × 75 = 1,080; paid 10 × 15 + 6 × 75 = 600; owed 480.
    assert (meixihu.due, meixihu.paid, meixihu.owed) == (Y("1080.00"), Y("600.00"), Y("480.00"))
    assert (meixihu.voluntary, meixihu.passed_up, meixihu.members) == (Y("1000.00"), Y("1000.00"), 2)
    # 麓山: due 12 × 240 = 2,880; paid 100; owed 2,780; voluntary 300, none passed up.
    assert (lushan.due, lushan.paid, lushan.owed) == (Y("2880.00"), Y("100.00"), Y("2780.00"))
    assert (lushan.voluntary, lushan.passed_up) == (Y("300.00"), Y("0.00"))
    whole = response.context["whole"]
    assert (whole.due, whole.paid, whole.owed, whole.voluntary) == (
        Y("3960.00"),
        Y("700.00"),
        Y("3260.00"),
        Y("1300.00"),
    )
    drill = district.get(reverse("membership:dues_totals"), {"org": "CS430104-02", "year": YEAR})
    below = {r.organization.code: (r.due, r.paid) for r, _l, _u in drill.context["rows"]}
    assert below == {
        "CS430104-02-01": (Y("180.00"), Y("150.00")),
        "CS430104-02-02": (Y("900.00"), Y("450.00")),
    }
    exported = district.get(
        reverse("membership:dues_totals"), {"org": "CS430104", "year": YEAR, "export": "xlsx"}
    )
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    lines = {row[0]: row[1:] for row in book.active.iter_rows(min_row=3, values_only=True)}
    assert lines["合计"][1:4] == (3960, 700, 3260)
    city = client_for("city_admin").get(reverse("membership:dues_totals"), {"year": YEAR})
    districts = {label: r.due for r, label, _u in city.context["rows"]}
    assert districts["岳麓区"] == Y("3960.00")  # reported upward: the district's bureau


def test_dues_pages_cost_the_same_queries_with_more_members(client_for):
    client = client_for("yuelu_admin")
    year_of_dues()
    member = DuesEntry.objects.filter(month__year=YEAR).first().membership
    senior = org(MEIXIHU_SENIOR)
    addresses = {
        "ledger": reverse("membership:dues_ledger") + f"?org=CS430104&year={YEAR}",
        "ledger owing": reverse("membership:dues_ledger") + f"?org=CS430104&year={YEAR}&owing=3",
        "totals": reverse("membership:dues_totals") + f"?org=CS430104&year={YEAR}",
        "totals export": reverse("membership:dues_totals") + f"?org=CS430104&year={YEAR}&export=xlsx",
        "entries": reverse("membership:duesentry_list") + f"?organization=CS430104&year={YEAR}",
        "entries export": reverse("membership:duesentry_list")
        + f"?organization=CS430104&year={YEAR}&export=xlsx",
        "member": reverse("membership:dues_member", args=[member.pk]),
        "voluntary": reverse("membership:voluntarypayment_list"),
        "voluntary export": reverse("membership:voluntarypayment_list") + "?export=xlsx",
        "sheet": reverse("membership:dues_sheet") + f"?org={senior.code}&month={YEAR}-03",
        "batch": reverse("membership:dues_pay_batch", args=[senior.pk]) + f"?month={YEAR}-03",
        "calculator": reverse("membership:dues_calculator") + "?base=4200&category=in_service",
    }
    for address in addresses.values():
        client.get(address)
    counts = {}
    for when in ("before", "after"):
        if when == "after":
            months = [f"{YEAR}-{n:02d}" for n in range(1, 13)]
            for n in range(8):
                extra = new_member(f"加量{n}", code=MEIXIHU_SENIOR, admitted="2010-07-01")
                declare(extra, "4000", month="2024-01", today="2024-01-05")
                dues.record_voluntary(
                    [Item({"membership": extra, "amount": "1200", "paid_on": D("2024-08-01")})],
                    by=SYSTEM,
                    today=D("2024-08-02"),
                )
            open_months(MEIXIHU_SENIOR, months, today="2024-12-31")
            pay(extra, "2024-03", "40", "2024-04-01", today="2024-12-31")
        for name, address in addresses.items():
            with CaptureQueriesContext(connection) as counted:
                assert client.get(address).status_code == 200, name
            counts[(name, when)] = len(counted)
    for name in addresses:
        assert counts[(name, "after")] == counts[(name, "before")], (name, counts)
    assert max(counts.values()) <= 30, counts


def test_a_member_transferred_out_keeps_their_months_in_the_old_ledger(client_for):
    from redengine.people import services as people

    from .dues_helpers import FURONG

    member = ready("转出党员")
    entry = DuesEntry.objects.get(membership=member)
    furong = org(FURONG)
    people.set_memberships([Item({"organization": furong}, instance=member)], by=SYSTEM)
    old = client_for("school_secretary").get(reverse("membership:dues_member", args=[member.pk]))
    assert old.status_code == 200
    text = old.content.decode()
    assert entry.month_text in text  # the month stays in the old ledger
    assert furong.name not in text  # where the member is now is not this scope's to see
    assert 'id="declare-base"' not in text
    assert DuesEntry.objects.get(pk=entry.pk).organization == org(MEIXIHU_SENIOR)
    new = client_for("furong_admin").get(reverse("membership:dues_member", args=[member.pk])).content.decode()
    assert 'id="declare-base"' in new
    assert entry.month_text not in new.split('id="member-months"')[1].split("</table>")[0]


def test_members_without_a_base_are_told_only_where_the_organization_keeps_its_ledger_here(client_for):
    """A bureau whose branches keep their dues elsewhere is not told that every member lacks a base; once a
    member of the branch declares one, the others without one are listed."""
    new_member("未申报党员", code=MEIXIHU_JUNIOR)
    assert 'id="todo-membership-dues-no-base"' not in client_for("school_secretary").get("/").content.decode()
    declare(
        new_member("已申报党员", code=MEIXIHU_JUNIOR), "3000", month=this_month(), today=today().isoformat()
    )
    page = client_for("school_secretary").get("/").content.decode()
    assert 'id="todo-membership-dues-no-base"' in page
    assert "未申报党员" in page
