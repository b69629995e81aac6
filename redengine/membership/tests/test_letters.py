"""Transfers out of and into the system: an introduction letter (组织关系介绍信) issued with its number and validity
(``transfer.letter_valid_months``), its Word document opened with python-docx (the number on each of its three
parts, the validity, the member's facts with the ID number masked, the dues paid to, the return slip); a letter
past its validity flagged; its return slip ending the membership; a letter cancelled and issued again; a letter
received from outside recording the membership through the people's service."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from redengine.core.audit import bulk_create_audited
from redengine.core.dates import add_months
from redengine.core.models import AccessEvent
from redengine.core.writes import SYSTEM, RefusedError, writing
from redengine.development.models import DevelopmentCase
from redengine.membership import letters, rules
from redengine.membership.models import DuesEntry, Transfer
from redengine.membership.services import transfers as services
from redengine.people.models import Membership

from .transfer_helpers import (
    LUSHAN_BRANCH,
    MEIXIHU_JUNIOR,
    counts,
    days_ago,
    issue,
    membership,
    org,
    person,
    reloaded,
    user,
)

pytestmark = pytest.mark.django_db


def text_of(content):
    document = Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


def test_a_letter_is_numbered_by_year_and_valid_for_the_parameters_months():
    issued = days_ago(3)
    first = issue("梅溪湖张老师", by=user("school_secretary"), issued=issued)
    second = issue("梅溪湖黄老师", by=user("school_secretary"), issued=issued)
    assert first.letter_number == f"转字〔{issued.year}〕0001号"
    assert second.letter_number == f"转字〔{issued.year}〕0002号"
    assert first.status == "issued"
    assert first.kind == "out"
    assert first.from_organization.code == MEIXIHU_JUNIOR
    assert first.letter_valid_until == add_months(issued, rules.param("transfer.letter_valid_months"))
    assert first.letter_valid_until == add_months(issued, 3)
    # Until the return slip comes back the member is still here (REL.WHO: the sending side is responsible).
    assert membership("梅溪湖张老师").ended_on is None


def test_the_validity_follows_the_parameter_in_force():
    rules.BOOK.load(
        {"transfer.letter_valid_months": 6},
        version="test-6",
        effective=days_ago(30),
        title="跨省六个月",
        source="测试",
    )
    try:
        letter = issue("梅溪湖张老师", issued=days_ago(2))
        assert letter.letter_valid_until == add_months(days_ago(2), 6)
    finally:
        rules.BOOK.unload("test-6")


def test_a_number_given_twice_is_refused():
    issue("梅溪湖张老师", letter_number="湘教转〔2025〕7号")
    before = counts()
    with pytest.raises(RefusedError) as caught:
        issue("梅溪湖黄老师", letter_number="湘教转〔2025〕7号")
    assert counts() == before
    assert caught.value.problems[0].field == "letter_number"
    assert "已有介绍信使用此编号" in caught.value.messages[0]


def test_the_word_letter_has_its_number_validity_facts_and_return_slip(client_for):
    zhang = membership("梅溪湖张老师")
    with writing(SYSTEM):  # dues paid to March of last year
        year = days_ago(0).year - 1
        bulk_create_audited(
            DuesEntry,
            [
                DuesEntry(
                    membership=zhang,
                    organization=zhang.organization,
                    month=datetime.date(year, month, 1),
                    due=30,
                    paid=30,
                    paid_on=datetime.date(year, month, 20),
                )
                for month in (1, 2, 3)
            ],
        )
    letter = issue(
        "梅溪湖张老师", by=user("school_secretary"), issued=days_ago(3), to="中共北京市海淀区委教育工作委员会"
    )
    client = client_for("school_secretary")
    response = client.get(reverse("membership:transfer_letter", args=[letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    text = text_of(response.content)
    number = letter.letter_number
    assert text.count(f"第 {number} 号") == 3  # the stub, the letter and the return slip
    assert "中国共产党党员组织关系介绍信（存根）" in text
    assert "中国共产党党员组织关系介绍信回执联" in text
    assert "已转达我处，特此回复" in text
    valid = letter.letter_valid_until
    assert f"有效期叁个月，至{valid.year}年{valid.month}月{valid.day}日" in text
    zhang_person = person("梅溪湖张老师")
    assert "梅溪湖张老师同志（男）" in text
    assert zhang_person.id_number_masked in text
    assert zhang_person.reveal_id_number() not in text
    assert "系中共正式党员" in text
    assert "入党日期：2012年6月20日" in text
    assert "转正日期：2013年6月20日" in text
    assert f"党费已交到{letters.chinese_year(year)}年叁月" in text
    assert "由梅溪湖中学初中部党支部去中共北京市海淀区委教育工作委员会" in text
    # The secretary may not reveal the person: no age beside the masked number (people.privacy).
    assert f"{letters.BLANK}岁" in text
    assert AccessEvent.objects.filter(kind="export", object_id=str(letter.pk), detail="letter").count() == 1


def test_a_user_who_may_reveal_sees_the_age_and_no_dues_leaves_the_month_blank(client_for):
    letter = issue("梅溪湖黄老师", issued=days_ago(1))
    text = text_of(
        client_for("city_admin").get(reverse("membership:transfer_letter", args=[letter.pk])).content
    )
    huang = person("梅溪湖黄老师")
    age = letters.age_on(huang.birth_date, days_ago(1))
    assert f"（男），{age}岁" in text or f"（女），{age}岁" in text
    assert "系中共预备党员" in text
    assert f"党费已交到{letters.BLANK}年{letters.BLANK}月" in text


def test_the_letter_of_another_district_answers_404(client_for):
    letter = issue("芙蓉周老师")
    assert (
        client_for("school_secretary")
        .get(reverse("membership:transfer_letter", args=[letter.pk]))
        .status_code
        == 404
    )
    assert (
        client_for("furong_admin").get(reverse("membership:transfer_letter", args=[letter.pk])).status_code
        == 200
    )


def test_chinese_numerals():
    assert letters.chinese_year(2025) == "二〇二五"
    assert [letters.capital(n) for n in (1, 3, 10, 12, 24)] == ["壹", "叁", "拾", "拾贰", "贰拾肆"]


def test_a_letter_past_its_validity_is_flagged_on_the_list(client_for):
    old = issue("梅溪湖张老师", issued=days_ago(120))
    fresh = issue("梅溪湖黄老师", issued=days_ago(10))
    client = client_for("school_secretary")
    page = client.get(reverse("membership:transfer_list"), {"letter": "expired"}).content.decode()
    assert old.letter_number in page
    assert fresh.letter_number not in page
    detail = client.get(old.get_absolute_url()).content.decode()
    assert 'id="letter-expired"' in detail
    assert 'id="move-reissue"' in detail
    assert 'id="letter-expired"' not in client.get(fresh.get_absolute_url()).content.decode()


def test_the_return_slip_ends_the_membership_and_the_political_status_follows():
    letter = issue("梅溪湖黄老师", by=user("school_secretary"), issued=days_ago(20))
    row = membership("梅溪湖黄老师")
    case = DevelopmentCase.objects.open().get(person__name="梅溪湖黄老师")
    services.move_transfer(letter, "receipt", by=user("school_secretary"), date=days_ago(2))
    letter = reloaded(letter)
    assert letter.status == "received"
    assert letter.receipt_on == days_ago(2)
    ended = Membership.objects.get(pk=row.pk)
    assert ended.ended_on == days_ago(2)
    assert ended.status == row.status  # the state stays: the member left the system, not the Party
    assert person("梅溪湖黄老师").political_status == "masses"
    case = DevelopmentCase.objects.get(pk=case.pk)
    assert case.status == "closed"
    assert case.close_reason == "transferred"
    assert case.closed_on == days_ago(2)


def test_a_receipt_before_the_letter_or_of_another_side_is_refused():
    letter = issue("梅溪湖张老师", issued=days_ago(10))
    before = counts()
    with pytest.raises(RefusedError) as caught:
        services.move_transfer(letter, "receipt", by=SYSTEM, date=days_ago(12))
    assert caught.value.problems[0].field == "date"
    with pytest.raises(RefusedError) as caught:
        services.move_transfer(letter, "receipt", by=user("furong_admin"), date=days_ago(1))
    assert caught.value.missing
    assert counts() == before


def test_a_letter_is_cancelled_and_issued_again_with_a_new_number():
    old = issue("梅溪湖张老师", issued=days_ago(120))
    (new,) = services.reissue_letters([old], days_ago(1), by=user("school_secretary"), note="逾期未转")
    old = reloaded(old)
    assert old.status == "cancelled"
    assert old.refusal == "逾期未转"
    assert new.status == "issued"
    assert new.letter_number != old.letter_number
    assert new.letter_valid_until == add_months(days_ago(1), 3)
    assert new.outside_organization == old.outside_organization


def test_a_person_with_a_letter_out_has_no_second_transfer():
    issue("梅溪湖张老师")
    before = counts()
    with pytest.raises(RefusedError) as caught:
        services.start_transfers(
            [services.Start(person("梅溪湖张老师"), org("CS430104-02-02"), days_ago(1))], by=SYSTEM
        )
    assert "回执尚未收回" in caught.value.messages[0]
    assert counts() == before


def test_a_suspended_member_gets_no_letter():
    from redengine.core.audit import bulk_update_audited, remember

    row = membership("梅溪湖张老师")
    with writing(SYSTEM):
        remember([row])
        row.status = "out_of_contact"
        bulk_update_audited(Membership, [row], ["status"])
    before = counts()
    with pytest.raises(RefusedError) as caught:
        issue("梅溪湖张老师")
    assert "党籍状态正常" in caught.value.messages[0]
    assert counts() == before


# Into the system ------------------------------------------------------------------------------------------
def letter_in(name, **values):
    fields = {
        "to_organization": org(LUSHAN_BRANCH),
        "outside_organization": "中共株洲市教育局委员会",
        "received_on": days_ago(2),
        "admitted_on": datetime.date(2016, 6, 30),
        "full_on": datetime.date(2017, 6, 30),
        "letter_number": "株教转〔2025〕12号",
        **values,
    }
    return services.LetterIn(person(name), **fields)


def test_a_letter_from_outside_records_the_membership_at_the_receiving_organization():
    (transfer,) = services.receive_letters([letter_in("麓山钱老师")], by=user("yuelu_admin"))
    assert transfer.kind == "in"
    assert transfer.status == "received"
    row = membership("麓山钱老师")
    assert row.organization.code == LUSHAN_BRANCH
    assert row.admitted_on == datetime.date(2016, 6, 30)
    assert transfer.membership_id == row.pk
    assert person("麓山钱老师").political_status == "member"
    assert list(transfer.moves.values_list("move", flat=True)) == ["accept"]


def test_a_letter_from_outside_for_a_current_member_or_with_wrong_dates_is_refused():
    before = counts()
    with pytest.raises(RefusedError) as caught:
        services.receive_letters([letter_in("麓山赵老师")], by=user("yuelu_admin"))
    assert "已有现有党籍" in caught.value.messages[0]
    with pytest.raises(RefusedError) as caught:  # full membership not one year after admission
        services.receive_letters(
            [letter_in("麓山钱老师", full_on=datetime.date(2016, 9, 1))], by=user("yuelu_admin")
        )
    assert caught.value.problems[0].field == "full_on"
    with pytest.raises(RefusedError) as caught:
        services.receive_letters([letter_in("麓山钱老师", letter_number="")], by=user("yuelu_admin"))
    assert caught.value.problems[0].field == "letter_number"
    with pytest.raises(RefusedError) as caught:  # another district's secretary
        services.receive_letters([letter_in("麓山钱老师")], by=user("furong_admin"))
    assert caught.value.missing
    assert counts() == before
    assert not Transfer.objects.filter(kind="in").exists()
