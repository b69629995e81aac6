"""The showcase's workflow and reads at the service level: each move by its role and from its statuses only,
every move recorded; published items read across the whole system, drafts only in scope; the search index
kept by every write; the bad input of the issue (a clear Chinese message, nothing written)."""

import datetime

import pytest
from django.utils import translation

from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError
from redengine.showcase import search
from redengine.showcase.models import Lesson, LessonFile, Move, RoleModel, RoleModelPhoto, SearchTerm, Story
from redengine.showcase.services import attach_files, move_items, record_role_models, record_stories

from .helpers import JPG, MP4, PDF, ZIP, make, role_model_values, story_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def refused(call):
    before = ObjectChange.objects.count()
    with pytest.raises(RefusedError) as caught:
        call()
    assert ObjectChange.objects.count() == before
    return caught.value


def test_the_workflow_with_its_roles_and_forbidden_moves(example_user):
    secretary, district, other = (
        example_user("school_secretary"),
        example_user("yuelu_admin"),
        example_user("furong_admin"),
    )
    (story,) = record_stories([Item(story_values())], by=secretary)
    assert story.status == "draft"
    # Publishing a draft never submitted: refused, saying why.
    error = refused(lambda: move_items(Story, [story], "publish", by=district))
    assert "草稿" in " ".join(error.messages)
    move_items(Story, [story], "submit", by=secretary)
    # The secretary has no publish action; a reviewer of another district does not reach the story.
    assert refused(lambda: move_items(Story, [story], "publish", by=secretary)).missing
    assert refused(lambda: move_items(Story, [story], "publish", by=other)).missing
    # A return needs its reason.
    assert "原因" in " ".join(refused(lambda: move_items(Story, [story], "return", by=district)).messages)
    move_items(Story, [story], "return", by=district, reason="请补充时间地点")
    assert story.status == "draft"
    move_items(Story, [story], "submit", by=secretary)
    move_items(Story, [story], "publish", by=district)
    story.refresh_from_db()
    assert story.status == "published"
    assert story.published_on == datetime.date.today()
    # A published story is not edited: withdrawn first.
    error = refused(lambda: record_stories([Item({"title": "改标题"}, instance=story)], by=district))
    assert "撤回" in " ".join(error.messages)
    refused(lambda: move_items(Story, [story], "withdraw", by=secretary))
    move_items(Story, [story], "withdraw", by=district, reason="内容需更新")
    story.refresh_from_db()
    assert (story.status, story.withdrawn_on) == ("draft", datetime.date.today())
    record_stories([Item({"title": "改标题"}, instance=story)], by=secretary)
    moves = list(
        Move.objects.filter(kind="story", item_id=story.pk).values_list("action", "by__username", "reason")
    )
    assert moves == [
        ("submit", "school_secretary", ""),
        ("return", "yuelu_admin", "请补充时间地点"),
        ("submit", "school_secretary", ""),
        ("publish", "yuelu_admin", ""),
        ("withdraw", "yuelu_admin", "内容需更新"),
    ]


def test_published_items_are_read_everywhere_drafts_only_in_scope(example_user):
    draft = make(Story, "own", title="本校草稿")
    published = make(Story, "own", "published", title="本校已发布")
    submitted = make(Story, "own", "submitted", title="本校已报送")
    for username in ("furong_admin", "instructor", "inspector", "city_admin"):
        seen = set(Story.objects.visible_to(example_user(username)).values_list("pk", flat=True))
        assert published.pk in seen, username
    other = set(Story.objects.visible_to(example_user("furong_admin")).values_list("pk", flat=True))
    assert draft.pk not in other
    assert submitted.pk not in other
    assert not Story.objects.visible_to(example_user("sys_admin")).exists()
    # Any other action stays within the scope.
    assert (
        not Story.objects.visible_to(example_user("furong_admin"), "export").filter(pk=published.pk).exists()
    )


def test_search_finds_a_word_inside_the_text_and_keeps_the_index(example_user):
    text = "二十年来他坚持送教下乡，把党的温暖带到山区孩子身边。"
    story = make(Story, "own", "published", title="山村教师的坚守", text=text)
    found = search.matching(
        Story.objects.all(), "温暖"
    )  # inside the text, not at its start, not in the title
    assert list(found.values_list("pk", flat=True)) == [story.pk]
    assert not search.matching(Story.objects.all(), "暖带下").exists()  # bigrams alone are not a match
    assert search.matching(Story.objects.all(), "党").filter(pk=story.pk).exists()  # one character: LIKE
    assert "<mark>温暖</mark>" in search.snippet(story.text, "温暖")
    story_terms = set(
        SearchTerm.objects.filter(kind="story", item_id=story.pk).values_list("term", flat=True)
    )
    assert {"温暖", "坚守", "送教"} <= story_terms
    move_items(Story, [story], "withdraw", by=SYSTEM, reason="更新")
    record_stories([Item({"text": "全新的内容"}, instance=story)], by=SYSTEM)
    assert not search.matching(Story.objects.all(), "温暖").exists()
    assert search.matching(Story.objects.all(), "全新").exists()


def test_a_title_hit_ranks_first():
    in_text = make(Story, "own", title="故事甲", text="讲述了一位乡村教师的故事。")
    in_title = make(Story, "own", title="乡村教师", text="他的事迹感人。")
    ranked = search.matching(Story.objects.all(), "乡村").order_by("title_hit", "-pk")
    assert list(ranked.values_list("pk", flat=True))[:2] == [in_title.pk, in_text.pk]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("deed", "身份证430104200801010012，拾金不昧"),
        ("name", "430104200801010012"),
        ("honour", "联系13812345678"),
    ],
)
def test_a_role_model_never_holds_an_identifier(field, value):
    error = refused(lambda: record_role_models([Item(role_model_values(**{field: value}))], by=SYSTEM))
    assert field in error.by_field(0)
    assert "身份证" in " ".join(error.messages)
    assert not RoleModel.objects.exists()


def test_a_photo_needs_the_consent_recorded(example_user):
    secretary = example_user("school_secretary")
    (pupil,) = record_role_models([Item(role_model_values())], by=secretary)
    error = refused(lambda: attach_files(pupil, [("photo", "a.jpg", JPG)], by=secretary))
    assert "同意" in " ".join(error.messages)
    assert not RoleModelPhoto.objects.exists()
    incomplete = {"consent_by": "李父"}
    assert "consent_by" in refused(
        lambda: record_role_models([Item(incomplete, instance=pupil)], by=secretary)
    ).by_field(0)
    consent = {"consent_by": "李大明", "consent_relation": "父亲", "consent_on": datetime.date(2024, 5, 1)}
    record_role_models([Item(consent, instance=pupil)], by=secretary)
    attach_files(pupil, [("photo", "a.jpg", JPG)], by=secretary)
    assert RoleModelPhoto.objects.filter(role_model=pupil).count() == 1
    # The consent cannot be taken back while the photo is kept.
    gone = {"consent_by": "", "consent_relation": "", "consent_on": None}
    refused(lambda: record_role_models([Item(gone, instance=pupil)], by=secretary))


@pytest.mark.parametrize(
    ("role", "name", "content", "says"),
    [
        ("video", "lesson.mp4", PDF, "不是真正的"),
        ("plan", "plan.pdf", ZIP, "不是真正的"),
        ("plan", "plan.exe", PDF, "PDF"),
        ("video", "big.mp4", MP4 + b"\x00" * (200 * 1024 * 1024), "200"),
    ],
)
def test_a_file_not_of_its_declared_type_is_refused(example_user, role, name, content, says):
    lesson = make(Lesson, "own")
    error = refused(
        lambda: attach_files(lesson, [(role, name, content)], by=example_user("school_secretary"))
    )
    assert says in " ".join(error.messages)
    assert not LessonFile.objects.exists()


def test_a_lesson_keeps_its_plan_and_video(example_user):
    lesson = make(Lesson, "own")
    attach_files(
        lesson, [("plan", "plan.pdf", PDF), ("video", "v.mp4", MP4)], by=example_user("school_secretary")
    )
    assert sorted(LessonFile.objects.values_list("role", "content_type")) == [
        ("plan", "application/pdf"),
        ("video", "video/mp4"),
    ]


@pytest.mark.parametrize("field", ["title", "text"])
def test_an_empty_title_or_text_is_refused(field):
    error = refused(lambda: record_stories([Item(story_values(**{field: "  "}))], by=SYSTEM))
    assert field in error.by_field(0)
    assert not Story.objects.exists()


def test_a_library_recorded_after_the_fact_is_published_on_its_day():
    """A story published years ago (the demo's library, a bureau's back catalogue) counts from its day; a
    day in the future is refused."""
    story = make(Story, status="submitted")
    future = datetime.date.today() + datetime.timedelta(days=3)
    error = refused(lambda: move_items(Story, [story], "publish", by=SYSTEM, on=future))
    assert "未来" in " ".join(error.messages)
    story.refresh_from_db()
    assert story.status == "submitted"
    (published,) = move_items(Story, [story], "publish", by=SYSTEM, on=datetime.date(2018, 6, 1))
    assert published.published_on == datetime.date(2018, 6, 1)
    assert Story.objects.published_at(datetime.date(2018, 12, 31)).filter(pk=story.pk).exists()
    assert not Story.objects.published_at(datetime.date(2018, 5, 31)).filter(pk=story.pk).exists()
