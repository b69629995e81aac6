"""The showcase library (典型展示): member stories (党员故事), featured lessons (特色课堂 典型课例) and role
models (道德模范: students named as moral models).

Each item lies at its school and moves draft → submitted → published (``rules.MOVES``): the school writes
and submits it, a reviewer (district bureau or city: the ``publish`` action of ``PUBLISH_ROLES``) publishes
it, returns it for revision with a reason, or withdraws it once published. Every move is a ``Move`` row
(who, when, from, to, why). Only a draft is edited or deleted: a submitted item is returned first, a
published one withdrawn first (it goes back to draft).

A published item is readable by every account with a business role (the point of a showcase): the items'
``visible_to(user, "view")`` adds the published rows to those in the user's scope; every other action
(change, export, publish…) stays within the scope. The published and withdrawn dates are kept for the
figures (``metrics.py``): an item withdrawn later still counts for a period ending before the withdrawal.

Search (``search.py``) reads ``SearchTerm``: the bigrams of the CJK runs and the Latin/digit words of each
item's title and text, kept by the services on every write.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from redengine.core.files import SealedFile
from redengine.core.masking import looks_like_identifier
from redengine.core.models import AuditedModel
from redengine.core.permissions import USUAL, usual_table
from redengine.core.scoping import ScopedQuerySet, user_prefixes
from redengine.orgs.models import School, school_scope_q
from redengine.people.models import Person

from .rules import PUBLISH, Kind, Status

ITEM_ACTIONS = usual_table(
    city_admin=USUAL["city_admin"] | {PUBLISH}, district_admin=USUAL["district_admin"] | {PUBLISH}
)


def required_text(obj, names):
    """{field: message} for the text fields of ``names`` left empty (or only spaces)."""
    return {
        name: _("%(field)s is required.") % {"field": obj._meta.get_field(name).verbose_name}
        for name in names
        if not (getattr(obj, name) or "").strip()
    }


class ItemQuerySet(ScopedQuerySet):
    """An item's rows: within the scope, and for reading (``view``) every published row too, for any account
    whose roles may read the model somewhere (every business role)."""

    def visible_to(self, user, action="view", through=None):
        scoped = super().visible_to(user, action, through)
        if action != "view" or through is not None or getattr(user, "is_system", False):
            return scoped
        prefixes = user_prefixes(user, self.model, "view")
        if not prefixes or "" in prefixes:
            return scoped
        return self.filter(self.model.scope_filter(prefixes) | Q(status=Status.PUBLISHED))

    def published_at(self, day):
        """Published on or before ``day`` and not withdrawn by then (metrics.md ``showcase.*``)."""
        return self.filter(published_on__lte=day).filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day)
        )


class FileQuerySet(ScopedQuerySet):
    """An item's files: read where the item is read (a published item's by every business role)."""

    def visible_to(self, user, action="view", through=None):
        if action != "view" or through is not None or getattr(user, "is_system", False):
            return super().visible_to(user, action, through)
        if not user_prefixes(user, self.model, "view"):
            return self.none()
        parent = self.model._meta.get_field(self.model.parent).related_model
        return self.filter(**{f"{self.model.parent}__in": parent.objects.visible_to(user).values("pk")})


class ShowcaseItem(AuditedModel):
    """What the three kinds share: the school, the status and the dates of the moves."""

    kind = None  # rules.Kind of the model
    title_field = "title"
    text_fields = ()  # the texts the search reads besides the title

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True, editable=False)

    objects = ItemQuerySet.as_manager()
    role_actions = ITEM_ACTIONS

    class Meta:
        abstract = True

    @classmethod
    def scope_filter(cls, prefixes):
        return school_scope_q(prefixes, school="school_id")

    def audit_scope_path(self):
        return self.school.audit_scope_path()

    @classmethod
    def audit_scope_paths(cls, objs):
        schools = list({o.school_id: o.school for o in objs}.values())
        paths = dict(zip([s.pk for s in schools], School.audit_scope_paths(schools), strict=True))
        return [paths[o.school_id] for o in objs]

    @property
    def heading(self):
        return getattr(self, self.title_field)

    def search_texts(self):
        """(title, text) as the search reads them."""
        return self.heading or "", "\n".join(str(getattr(self, name) or "") for name in self.text_fields)

    def delete_refusal(self):
        if self.status != Status.DRAFT:
            return _(
                "Only a draft can be deleted: a submitted item is returned first, a published one withdrawn."
            )
        return None

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED


class Story(ShowcaseItem):
    """A party member story (党员故事): what members of a school did, told for recitation evenings and story
    sessions."""

    kind = Kind.STORY
    text_fields = ("text", "tags")

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=20000)
    members = models.ManyToManyField(
        Person, blank=True, related_name="showcase_stories", verbose_name=_("members in the story")
    )
    tags = models.CharField(
        _("tags"), max_length=200, blank=True, help_text=_("Separated by commas, e.g. 教书育人，扶贫支教.")
    )

    class Meta:
        verbose_name = _("member story")
        verbose_name_plural = _("member stories")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["school", "status"], name="story_school_status"),
            models.Index(fields=["status", "published_on"], name="story_published"),
            models.Index(fields=["published_on", "withdrawn_on"], name="story_dates"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("showcase:story_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = required_text(self, ["title", "text"])
        if errors:
            raise ValidationError(errors)

    @property
    def tag_list(self):
        return split_tags(self.tags)


def split_tags(text):
    return [t.strip() for t in (text or "").replace("，", ",").replace("、", ",").split(",") if t.strip()]


class StoryUse(AuditedModel):
    """An event at which a story was told (a recitation evening, a story session): read with its story."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="uses", verbose_name=_("story"))
    event = models.CharField(_("event"), max_length=100)
    held_on = models.DateField(_("date of the event"))

    class Meta:
        verbose_name = _("use of a story")
        verbose_name_plural = _("uses of stories")
        ordering = ["story_id", "held_on", "id"]

    def __str__(self):
        return f"{self.event}（{self.held_on:%Y-%m-%d}）"

    def audit_scope_path(self):
        return self.story.school.audit_scope_path()


class Lesson(ShowcaseItem):
    """A featured lesson (特色课堂 典型课例): a teacher's lesson with its plan and its video."""

    kind = Kind.LESSON
    text_fields = ("theme", "summary")

    title = models.CharField(_("title"), max_length=200)
    teacher = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="showcase_lessons", verbose_name=_("teacher")
    )
    subject = models.CharField(_("subject"), max_length=30)
    grade = models.CharField(_("grade"), max_length=30)
    theme = models.CharField(_("theme"), max_length=200)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("featured lesson")
        verbose_name_plural = _("featured lessons")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["school", "status"], name="lesson_school_status"),
            models.Index(fields=["status", "published_on"], name="lesson_published"),
            models.Index(fields=["published_on", "withdrawn_on"], name="lesson_dates"),
            models.Index(fields=["subject", "grade"], name="lesson_subject_grade"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("showcase:lesson_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = required_text(self, ["title", "subject", "grade", "theme"])
        if errors:
            raise ValidationError(errors)


class RoleModel(ShowcaseItem):
    """A student named a moral model (道德模范). A minor: only what the honour needs is kept (name, school,
    grade, deed, honour and its date); never an ID number; a photo only with the consent recorded (who
    gave it, their relation to the student, the date)."""

    kind = Kind.ROLE_MODEL
    title_field = "name"
    text_fields = ("deed", "honour")
    identifier_free = ("name", "grade", "deed", "honour", "consent_by", "consent_relation")

    name = models.CharField(_("student's name"), max_length=50)
    grade = models.CharField(_("grade"), max_length=30)
    deed = models.TextField(_("deed"), max_length=3000)
    honour = models.CharField(_("honour"), max_length=100)
    named_on = models.DateField(_("date named"))
    consent_by = models.CharField(_("photo consent given by"), max_length=50, blank=True)
    consent_relation = models.CharField(
        _("relation to the student"), max_length=20, blank=True, help_text=_("e.g. 父亲, 母亲, 监护人.")
    )
    consent_on = models.DateField(_("date of the consent"), null=True, blank=True)

    class Meta:
        verbose_name = _("role model")
        verbose_name_plural = _("role models")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["school", "status"], name="rolemodel_school_status"),
            models.Index(fields=["status", "published_on"], name="rolemodel_published"),
            models.Index(fields=["named_on"], name="rolemodel_named"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("showcase:rolemodel_detail", args=[self.pk])

    @property
    def consent_recorded(self):
        return bool(
            (self.consent_by or "").strip() and (self.consent_relation or "").strip() and self.consent_on
        )

    def clean(self):
        super().clean()
        errors = required_text(self, ["name", "grade", "deed", "honour"])
        for name in self.identifier_free:
            if name not in errors and looks_like_identifier(getattr(self, name)):
                errors[name] = _(
                    "This looks like an ID number or a mobile number: a role model's record keeps none "
                    "(a minor's data is kept to the minimum)."
                )
        given = [
            bool((self.consent_by or "").strip()),
            bool((self.consent_relation or "").strip()),
            bool(self.consent_on),
        ]
        if any(given) and not all(given):
            errors.setdefault(
                "consent_by",
                _("A consent is recorded with who gave it, their relation to the student and its date."),
            )
        if errors:
            raise ValidationError(errors)


class LessonFile(SealedFile):
    """A lesson's plan (PDF, Word) or video (MP4), sealed like every file; served to who may read the lesson."""

    class Role(models.TextChoices):
        PLAN = "plan", _("lesson plan")
        VIDEO = "video", _("video")

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="files", verbose_name=_("lesson")
    )
    role = models.CharField(_("file"), max_length=5, choices=Role.choices)

    objects = FileQuerySet.as_manager()
    role_actions = ITEM_ACTIONS
    parent = "lesson"

    class Meta:
        verbose_name = _("lesson file")
        verbose_name_plural = _("lesson files")
        ordering = ["lesson_id", "role", "id"]

    def get_absolute_url(self):
        return reverse("showcase:lessonfile", args=[self.pk])

    @classmethod
    def scope_filter(cls, prefixes):
        return school_scope_q(prefixes, school="lesson__school_id")

    def audit_scope_path(self):
        return self.lesson.school.audit_scope_path()


class RoleModelPhoto(SealedFile):
    """A role model's photo (JPEG, PNG): kept only with the consent recorded on the role model."""

    role_model = models.ForeignKey(
        RoleModel, on_delete=models.CASCADE, related_name="photos", verbose_name=_("role model")
    )

    objects = FileQuerySet.as_manager()
    role_actions = ITEM_ACTIONS
    parent = "role_model"

    class Meta:
        verbose_name = _("role model photo")
        verbose_name_plural = _("role model photos")
        ordering = ["role_model_id", "id"]

    def get_absolute_url(self):
        return reverse("showcase:rolemodelphoto", args=[self.pk])

    @classmethod
    def scope_filter(cls, prefixes):
        return school_scope_q(prefixes, school="role_model__school_id")

    def audit_scope_path(self):
        return self.role_model.school.audit_scope_path()


class Move(AuditedModel):
    """One move of an item (submit, publish, return for revision, withdraw): who, when, why. Read with its
    item (``kind``, ``item_id``)."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    item_id = models.PositiveBigIntegerField(_("item"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    action = models.CharField(_("move"), max_length=10)
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("move")
        verbose_name_plural = _("moves")
        ordering = ["kind", "item_id", "at", "id"]
        indexes = [models.Index(fields=["kind", "item_id", "at"], name="showcase_move_item")]

    def __str__(self):
        return f"{self.action} {self.kind}#{self.item_id}"

    def audit_scope_path(self):
        return self.school.audit_scope_path()

    @classmethod
    def audit_scope_paths(cls, objs):
        schools = list({o.school_id: o.school for o in objs}.values())
        paths = dict(zip([s.pk for s in schools], School.audit_scope_paths(schools), strict=True))
        return [paths[o.school_id] for o in objs]


class SearchTerm(models.Model):
    """One term of an item's title or text (a CJK bigram, a Latin/digit word): the search index, derived
    data kept by the services (``search.py``)."""

    kind = models.CharField(max_length=10, choices=Kind.choices)
    item_id = models.PositiveBigIntegerField()
    term = models.CharField(max_length=40)

    class Meta:
        # The search reads (term, kind) and takes the item from the same index (covering); an item's terms are
        # replaced by its item id.
        constraints = [models.UniqueConstraint(fields=["term", "kind", "item_id"], name="showcase_term_once")]
        indexes = [models.Index(fields=["item_id", "kind"], name="showcase_term_item")]

    def __str__(self):
        return self.term


MODELS = {Kind.STORY: Story, Kind.LESSON: Lesson, Kind.ROLE_MODEL: RoleModel}
