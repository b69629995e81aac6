"""Writes of the showcase, batch-first: ``record_stories(items, *, by)``, ``record_lessons``,
``record_role_models`` (the forms, the API and the demo call them; one record is a batch of one), the moves
``move_items(model, objs, move, *, by, reason)``, the files ``attach_files(parent, files, *, by)``, and the
deletes. Each keeps the search index (``SearchTerm``) of the items it writes.

Each batch is checked before anything is written, every problem located on its item and field:

* a title and a text (a lesson's subject, grade and theme; a role model's name, grade, deed and honour)
  are given; a role model's texts hold nothing that looks like an ID number or a mobile, and a consent is
  whole (who, relation, date) or absent, never taken back while the role model has a photo;
* only a draft is changed (a submitted item is returned first, a published one withdrawn first);
* a move starts from a status its rule allows (``rules.MOVES``: a draft never submitted is not published),
  a return or a withdrawal gives its reason, and the item lies in the mover's scope for the move's action
  (``change`` to submit, ``publish`` for the reviewer's moves): else it answers as for an item that does
  not exist;
* a file is of the kind declared, by its content (``core/files.py``), a video up to 200 MB; a role model's
  photo only once the consent is recorded;
* the schools and people named lie in the writer's scope (``PICK``), and every record written lies where the
  writer may write it: re-checked by the write path before it commits.
"""

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_create_audited, bulk_update_audited, copy_rows, remember
from redengine.core.files import SIGNATURES, check_file, sealed_file
from redengine.core.services import ADD, CHANGE, PICK, Item, ModelService
from redengine.core.writes import Problem, RefusedError, chunked, outside_scope, writing
from redengine.people.services import SchoolPlaced

from . import search
from .models import Lesson, LessonFile, Move, RoleModel, RoleModelPhoto, SearchTerm, Story, StoryUse
from .rules import FILE_KINDS, MOVES, VIDEO_MAX_BYTES, Status


# The search index ------------------------------------------------------------------------------------
def reindex(model, objs):
    """Replace the search terms of ``objs`` (of ``model``) by those of their title and texts, in bulk: the
    rows sent as values (one ``COPY`` on PostgreSQL, ``executemany`` on SQLite), no model instance each."""
    objs = [o for o in objs if o.pk]
    if not objs:
        return
    unindex(model, [o.pk for o in objs])
    rows = [(model.kind, obj.pk, term) for obj in objs for term in sorted(search.item_terms(obj))]
    insert_terms(rows)


def insert_terms(rows, batch_size=5000):
    connection = connections[router.db_for_write(SearchTerm)]
    meta = SearchTerm._meta
    fields = [meta.get_field(name) for name in ("kind", "item_id", "term")]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):
            copy_rows(connection, cursor, meta.db_table, fields, rows)
            return
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES (%s, %s, %s)".format(  # noqa: S608 (names from the model, quoted)
            quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
        )
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])


def unindex(model, pks):
    for chunk in chunked(sorted(pks)):
        SearchTerm.objects.filter(kind=model.kind, item_id__in=chunk).delete()


# The items -------------------------------------------------------------------------------------------
class ItemService(SchoolPlaced, ModelService):
    """What the three kinds share: only a draft is changed; the index follows every write."""

    def place_message(self, item):
        return _("You may not record an item of this school: it lies outside your scope.")

    def validate(self, plan):
        super().validate(plan)
        for index, item in enumerate(plan.items):
            if not item.is_new and item.changed and item.instance.status != Status.DRAFT:
                plan.problems.append(
                    Problem(
                        _(
                            "Only a draft can be changed: this item is %(status)s (withdraw a published item, "
                            "or return a submitted one, first)."
                        )
                        % {"status": item.instance.get_status_display()},
                        index,
                    )
                )

    def apply(self, plan, write):
        super().apply(plan, write)
        reindex(self.model, [i.obj for i in plan.items if i.is_new or i.changed])

    def delete(self, objs, *, by):
        objs = list(objs)
        pks = [o.pk for o in objs]
        with writing(by):
            super().delete(objs, by=by)
            unindex(self.model, pks)


class StoryService(ItemService):
    """Stories; an item's ``extra["uses"]`` ([(event, date)]) replaces the events the story was used at."""

    model = Story
    fields = ("school", "title", "text", "members", "tags")
    references = {"school": PICK, "members": PICK}

    def check(self, items, scope):
        plan = super().check(items, scope)
        for index, item in enumerate(plan.items):
            for event, day in item.extra.get("uses", []) or []:
                if not (event or "").strip() or day is None:
                    plan.problems.append(
                        Problem(_("Each use of the story names its event and its date."), index, "uses")
                    )
                    break
                if day > timezone.localdate():
                    plan.problems.append(
                        Problem(
                            _("A use is recorded once the event is held: the date is in the future."),
                            index,
                            "uses",
                        )
                    )
                    break
        return plan

    def validate(self, plan):
        super().validate(plan)
        for index, item in enumerate(plan.items):
            refused = any(p.item == index and p.field is None for p in plan.problems)
            if (
                "uses" in item.extra
                and not item.is_new
                and item.instance.status != Status.DRAFT
                and not refused
            ):
                plan.problems.append(
                    Problem(_("Only a draft can be changed: withdraw it first."), index, "uses")
                )

    def apply(self, plan, write):
        super().apply(plan, write)
        touched = [i for i in plan.items if "uses" in i.extra]
        if not touched:
            return
        recorded = [i.obj.pk for i in touched if not i.is_new]
        for chunk in chunked(recorded):
            for use in StoryUse.objects.filter(story_id__in=chunk).select_related("story__school"):
                use.delete()
        new = [
            StoryUse(story=i.obj, event=event.strip()[:100], held_on=day)
            for i in touched
            for event, day in i.extra["uses"]
        ]
        if new:
            bulk_create_audited(StoryUse, new, scope_paths=Story.audit_scope_paths([u.story for u in new]))


class LessonService(ItemService):
    model = Lesson
    fields = ("school", "title", "teacher", "subject", "grade", "theme", "summary")
    references = {"school": PICK, "teacher": PICK}


class RoleModelService(ItemService):
    model = RoleModel
    fields = (
        "school",
        "name",
        "grade",
        "deed",
        "honour",
        "named_on",
        "consent_by",
        "consent_relation",
        "consent_on",
    )
    references = {"school": PICK}

    def validate(self, plan):
        super().validate(plan)
        today = timezone.localdate()
        withdrawn = [
            (index, item.obj)
            for index, item in enumerate(plan.items)
            if not item.is_new and not item.obj.consent_recorded
        ]
        with_photos = set(
            RoleModelPhoto.objects.filter(role_model_id__in=[o.pk for _i, o in withdrawn]).values_list(
                "role_model_id", flat=True
            )
            if withdrawn
            else []
        )
        for index, obj in withdrawn:
            if obj.pk in with_photos:
                plan.problems.append(
                    Problem(
                        _(
                            "This role model has a photo: its consent cannot be taken away (remove the photo first)."
                        ),
                        index,
                        "consent_by",
                    )
                )
        for index, item in enumerate(plan.items):
            obj = item.obj
            if obj.named_on and obj.named_on > today:
                plan.problems.append(Problem(_("The date named is in the future."), index, "named_on"))
            if obj.consent_on and obj.consent_on > today:
                plan.problems.append(
                    Problem(_("The date of the consent is in the future."), index, "consent_on")
                )


STORIES = StoryService()
LESSONS = LessonService()
ROLE_MODELS = RoleModelService()
SERVICES = {Story: STORIES, Lesson: LESSONS, RoleModel: ROLE_MODELS}


def record_stories(items, *, by):
    """Check and write a batch of stories (``Item``s); the records, in order."""
    return STORIES.save(items, by=by)


def record_lessons(items, *, by):
    return LESSONS.save(items, by=by)


def record_role_models(items, *, by):
    return ROLE_MODELS.save(items, by=by)


def delete_stories(objs, *, by):
    STORIES.delete(objs, by=by)


def delete_lessons(objs, *, by):
    LESSONS.delete(objs, by=by)


def delete_role_models(objs, *, by):
    ROLE_MODELS.delete(objs, by=by)


# The moves -------------------------------------------------------------------------------------------
def move_items(model, objs, move, *, by, reason="", on=None):
    """Move ``objs`` (items of ``model``) by the move named ``move`` (``rules.MOVES``), each move recorded
    (who, when, from, to, why); the items, moved. ``RefusedError`` with nothing written: an item outside the
    mover's scope for the move's action (as for one that does not exist), a status the move does not start
    from, a return or a withdrawal without its reason, a day (``on``: the day a publication or a withdrawal
    took effect, today when not given — a library recorded after the fact) in the future."""
    rule = MOVES[move]
    objs = list(objs)
    reason = (reason or "").strip()
    with writing(by) as write:
        allowed = write.allowed(model, rule.action, objs)
        problems = [
            Problem(outside_scope(), n, None, True) for n, o in enumerate(objs) if o.pk not in allowed
        ]
        if problems:
            raise RefusedError(problems)
        for index, obj in enumerate(objs):
            if obj.status not in rule.from_statuses:
                problems.append(
                    Problem(
                        _("%(object)s is %(status)s: “%(move)s” is done only to an item that is %(from)s.")
                        % {
                            "object": obj,
                            "status": obj.get_status_display(),
                            "move": rule.label,
                            "from": "、".join(str(Status(s).label) for s in rule.from_statuses),
                        },
                        index,
                    )
                )
        if on is not None and on > timezone.localdate():
            problems.append(Problem(_("The day of the move is in the future."), None, "on"))
        if rule.needs_reason and not reason:
            problems.append(Problem(_("Give the reason, for the school to read."), None, "reason"))
        if problems:
            raise RefusedError(problems)
        now = timezone.now()
        today = on or timezone.localdate()
        remember(objs)
        fields = ["status"]
        moves = []
        for obj in objs:
            moves.append(
                Move(
                    kind=model.kind,
                    item_id=obj.pk,
                    school=obj.school,
                    action=move,
                    from_status=obj.status,
                    to_status=rule.to_status,
                    reason=reason[:500],
                    by=write.user,
                    at=now,
                )
            )
            obj.status = rule.to_status
            if move == "submit":
                obj.submitted_at = now
            elif move == "publish":
                obj.published_on, obj.withdrawn_on = today, None
            elif move == "withdraw":
                obj.withdrawn_on = today
        fields += {
            "submit": ["submitted_at"],
            "publish": ["published_on", "withdrawn_on"],
            "withdraw": ["withdrawn_on"],
        }.get(move, [])
        bulk_update_audited(model, objs, fields, scope_paths=model.audit_scope_paths(objs))
        bulk_create_audited(Move, moves, scope_paths=model.audit_scope_paths(objs))
        write.expect(model, rule.action, objs)
    return objs


# The files -------------------------------------------------------------------------------------------
FILE_MODELS = {Lesson: LessonFile, RoleModel: RoleModelPhoto}


def check_item_file(role, name, content):
    """The content type of an acceptable file of ``role`` (plan, video, photo), or a ValidationError."""
    kinds = FILE_KINDS[role]
    refused = {
        "plan": _("%(name)s: a lesson plan is a PDF or a Word (.docx) file."),
        "video": _("%(name)s: a video is an MP4 file."),
        "photo": _("%(name)s: a photo is a JPEG or PNG file."),
    }[role]
    limit = VIDEO_MAX_BYTES if role == "video" else None
    extra = {"max_bytes": limit} if limit else {}
    return check_file(name, content, {k: SIGNATURES[k] for k in kinds}, refused, **extra)


def attach_files(parent, files, *, by):
    """Keep ``files`` ([(role, name, content)]) with ``parent`` (a lesson: plan or video; a role model:
    photo), sealed; the file records. Only a draft takes a file; a role model's photo needs its consent."""
    model = type(parent)
    file_model = FILE_MODELS[model]
    with writing(by) as write:
        if parent.pk not in write.allowed(model, CHANGE, [parent]):
            raise RefusedError([Problem(outside_scope(), 0, None, True)])
        problems = []
        if parent.status != Status.DRAFT:
            problems.append(Problem(_("Only a draft takes a file: withdraw the item first."), 0, "file"))
        if model is RoleModel and not parent.consent_recorded:
            problems.append(
                Problem(
                    _(
                        "A role model's photo is kept only with the consent recorded: who gave it, their "
                        "relation to the student and the date (record it on the role model first)."
                    ),
                    0,
                    "file",
                )
            )
        made = []
        user = write.user
        for role, name, content in files:
            try:
                content_type = check_item_file(role, name, content)
            except ValidationError as exc:
                problems.append(Problem(exc.messages[0], 0, "file"))
                continue
            values = {"lesson": parent, "role": role} if model is Lesson else {"role_model": parent}
            made.append(sealed_file(file_model, name, content, user, content_type, **values))
        if problems:
            raise RefusedError(problems)
        bulk_create_audited(file_model, made, scope_paths=model.audit_scope_paths([parent] * len(made)))
        write.expect(file_model, ADD, made)
    return made


__all__ = ["Item", "LESSONS", "ROLE_MODELS", "STORIES", "attach_files", "move_items", "record_stories"]
