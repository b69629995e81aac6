"""Findings 1 and 5 of the penetration test: the masked ID number with what is shown beside it leaves
thousands of candidates, a whole ID number never answers a search in the address, the identifier search
is a logged, limited reveal sent by POST, and no log holds a whole ID number or mobile."""

import datetime
import io
import logging
import re

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from redengine.accounts.models import ApiToken
from redengine.core.logs import MaskIdentifiers
from redengine.core.models import AccessEvent, ObjectChange
from redengine.core.services import Item
from redengine.core.validators import ID_NUMBER_CHECK_CHARACTERS, ID_NUMBER_WEIGHTS, make_id_number
from redengine.core.writes import SYSTEM
from redengine.people import services
from redengine.people.models import Person

pytestmark = pytest.mark.django_db
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
WORKING_AGES = (18, 65)  # what anyone knows of a member of staff's age without being shown any of it


def zhang():
    return Person.objects.get(name="梅溪湖张老师")


def api(client, example_user, username):
    user = example_user(username)
    key, _ = ApiToken.issue(user, otp_verified=user.requires_2fa)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def dates(first, last):
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def working_age_dates(today=None):
    """Every birth date of someone of working age: what is known of a person shown no part of it."""
    today = today or timezone.localdate()
    return dates(
        today.replace(year=today.year - WORKING_AGES[1]), today.replace(year=today.year - WORKING_AGES[0])
    )


def candidates(region, kept_tail, sex, days):
    """How many valid GB 11643 numbers agree with what was shown: the region (at worst known exactly, from the
    district), a birth date among ``days``, the sex, and the characters the mask keeps at the end
    (``kept_tail``: sequence digits, then the check character)."""
    kept_sequence, check = kept_tail[:-1], kept_tail[-1]
    sequences = [
        sum(int(c) * w for c, w in zip(digits, ID_NUMBER_WEIGHTS[14:], strict=True))
        for digits in (f"{n:03d}" for n in range(1000))
        if digits.endswith(kept_sequence) and (int(digits[2]) % 2 == 1) == (sex == "male")
    ]
    count = 0
    for day in days:
        partial = sum(int(c) * w for c, w in zip(f"{region}{day:%Y%m%d}", ID_NUMBER_WEIGHTS, strict=False))
        count += sum(
            1 for weight in sequences if ID_NUMBER_CHECK_CHARACTERS[(partial + weight) % 11] == check
        )
    return count


def shown_of(person, *, api_list, api_detail, page, export, audit):
    """What a user who may not reveal saw of ``person`` on every surface: (masked, sex, birth date, year)."""
    rows = [r for r in api_list["results"] if r["id"] == person.pk]
    assert rows, "the person is in the list"
    seen = {rows[0]["birth_date"], api_detail["birth_date"]}
    born = person.birth_date
    texts = [page, export, audit]
    for text in texts:
        for form in (born.isoformat(), f"{born:%Y年%m月%d日}", f"{born:%Y/%m/%d}", f"{born:%Y-%m}"):
            assert form not in text
    assert seen == {None}
    assert person.id_number_masked in page
    assert person.id_number_masked in export
    assert rows[0]["id_number_masked"] == person.id_number_masked
    return person.id_number_masked, rows[0]["sex"]


def test_what_a_user_without_reveal_sees_leaves_at_least_10000_candidates(client, client_for, example_user):
    """As yuelu_admin (no reveal): the API list and detail, the list page, its export and the change records
    (as the inspector, who audits and cannot reveal, reads them) show the masked number and the sex, and no part
    of the birth date; the valid numbers agreeing with all of it are counted by enumeration."""
    person = zhang()
    number = person.reveal_id_number()
    # A change record of the person that holds the birth date before and after (a corrected ID number).
    other = make_id_number(number[:6], person.birth_date - datetime.timedelta(days=40), int(number[14:17]))
    services.PEOPLE.save([Item({"id_number": other}, instance=person)], by=SYSTEM)
    services.PEOPLE.save([Item({"id_number": number}, instance=Person.objects.get(pk=person.pk))], by=SYSTEM)
    person.refresh_from_db()
    auth = api(client, example_user, "yuelu_admin")
    api_list = client.get("/api/people/people/", {"page_size": 500}, **auth).json()
    api_detail = client.get(f"/api/people/people/{person.pk}/", **auth).json()
    ui = client_for("yuelu_admin")
    page = ui.get(reverse("people:person_list"), {"school": person.school.code}).content.decode()
    page += ui.get(person.get_absolute_url()).content.decode()
    book = openpyxl.load_workbook(
        io.BytesIO(ui.get(reverse("people:person_list"), {"export": "xlsx"}).content), read_only=True
    )
    export = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c)
    person_type = ContentType.objects.get_for_model(Person)
    assert ObjectChange.objects.filter(content_type=person_type, object_id=str(person.pk)).count() >= 2
    audit = client_for("inspector").get(
        reverse("audit_changes"), {"content_type": person_type.pk, "object_id": person.pk}
    )
    audit = audit.content.decode()
    assert "出生日期" in audit  # the change of birth date is recorded …
    assert other not in audit
    assert (person.birth_date - datetime.timedelta(days=40)).isoformat() not in audit
    assert number not in audit
    masked, sex = shown_of(
        person, api_list=api_list, api_detail=api_detail, page=page, export=export, audit=audit
    )
    assert masked == number[:4] + "*" * 12 + number[-2:]
    kept = masked.rsplit("*", 1)[1]
    left = candidates(number[:6], kept, sex, working_age_dates())
    assert left >= 10_000
    # Even had the birth date been narrowed to four years by other means.
    born = person.birth_date
    assert (
        candidates(
            number[:6], kept, sex, dates(born.replace(year=born.year - 2), born.replace(year=born.year + 2))
        )
        >= 10_000
    )
    # The old exposure (the last four characters beside the birth date), counted the same way, was a handful:
    # the count tells the two apart.
    assert 1 <= candidates(number[:6], number[-4:], sex, [born]) < 20
    # The birth year beside the new mask would leave too few: that is why no part of the date is shown.
    assert (
        candidates(number[:6], kept, sex, dates(born.replace(month=1, day=1), born.replace(month=12, day=31)))
        < 10_000
    )


# The attack: the masked number, a candidate, and ``?q=`` -------------------------------------------------
def test_a_candidate_in_the_search_box_answers_nothing(client, client_for, example_user):
    """The penetration test's requests, as yuelu_admin (no reveal): ``?q=<candidate>`` counted 1 for the
    true number. Now a whole ID number (or mobile) in ``?q=`` is refused with a message, for the true one as
    for any other, and the identifier search refuses an account that may not reveal."""
    person = zhang()
    number, mobile = person.reveal_id_number(), person.reveal_mobile()
    wrong = make_id_number(number[:6], person.birth_date + datetime.timedelta(days=1), int(number[14:17]))
    auth = api(client, example_user, "yuelu_admin")
    answers = []
    for value in (number, wrong, mobile):
        response = client.get("/api/people/people/", {"q": value}, **auth)
        assert response.status_code == 400
        assert "count" not in response.json()
        answers.append(response.json())
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["q"] == ["按身份证号或手机号查找需要查看完整信息的权限。"]
    page = client_for("yuelu_admin").get(reverse("people:person_list"), {"q": number})
    assert "按身份证号或手机号查找需要查看完整信息的权限。" in page.content.decode()
    other = client_for("yuelu_admin").get(reverse("people:person_list"), {"q": wrong})
    assert page.context["paginator"].count == other.context["paginator"].count  # the same answer
    assert 'id="identifier-search"' not in page.content.decode()  # no identifier search offered
    # Searching by name stays open.
    by_name = client.get("/api/people/people/", {"q": person.name}, **auth).json()
    assert [p["id"] for p in by_name["results"]] == [person.pk]
    # The identifier search is a reveal: refused (and logged as refused) without the permission.
    refused = client.post("/api/people/people/search/", {"id_number": number}, format="json", **auth)
    assert refused.status_code == 403
    ui = client_for("yuelu_admin").post(reverse("people:person_search"), {"id_number": number})
    assert ui.status_code == 403


def test_the_search_box_refuses_a_whole_id_number_even_to_one_who_may_reveal(client, example_user):
    auth = api(client, example_user, "city_admin")
    response = client.get("/api/people/people/", {"q": zhang().reveal_id_number()}, **auth)
    assert response.status_code == 400
    assert "按身份证号或手机号查找" in response.json()["q"][0]


def test_the_identifier_search_is_a_logged_limited_reveal(client, client_for, example_user, settings):
    settings.PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR = 3
    person = zhang()
    auth = api(client, example_user, "city_admin")
    found = client.post(
        "/api/people/people/search/",
        {"id_number": person.reveal_id_number()},
        content_type="application/json",
        **auth,
    )
    assert found.status_code == 200
    assert [p["id"] for p in found.json()["results"]] == [person.pk]
    assert found.json()["results"][0]["birth_date"] == person.birth_date.isoformat()  # one who may reveal
    by_mobile = client.post(
        "/api/people/people/search/",
        {"mobile": person.reveal_mobile()},
        content_type="application/json",
        **auth,
    )
    assert person.pk in [p["id"] for p in by_mobile.json()["results"]]
    bad = client.post(
        "/api/people/people/search/", {"id_number": "123"}, content_type="application/json", **auth
    )
    assert bad.status_code == 400
    assert "18" in bad.json()["id_number"][0]
    page = client_for("city_admin").post(
        reverse("people:person_search"), {"id_number": person.reveal_id_number()}
    )
    assert page.status_code == 200
    assert [p.pk for p in page.context["object_list"]] == [person.pk]
    logged = AccessEvent.objects.filter(username="city_admin", kind="reveal", detail="search")
    assert logged.count() == 3
    assert all(person.reveal_id_number() not in e.path for e in logged)
    # The fourth within the hour is refused, and logged as a rate limit.
    again = client.post(
        "/api/people/people/search/",
        {"id_number": person.reveal_id_number()},
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 429
    assert "一小时内" in again.json()["detail"]
    assert AccessEvent.objects.filter(username="city_admin", kind="throttled", detail="search").exists()
    assert logged.count() == 3
    page = client_for("city_admin").post(reverse("people:person_search"), {"mobile": person.reveal_mobile()})
    assert page.status_code == 429


# Finding 5: no identifier in a log ---------------------------------------------------------------------
def test_no_log_and_no_access_event_holds_a_whole_id_number_or_mobile(client, client_for, example_user):
    """An identifier search, an export with an ID number in its address, failing requests with one in the
    query string, and a log line that names one: the server log (every configured handler) and the access
    log hold none of them in full."""
    person = zhang()
    number, mobile = person.reveal_id_number(), person.reveal_mobile()
    stream = io.StringIO()
    handlers = [  # the handlers settings.LOGGING configured: the server log and the request lines
        h
        for name in ("", "django.server")
        for h in logging.getLogger(name).handlers
        if any(isinstance(f, MaskIdentifiers) for f in h.filters)
    ]
    assert len(handlers) == 2
    saved = [h.setStream(stream) for h in handlers]
    try:
        ui = client_for("city_admin")
        ui.post(reverse("people:person_search"), {"id_number": number})
        ui.get(reverse("people:person_list"), {"q": number, "export": "xlsx"})
        auth = api(client, example_user, "yuelu_admin")
        client.get("/api/people/people/", {"q": number}, **auth)
        client.get(f"/api/people/people/{person.pk}/reveal/", {"q": mobile}, **auth)
        client.get("/no-such-page/", {"id": number})
        logging.getLogger("django.request").warning("Bad request %s with %s", number, mobile)
        logging.getLogger("django.server").info('"GET /people/people/?q=%s HTTP/1.1" 200', number)
        try:
            raise ValueError(number)
        except ValueError:
            logging.getLogger("redengine").exception("failed for %s", mobile)
    finally:
        for handler, old in zip(handlers, saved, strict=True):
            handler.setStream(old)
    output = stream.getvalue()
    assert "Bad request" in output
    assert number[:4] + "*" * 12 + number[-2:] in output
    assert "/people/people/?q=" in output
    people = [(p.reveal_id_number(), p.reveal_mobile()) for p in Person.objects.all()]
    found = [v for pair in people for v in pair if v and v in output]
    assert not found
    assert not ID_LIKE.search(output)
    assert not MOBILE_LIKE.search(output)
    events = " ".join(f"{e.path} {e.detail}" for e in AccessEvent.objects.all())
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.REVEAL, detail="search").exists()
    assert not [v for pair in people for v in pair if v and v in events]
    assert not ID_LIKE.search(events)
    assert not MOBILE_LIKE.search(events)


# The change records -------------------------------------------------------------------------------------
def test_a_record_written_under_the_old_mask_shows_no_more_than_a_new_one():
    record = ObjectChange(
        content_type=ContentType.objects.get_for_model(Person),
        object_repr="张老师（4301**********0014）",
        before={"id_number_masked": "4301**********0014", "birth_date": "1980-01-01", "name": "张老师"},
        after={"id_number_masked": "4301**********0022", "birth_date": "1980-01-02", "name": "张老师"},
        changed_fields=["id_number_masked", "birth_date"],
    )
    assert record.shown_repr == "张老师（4301************14）"
    assert record.diff() == [
        ("id_number_masked", "4301************14", "4301************22"),
        ("birth_date", "（已记录，不显示）", "（已记录，不显示）"),
    ]


def test_a_new_number_with_the_same_masked_form_is_written_and_recorded():
    """The mask keeps six characters: two numbers may share it (and the birth date). The change is still
    written, and recorded, through the blind index (kept in the trail, never shown)."""
    person = zhang()
    number = person.reveal_id_number()
    sequence = next(
        s
        for s in range(int(number[16]), 1000, 10)
        if s != int(number[14:17]) and make_id_number(number[:6], person.birth_date, s)[-2:] == number[-2:]
    )
    other = make_id_number(number[:6], person.birth_date, sequence)
    assert other != number
    services.PEOPLE.save([Item({"id_number": other}, instance=person)], by=SYSTEM)
    person = Person.objects.get(pk=person.pk)
    assert person.reveal_id_number() == other
    assert person.id_number_masked == number[:4] + "*" * 12 + number[-2:]
    record = ObjectChange.objects.filter(object_id=str(person.pk), content_type__model="person").latest("id")
    assert "id_number_index" in record.changed_fields
    assert ("id_number_index", "（已记录，不显示）", "（已记录，不显示）") in record.diff()
