"""Bad input to the quick-entry form and the service: each a clear Chinese message on its field, nothing
written — a meeting in the future, actual above expected, an attendee who is neither a member nor an
admissible guest, a type the organization does not hold, an attachment that is not an image or PDF by its
content or is too large, and a duplicate."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from redengine.activities import services
from redengine.activities.models import Attendance, Meeting, MeetingAttachment
from redengine.activities.services import Listed, MeetingEntry, record_meetings
from redengine.core.dates import add_months
from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM, RefusedError
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person

pytestmark = pytest.mark.django_db

BRANCH = "CS430104-02-01"


def branch(code=BRANCH):
    return PartyOrganization.objects.get(code=code)


def day():
    return add_months(timezone.localdate().replace(day=1), -1).replace(day=9)


def base(**values):
    return {"organization": branch(), "meeting_type": "themed_day", "date": day(), "topic": "学习", **values}


def refused(entry):
    before = (Meeting.objects.count(), Attendance.objects.count(), ObjectChange.objects.count())
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        record_meetings([entry], by=SYSTEM)
    assert (Meeting.objects.count(), Attendance.objects.count(), ObjectChange.objects.count()) == before
    with translation.override("zh-hans"):
        return {(p.field, str(p.message)) for p in caught.value.problems}


def fields(problems):
    return {field for field, _message in problems}


def test_a_meeting_in_the_future_is_refused():
    problems = refused(MeetingEntry(base(date=timezone.localdate() + datetime.timedelta(days=1))))
    assert fields(problems) == {"date"}
    assert any("将来" in m for _f, m in problems)


def test_actual_attendance_above_expected_is_refused():
    problems = refused(MeetingEntry(base(expected=5, actual=6)))
    assert ("actual", "实到人数（6）不能多于应到人数（5）。") in problems


def test_an_attendee_neither_member_nor_guest_is_refused():
    stranger = Person.objects.get(name="芙蓉周老师")  # a member of another district's branch
    problems = refused(
        MeetingEntry(base(), attendance=[Listed(Person.objects.get(name="梅溪湖张老师")), Listed(stranger)])
    )
    assert fields(problems) == {"attendance"}
    assert any("芙蓉周老师" in m and "梅溪湖中学初中部党支部" in m for _f, m in problems)


def test_a_type_the_organization_does_not_hold_is_refused():
    committee = refused(
        MeetingEntry(base(organization=branch("CS430104-02"), meeting_type="general_meeting"))
    )
    assert fields(committee) == {"meeting_type"}
    assert any("党委" in m for _f, m in committee)
    no_committee = refused(MeetingEntry(base(meeting_type="committee")))
    assert fields(no_committee) == {"meeting_type"}
    assert any("支部委员会" in m or "支委会" in m for _f, m in no_committee)
    no_groups = refused(MeetingEntry(base(meeting_type="group")))
    assert any("党小组" in m for _f, m in no_groups)


def test_an_attachment_that_is_not_an_image_or_pdf_by_its_content_or_too_large_is_refused():
    fake = refused(MeetingEntry(base(), attachments=[("签到表.pdf", b"MZ\x90\x00 not a pdf")]))
    assert fields(fake) == {"attachments"}
    assert any("签到表.pdf" in m for _f, m in fake)
    kind = refused(MeetingEntry(base(), attachments=[("纪要.docx", b"PK\x03\x04")]))
    assert any("纪要.docx" in m for _f, m in kind)
    large = refused(
        MeetingEntry(
            base(), attachments=[("照片.jpg", b"\xff\xd8\xff" + b"0" * services.ATTACHMENT_MAX_BYTES)]
        )
    )
    assert any("10 MB" in m for _f, m in large)
    assert not MeetingAttachment.objects.exists()


def test_a_duplicate_meeting_is_refused_in_the_batch_and_against_the_table():
    in_batch = MeetingEntry(base())
    with pytest.raises(RefusedError) as caught:
        record_meetings([in_batch, MeetingEntry(base())], by=SYSTEM)
    assert {p.item for p in caught.value.problems} == {1}
    assert not Meeting.objects.exists()
    record_meetings([MeetingEntry(base())], by=SYSTEM)
    problems = refused(MeetingEntry(base(topic="另一个主题")))
    assert ("date", "该党组织当天已有同一类型的会议。") in problems or fields(problems) == {"date"}


def test_an_image_by_its_content_is_kept_sealed_and_downloaded_in_scope(client_for):
    photo = b"\x89PNG\r\n\x1a\n" + b"x" * 100
    (meeting,) = record_meetings([MeetingEntry(base(), attachments=[("合影.png", photo)])], by=SYSTEM)
    attachment = meeting.attachments.get()
    assert bytes(attachment.content) != photo  # sealed
    response = client_for("school_secretary").get(reverse("activities:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == photo
    assert (
        client_for("furong_admin").get(reverse("activities:attachment", args=[attachment.pk])).status_code
        == 404
    )


def test_the_form_shows_the_refusal_on_its_field_and_writes_nothing(client_for):
    client = client_for("school_secretary")
    org = branch()
    zhang = Person.objects.get(name="梅溪湖张老师")
    upload = SimpleUploadedFile("签到表.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(
        reverse("activities:meeting_add"),
        {
            "organization": org.pk,
            "meeting_type": "committee",
            "date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "topic": "支委会",
            f"status_{zhang.pk}": "present",
            "attachments": upload,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in html
    assert not Meeting.objects.exists()
    # The type is not offered at all for a branch without a committee.
    assert (
        'value="committee"'
        not in client.get(reverse("activities:meeting_add") + f"?organization={org.pk}").content.decode()
    )
