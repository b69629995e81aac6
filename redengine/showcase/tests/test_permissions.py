"""The permission matrix of the showcase (see redengine.testing.matrix): stories, lessons and role models with
every page, form, move and API method they have, and the lessons' files and the role models' photos.

The sample items sit at three schools of the demo tree (the secretary's own school, a sibling school of the
same district, a school of another district). Each kind has three cases, one per status, so that each move is
tried on the items it applies to: the drafts (list, export, page, forms, delete, submit, upload), the submitted
items (publish, return for revision, and publishing a draft never submitted refused with the form's errors),
and the published items (withdraw).

How a published item is read across the scope. The framework reads the scope of a record as "its owners lie
in the subtree of one of the user's assignments". A published item is read by every business role wherever it
lies (the point of a showcase): ``ShowcaseCase`` says so, for the ``view`` action only, in its own reading
(``published``: the record is published, or its item is, for a file) — a user whose roles allow ``view``
anywhere reads it, every other action (change, export, publish…) keeps the framework's subtree reading. So the
lists, the pages, the search, the files and the API of the published case expect the item everywhere, and those
of the draft and submitted cases only in scope (404 elsewhere)."""

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization
from redengine.showcase.models import Lesson, LessonFile, RoleModel, RoleModelPhoto, Story
from redengine.showcase.rules import PUBLISH
from redengine.showcase.services import attach_files, move_items
from redengine.testing.matrix import (
    Action,
    ApiCreate,
    ApiDelete,
    ApiDetail,
    ApiList,
    ApiPatch,
    Confirm,
    Create,
    Delete,
    Detail,
    Edit,
    Export,
    ListPage,
    Needs,
    Page,
    ScopedCase,
    Trail,
    View,
    api_path,
    build_matrix,
    records_of,
)

from .helpers import JPG, MP4, PDF, SCHOOLS, make, teacher

POSITIONS = list(SCHOOLS)
STATUS_LABEL = {"draft": "草稿", "submitted": "报送", "published": "发布"}
POSITION_LABEL = {"own": "本校", "sibling": "邻校", "other_district": "外区"}
WORD = "矩阵样本"  # in every sample's title: the search finds them all, and shows those the user may read
URL = {Story: "story", Lesson: "lesson", RoleModel: "rolemodel"}
TITLE = {Story: "title", Lesson: "title", RoleModel: "name"}
CONSENT = {"consent_by": "王父", "consent_relation": "父亲", "consent_on": datetime.date(2024, 5, 1)}


def school_owners(s):
    """The organizations covering the school, else its district's (where an uncovered school lies)."""
    return list(s.organizations.all()) or list(PartyOrganization.objects.filter(district=s.district))


def title_of(model, status, position):
    return f"{WORD}{STATUS_LABEL[status]}{POSITION_LABEL[position]}"


def samples(model, status):
    """() -> None: an item of ``model`` at each position, in ``status`` (a role model with its consent, a
    lesson's and a role model's with a file)."""

    def setup():
        for position in POSITIONS:
            extra = CONSENT if model is RoleModel else {}
            make(model, position, status, **{TITLE[model]: title_of(model, status, position)}, **extra)

    return setup


@dataclass
class ShowcaseCase(ScopedCase):
    """A case whose records, once published, are read by every business role (the module's docstring)."""

    published: object = None  # record -> whether it is read everywhere

    def in_scope(self, user, obj, action, model=None):
        if obj is not None and action == "view" and model in (None, self.model) and self.published(obj):
            return self.allowed(user, "view", model)
        return super().in_scope(user, obj, action, model)


@dataclass
class ApiMove(View):
    """A move of the API (``stories/{id}/publish/`` …) posted with its body: 403; 404 outside the move's
    scope as for a missing id; 400 where the domain forbids it (``possible``); else 200, the move done and
    its change records."""

    body: object = None
    done: object = None
    records: object = None
    possible: bool = True

    method = "post"
    kind = "api_move"

    def check(self, run):
        obj, user = run.subject, run.user
        reachable = obj is not None and self.in_scope(run)
        trail = Trail()
        response = run.api("post", api_path(self.url, obj), self.body or {})
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not reachable:
            assert response.status_code == 404
            trail.assert_nothing_written()
        elif not self.possible:
            assert response.status_code == 400, response.content[:300]
            trail.assert_nothing_written()
        else:
            assert response.status_code == 200, response.content[:300]
            assert self.done(obj)
            trail.assert_records(user, self.records)
            return
        if obj is not None:
            assert not self.done(obj)


def status_is(model, status):
    return lambda obj: model.objects.get(pk=obj.pk).status == status


def moved(model):
    """The change records of a move: the item's update and the move's row."""
    return {(model._meta.model_name, "update"): 1, ("move", "create"): 1}


FORM_FIELDS = {
    Story: ["school", "title", "text", "members", "tags"],
    Lesson: ["school", "title", "teacher", "subject", "grade", "theme", "summary"],
    RoleModel: [
        "school",
        "name",
        "grade",
        "deed",
        "honour",
        "named_on",
        "consent_by",
        "consent_relation",
        "consent_on",
    ],
}
NEW = "矩阵新条目"
NEW_API = "矩阵接口新条目"


def new_values(model, obj, title):
    """A new item at the sample's school, as the form posts it."""
    position = next(p for p, (code, _name) in SCHOOLS.items() if code == obj.school.code)
    values = {"school": obj.school_id, TITLE[model]: title}
    if model is Story:
        values.update(text="新故事的正文", tags="", uses="")
    elif model is Lesson:
        values.update(
            teacher=teacher(position).pk, subject="数学", grade="三年级", theme="劳动教育", summary=""
        )
    else:
        values.update(grade="四年级", deed="助人为乐", honour="校级道德模范", named_on="2024-04-01")
        values.update(consent_by="", consent_relation="", consent_on="")
    return values


def api_values(model, obj):
    values = new_values(model, obj, NEW_API)
    values["school"] = obj.school.code
    values.pop("uses", None)
    return {k: v for k, v in values.items() if v != ""}


def created(model, title):
    return lambda obj: model.objects.filter(school=obj.school_id, **{TITLE[model]: title})


IN_SCHOOL = Needs(lambda o: school_owners(o.school), action="add", field="school")


def upload(model):
    """The upload of a draft's file: a lesson's plan, a role model's photo (its consent recorded)."""
    if model is Lesson:
        data = lambda o: {"role": "plan", "file": SimpleUploadedFile("plan.pdf", PDF)}  # noqa: E731
        done = lambda o: LessonFile.objects.filter(lesson=o).exists()  # noqa: E731
        file_model = LessonFile
    else:
        data = lambda o: {"file": SimpleUploadedFile("photo.jpg", JPG)}  # noqa: E731
        done = lambda o: RoleModelPhoto.objects.filter(role_model=o).exists()  # noqa: E731
        file_model = RoleModelPhoto
    name = f"showcase:{URL[model]}_upload"
    return [
        Detail(name, action="change", label="form"),
        Action(name, data=data, done=done, records=lambda o: records_of(file_model, "create")),
    ]


def cases(model):
    name = URL[model]
    lookup = TITLE[model]
    owners = lambda o: school_owners(o.school)  # noqa: E731
    published = lambda o: o.status == "published"  # noqa: E731
    route = name  # the API's basename

    def case(status, views):
        return ShowcaseCase(
            name=f"{name}-{status}",
            model=model,
            lookup=lookup,
            owners=owners,
            positions={p: title_of(model, status, p) for p in POSITIONS},
            setup=samples(model, status),
            marker_field=lookup,
            published=published,
            views=views,
        )

    def move_views(move, status_after, action, data=None):
        url = f"showcase:{name}_{move}"
        api_name = {"return": "return-for-revision"}.get(move, move)
        return [
            Detail(url, action=action, label="form"),
            Action(
                url,
                action=action,
                data=lambda o: data or {},
                done=status_is(model, status_after),
                records=lambda o: moved(model),
            ),
            ApiMove(
                f"{route}-{api_name}",
                action=action,
                body=data,
                done=status_is(model, status_after),
                records=moved(model),
            ),
        ]

    # The search page and the list's ``q`` (one function for the three kinds, ``search.matching``: tried with
    # the stories; the lessons' and role models' lists without it).
    searched = []
    if model is Story:
        searched = [
            ListPage(
                f"showcase:{name}_list", query={"q": WORD}, text=lambda o: getattr(o, lookup), label="q"
            ),
            ListPage("showcase:search", query={"q": WORD}, text=lambda o: getattr(o, lookup), label="search"),
        ]
    drafts = case(
        "draft",
        [
            ListPage(f"showcase:{name}_list", query={}),
            *searched,
            Export(f"showcase:{name}_list"),
            Detail(f"showcase:{name}_detail"),
            Page(f"showcase:{name}_add", action="add", label="form"),
            Create(
                f"showcase:{name}_add",
                data=lambda o: new_values(model, o, NEW),
                needs=[IN_SCHOOL],
                created=created(model, NEW),
            ),
            Detail(f"showcase:{name}_edit", action="change", label="form"),
            Edit(f"showcase:{name}_edit", change=(lookup, f"{WORD}改名"), fields=FORM_FIELDS[model]),
            Confirm(
                f"showcase:{name}_delete",
                label="confirm",
                action="delete",
                done=lambda o: not model.objects.filter(pk=o.pk).exists(),
            ),
            Delete(f"showcase:{name}_delete"),
            *move_views("submit", "submitted", "change"),
            # Publishing a draft never submitted: the form again with its message (API: 400).
            Action(
                f"showcase:{name}_publish",
                action=PUBLISH,
                label="never-submitted",
                data=lambda o: {},
                possible=lambda run: False,
                done=status_is(model, "published"),
            ),
            ApiList(f"{route}-list"),
            ApiDetail(f"{route}-detail"),
            ApiCreate(
                f"{route}-list",
                body=lambda o: api_values(model, o),
                needs=[IN_SCHOOL],
                created=created(model, NEW_API),
            ),
            ApiPatch(
                f"{route}-detail",
                body=lambda o: {lookup: f"{WORD}接口改名"},
                done=lambda o: getattr(o, lookup) == f"{WORD}接口改名",
            ),
            ApiDelete(f"{route}-detail"),
            *(upload(model) if model is not Story else []),
        ],
    )
    submitted = case(
        "submitted",
        [
            *move_views("publish", "published", PUBLISH),
            *move_views("return", "draft", PUBLISH, {"reason": "请补充"}),
        ],
    )
    # A published item read across the scope: its page and its API record for every kind; its place in the
    # lists and the export (the same queryset for the three kinds) tried with the stories.
    listed = (
        [
            ListPage(f"showcase:{name}_list", query={}),
            Export(f"showcase:{name}_list"),
            ApiList(f"{route}-list"),
        ]
        if model is Story
        else []
    )
    published_case = case(
        "published",
        [
            *listed,
            *searched,
            Detail(f"showcase:{name}_detail"),
            ApiDetail(f"{route}-detail"),
            *move_views("withdraw", "draft", PUBLISH, {"reason": "需更新"}),
        ],
    )
    return [drafts, submitted, published_case]


# The files: a draft's at the secretary's school and at another district's, a published item's elsewhere ------
FILE_PLACES = {
    "own": ("own", "draft"),
    "other_district": ("other_district", "draft"),
    "published": ("other_district", "published"),
}


def file_samples(model):
    def setup():
        for key, (position, status) in FILE_PLACES.items():
            values = {"name": f"照片{key}", **CONSENT} if model is RoleModel else {"title": f"课例{key}"}
            parent = make(model, position, **values)
            if model is Lesson:
                attach_files(parent, [("video", f"video-{key}.mp4", MP4)], by=SYSTEM)
            else:
                attach_files(parent, [("photo", f"photo-{key}.jpg", JPG)], by=SYSTEM)
            if status == "published":
                move_items(model, [parent], "submit", by=SYSTEM)
                move_items(model, [parent], "publish", by=SYSTEM)

    return setup


LESSON_FILES = ShowcaseCase(
    name="lessonfile",
    model=LessonFile,
    lookup="file_name",
    owners=lambda f: school_owners(f.lesson.school),
    positions={key: f"video-{key}.mp4" for key in FILE_PLACES},
    setup=file_samples(Lesson),
    marker_field="file_name",
    published=lambda f: f.lesson.status == "published",
    views=[Detail("showcase:lessonfile", logs="export")],
)
PHOTOS = ShowcaseCase(
    name="rolemodelphoto",
    model=RoleModelPhoto,
    lookup="file_name",
    owners=lambda f: school_owners(f.role_model.school),
    positions={key: f"photo-{key}.jpg" for key in FILE_PLACES},
    setup=file_samples(RoleModel),
    marker_field="file_name",
    published=lambda f: f.role_model.status == "published",
    views=[Detail("showcase:rolemodelphoto", logs="export")],
)

# The pages about no record: the overview (the published library and the figures) and the search form.
PAGES = ShowcaseCase(
    name="showcase-pages",
    model=Story,
    lookup="title",
    owners=lambda o: school_owners(o.school),
    positions={},
    published=lambda o: True,
    views=[Page("showcase:overview"), Page("showcase:search")],
)

globals().update(build_matrix(*cases(Story), *cases(Lesson), *cases(RoleModel), LESSON_FILES, PHOTOS, PAGES))
