"""The write path of pairing and bad input through the services: each a clear Chinese message on its field,
nothing written — two urban schools, two rural ones, a school paired with itself, a pair ending before it
starts, the same pair twice over overlapping days, an activity before the agreement, after the end or in
the future, an unknown kind, an upload that is not what it says, a teacher of another school; and the
scope: a pair needs both schools, an activity either (re-checked by the write path)."""

import pytest
from django.utils import translation

from redengine.accounts.models import User
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError
from redengine.orgs.models import PartyOrganization
from redengine.pairing import services
from redengine.pairing.models import PairActivity, PairActivityFile, SchoolPair
from redengine.people.models import Person
from redengine.testing.writes import ServiceCase, build_service_tests

from .helpers import (
    CHAOYANG,
    LIANHUA,
    LUSHAN,
    MEIXIHU,
    PNG,
    WEISHAN,
    XINGCHEN,
    YUTAN,
    D,
    days_ago,
    new_activity,
    new_pair,
    new_teacher,
    school,
)

pytestmark = pytest.mark.django_db


def counts():
    return (
        SchoolPair.objects.count(),
        PairActivity.objects.count(),
        PairActivityFile.objects.count(),
        ObjectChange.objects.count(),
    )


def refused(write, items, by=SYSTEM):
    before = counts()
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        write(items, by=by)
    assert counts() == before
    with translation.override("zh-hans"):
        return {(p.field, str(p.message)) for p in caught.value.problems}


def pair_item(urban, rural, agreed="2024-03-01", ended=None):
    return Item({"urban": school(urban), "rural": school(rural), "agreed_on": D(agreed), "ended_on": ended})


def activity_item(pair, date, kind="teaching_visit", teachers=(), files=()):
    return Item(
        {
            "pair": pair,
            "kind": kind,
            "date": date,
            "title": "活动",
            "teachers": list(teachers),
            "students": 3,
        },
        extra={"files": list(files)},
    )


def user(name):
    return User.objects.get(username=name)


def test_pairs_that_do_not_fit():
    two_urban = refused(services.record_pairs, [pair_item(MEIXIHU, LUSHAN)])
    assert (
        "rural",
        "岳麓区麓山实验小学不是乡村学校（城乡类别：城区）：结对的乡村一方须为镇区或乡村学校。",
    ) in two_urban
    two_rural = refused(services.record_pairs, [pair_item(LIANHUA, XINGCHEN)])
    assert (
        "urban",
        "岳麓区莲花镇中心小学不是城区学校（城乡类别：乡村）：结对的城区一方须为城区学校。",
    ) in two_rural
    itself = refused(services.record_pairs, [pair_item(LIANHUA, LIANHUA)])
    assert ("rural", "学校不能与自身结对。") in itself
    backwards = refused(services.record_pairs, [pair_item(MEIXIHU, LIANHUA, "2024-03-01", D("2024-02-01"))])
    assert backwards == {("ended_on", "终止日期须晚于结对日期（2024-03-01）。")}
    same_day = refused(services.record_pairs, [pair_item(MEIXIHU, LIANHUA, "2024-03-01", D("2024-03-01"))])
    assert same_day == {("ended_on", "终止日期须晚于结对日期（2024-03-01）。")}
    future = refused(services.record_pairs, [pair_item(MEIXIHU, LIANHUA, days_ago(-1).isoformat())])
    assert future == {("agreed_on", "结对协议签订后方可登记：结对日期不能晚于今天。")}


def test_the_same_pair_twice():
    first = new_pair(MEIXIHU, LIANHUA, D("2023-09-01"), D("2025-08-31"))
    message = "这两所学校自2023-09-01起已结对，日期重叠：同一对学校同一时期只登记一次（请先终止原结对）。"
    overlapping = refused(services.record_pairs, [pair_item(MEIXIHU, LIANHUA, "2025-08-31")])
    assert overlapping == {("agreed_on", message)}
    # Within one batch too.
    in_batch = refused(
        services.record_pairs,
        [pair_item(MEIXIHU, XINGCHEN, "2024-01-01"), pair_item(MEIXIHU, XINGCHEN, "2024-06-01")],
    )
    assert in_batch == {
        (
            "agreed_on",
            "这两所学校自2024-01-01起已结对，日期重叠：同一对学校同一时期只登记一次（请先终止原结对）。",
        )
    }
    # After the end, the same schools pair again; and the urban school pairs with another rural one.
    again = new_pair(MEIXIHU, LIANHUA, D("2025-09-01"))
    other = new_pair(MEIXIHU, XINGCHEN, D("2024-01-01"))
    assert {first.pk, again.pk, other.pk} <= set(SchoolPair.objects.values_list("pk", flat=True))


def test_activities_within_the_pair():
    pair = new_pair(MEIXIHU, LIANHUA, D("2024-03-01"), D("2025-02-28"))
    before = refused(services.record_activities, [activity_item(pair, D("2024-02-29"))])
    assert before == {("date", "该结对于2024-03-01签订：活动日期不能早于结对日期。")}
    after = refused(services.record_activities, [activity_item(pair, D("2025-03-01"))])
    assert after == {("date", "该结对已于2025-02-28终止：活动日期不能晚于终止日期。")}
    running = new_pair(LUSHAN, XINGCHEN, D("2024-03-01"))
    future = refused(services.record_activities, [activity_item(running, days_ago(-1))])
    assert future == {("date", "活动结束后方可登记：活动日期不能晚于今天。")}
    unknown = refused(services.record_activities, [activity_item(pair, D("2024-05-01"), kind="picnic")])
    assert unknown == {
        (
            "kind",
            "没有这种结对活动类型：“picnic”。可选类型为：送教下乡、跟岗学习、牵手夏令营、爱心义卖、联合主题党日。",
        )
    }
    fake = refused(
        services.record_activities, [activity_item(pair, D("2024-05-01"), files=[("合影.jpg", b"hello")])]
    )
    assert fake == {("files", "合影.jpg 不是真正的 .jpg 文件。")}
    other_kind = refused(
        services.record_activities,
        [activity_item(pair, D("2024-05-01"), files=[("名单.xlsx", b"PK\x03\x04")])],
    )
    assert other_kind == {("files", "名单.xlsx：只接受照片（JPEG、PNG）、PDF 和 Word（.docx）文件。")}
    stranger = Person.objects.filter(school__code=CHAOYANG).first()
    outside = refused(services.record_activities, [activity_item(pair, D("2024-05-01"), teachers=[stranger])])
    assert outside == {("teachers", f"{stranger.name}：参与教师须为结对双方学校的人员。")}
    # On the first and the last day of the pair, with teachers of both schools and a photo: written.
    teachers = [Person.objects.filter(school__code=MEIXIHU).first()]
    first = new_activity(pair, D("2024-03-01"), teachers=teachers, files=[("合影.png", PNG)])
    last = new_activity(pair, D("2025-02-28"))
    assert list(first.teachers.all()) == teachers
    assert first.files.get().file_name == "合影.png"
    assert last.pk


def test_a_pairs_days_keep_its_activities():
    pair = new_pair(MEIXIHU, LIANHUA, D("2024-03-01"))
    new_activity(pair, D("2024-06-01"))
    pair.refresh_from_db()
    later = refused(services.record_pairs, [Item({"agreed_on": D("2024-07-01")}, instance=pair)])
    assert later == {("agreed_on", "该结对有一项活动日期为2024-06-01，早于此结对日期。")}
    moved = refused(services.record_pairs, [Item({"rural": school(XINGCHEN)}, instance=pair)])
    assert ("rural", "该结对已登记活动，不能更换学校（请终止该结对后另行登记）。") in moved
    # A pair with activities is not deleted.
    with pytest.raises(RefusedError):
        services.delete_pairs([pair], by=SYSTEM)
    assert SchoolPair.objects.filter(pk=pair.pk).exists()


def test_a_pair_needs_both_schools():
    """The district administrator records a pair within the district but not across districts; a
    secretary sees the pair of their school but may not change it; the city records any."""
    yuelu = user("yuelu_admin")
    within = new_pair(MEIXIHU, LIANHUA, D("2024-03-01"), by=yuelu)
    assert within.pk
    across = refused(services.record_pairs, [pair_item(CHAOYANG, LIANHUA)], by=yuelu)
    assert ("urban", "您的权限范围内没有该记录。") in across
    cross = new_pair(CHAOYANG, LIANHUA, D("2024-03-01"), by=user("city_admin"))
    assert cross.audit_scope_path() == PartyOrganization.objects.get(code="CS0001").path
    assert within.audit_scope_path() == PartyOrganization.objects.get(code="CS430104").path
    # Seen at either school, written only at both.
    assert set(SchoolPair.objects.visible_to(yuelu).values_list("pk", flat=True)) >= {within.pk, cross.pk}
    assert not SchoolPair.objects.visible_to(yuelu, "change").filter(pk=cross.pk).exists()
    secretary = user("school_secretary")
    assert SchoolPair.objects.visible_to(secretary).filter(pk=within.pk).exists()
    cross.refresh_from_db()
    changed = refused(services.record_pairs, [Item({"goals": "改"}, instance=cross)], by=yuelu)
    assert (None, "该记录不存在，或不在您的权限范围内。") in changed
    within.refresh_from_db()
    by_secretary = refused(services.record_pairs, [Item({"goals": "改"}, instance=within)], by=secretary)
    assert (None, "该记录不存在，或不在您的权限范围内。") in by_secretary
    with pytest.raises(RefusedError):
        services.delete_pairs([cross], by=yuelu)
    # An activity may be recorded by a secretary of either school.
    activity = new_activity(within, D("2024-05-01"), by=secretary)
    assert activity.recorded_by == secretary
    other = new_pair(YUTAN, WEISHAN, D("2024-03-01"))
    outside = refused(services.record_activities, [activity_item(other, D("2024-05-01"))], by=secretary)
    assert ("pair", "您的权限范围内没有该记录。") in outside


def unchecked(service, items, by):
    """Write ``items`` as ``by`` from a plan built without the scope checks (as a caller that skipped them
    would): only the write path's own re-check stands between them and the database."""
    from redengine.core.writes import Scope, writing

    with writing(by) as write:
        plan = service.check(items, Scope(SYSTEM))
        assert not plan.problems
        service.apply(plan, write)


def test_the_write_path_rechecks_both_schools_and_the_pair_named():
    """A pair whose rural school lies outside the writer's scope, an activity naming a pair outside it, a
    teacher the writer does not see: refused before committing, nothing written."""
    yuelu, secretary = user("yuelu_admin"), user("school_secretary")
    other = new_pair(YUTAN, WEISHAN, D("2024-03-01"))
    own = new_pair(MEIXIHU, LIANHUA, D("2024-03-01"))
    stranger = new_teacher("莲花镇重查老师", LIANHUA, 613)  # the partner school's: not the secretary's
    before = counts()
    with pytest.raises(RefusedError) as caught:
        unchecked(services.PAIRS, [pair_item(MEIXIHU, WEISHAN)], yuelu)
    assert "rural" in caught.value.by_field(0)
    with pytest.raises(RefusedError) as caught:
        unchecked(services.ACTIVITIES, [activity_item(other, D("2024-05-01"))], secretary)
    assert caught.value.problems
    with pytest.raises(RefusedError) as caught:
        unchecked(services.ACTIVITIES, [activity_item(own, D("2024-05-01"), teachers=[stranger])], secretary)
    assert "teachers" in caught.value.by_field(0)
    assert counts() == before


def _pair_by(by, urban=MEIXIHU, rural=LIANHUA):
    return services.record_pairs([pair_item(urban, rural)], by=by)


def _activity_by(by):
    pair = services.record_pairs([pair_item(MEIXIHU, LIANHUA)], by=by)[0]
    return services.record_activities([activity_item(pair, D("2024-05-01"))], by=by)


globals().update(
    build_service_tests(
        # (The demo tree holds no pair: a write on a recorded one outside the scope is tested above.)
        ServiceCase(
            "pair",
            "yuelu_admin",
            allowed=_pair_by,
            outside=None,
            reference=lambda by: _pair_by(by, CHAOYANG, LIANHUA),  # a school of another district
            field="urban",
        ),
        ServiceCase("activity", "yuelu_admin", allowed=_activity_by, outside=None),
    )
)
