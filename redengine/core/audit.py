"""The audit trail: every create, change and delete of an ``AuditedModel`` becomes an ``ObjectChange``.

The record is written by signal handlers in the same transaction as the business write, so a
failed audit write rolls the business write back. Bulk writes on audited models go through
``bulk_create_audited`` and ``bulk_update_audited``, which write the records in bulk as well.
"""

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.db.models.fields import NOT_PROVIDED, AutoFieldMixin
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .context import current_actor
from .fields import sort_keys_of
from .masking import looks_like_identifier, mask_personal
from .models import AccessEvent, AuditedModel, ObjectChange
from .writes import active_write, chunked

PLAIN = frozenset({str, int, bool, float, type(None)})


def _json_value(value):
    if value.__class__ in PLAIN:
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


_SNAPSHOT_FIELDS = {}


def _snapshot_fields(model):
    """(name, attname) of the fields a model's snapshot holds, worked out once per model."""
    fields = _SNAPSHOT_FIELDS.get(model)
    if fields is None:
        fields = [
            (field.name, field.attname)
            for field in model._meta.concrete_fields
            if field.name not in model.audit_exclude
        ]
        _SNAPSHOT_FIELDS[model] = fields
    return fields


def snapshot(instance):
    """The instance's stored values, as JSON, without the fields it keeps out of the trail."""
    values = instance.__dict__  # a deferred field is not there: read it (and load it) as usual
    return {
        name: _json_value(values[attname] if attname in values else getattr(instance, attname))
        for name, attname in _snapshot_fields(instance.__class__)
    }


def actor_fields():
    actor = current_actor()
    user = actor.current_user()
    request = actor.request
    ip = actor.ip_address
    if ip is None and request is not None:
        ip = request.META.get("REMOTE_ADDR")
    label = actor.label
    if request is not None and not label:
        label = "api" if request.path.startswith("/api/") else "web"
    return {
        "user_id_snapshot": user.pk if user else None,
        "username": user.get_username() if user else "",
        "actor": label[:100],
        "request_id": actor.request_id,
        "ip_address": ip,
    }


class WriteOutsideServiceError(RuntimeError):
    """An audited record written outside a service's write path (``core.writes.writing``)."""


def require_write_path(model):
    if active_write() is None:
        raise WriteOutsideServiceError(
            f"{model._meta.label}: written outside a service; every write goes through the app's services"
        )


def record(instance, action, before, after, changed=None):
    require_write_path(type(instance))
    if changed is None:
        keys = (after or before or {}).keys()
        changed = [k for k in keys if (before or {}).get(k) != (after or {}).get(k)]
    return ObjectChange.objects.create(
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
        changed_fields=changed,
        scope_path=instance.audit_scope_path(),
        **actor_fields(),
    )


def bulk_create_audited(model, objs, batch_size=2000, scope_paths=None):
    """``bulk_create`` for an audited model, writing one create record per object in bulk too.

    ``scope_paths`` (one per object), when the caller knows them, spares asking the model."""
    created = insert_objects(model, objs)
    if scope_paths is None:
        scope_paths = model.audit_scope_paths(created)
    records, names = [], []
    for obj, scope_path in zip(created, scope_paths, strict=True):
        after = snapshot(obj)
        if len(names) != len(after):  # every snapshot of a model has the same fields: one list for all
            names = list(after)
        records.append((ObjectChange.Action.CREATE, obj.pk, str(obj), None, after, names, scope_path))
    insert_records(model, records, batch_size=batch_size)
    return created


SIMPLE = (str, int, bool, type(None))


def prepared(field, value, connection):
    """``field.get_db_prep_save(value)``, skipped for a plain value of a field that stores it as it is."""
    if value.__class__ in SIMPLE and field.get_internal_type() in PLAIN_COLUMNS:
        return value
    return field.get_db_prep_save(value, connection)


PLAIN_COLUMNS = frozenset(
    {
        "CharField",
        "TextField",
        "BooleanField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "ForeignKey",
    }
)


def insert_objects(model, objs):
    """Insert new objects and give each its primary key: what ``QuerySet.bulk_create`` does for a plain
    model, without compiling every value through the query compiler (a third of the time of a large
    import). On PostgreSQL the keys are drawn from the table's sequence and the rows sent with one
    ``COPY`` (``copy_objects``); on SQLite, multi-row ``INSERT … RETURNING`` statements. Each value comes
    from the field itself (``pre_save``, ``get_db_prep_save``); a related record not saved yet is refused,
    as Django refuses it."""
    objs = list(objs)
    if not objs:
        return objs
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    relations = [f for f in fields if f.many_to_one]
    if connection.vendor == "postgresql":
        if not copyable(connection, model, objs):  # Django inserts through UNNEST: twice as fast as VALUES
            return model.objects.bulk_create(objs, batch_size=2000)
        take_related_pks(model, objs, relations)
        return copy_objects(connection, model, objs, fields)
    quote = connection.ops.quote_name
    per_row = len(fields)
    limit = connection.features.max_query_params or 16384  # bound parameters per statement
    batch = max(1, min(1000, limit // per_row))
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 (names from the model, quoted by the backend)
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    row_sql = "(" + ", ".join(["%s"] * per_row) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}"
    take_related_pks(model, objs, relations)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = [prepared(f, f.pre_save(obj, add=True), connection) for obj in chunk for f in fields]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
            pks = [row[0] for row in cursor.fetchall()]
            for obj, pk in zip(chunk, pks, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
    return objs


def take_related_pks(model, objs, relations):
    """A related object saved since it was assigned: take its id, as ``bulk_create`` does."""
    for obj in objs:
        for f in relations:
            if f.is_cached(obj):
                related = f.get_cached_value(obj)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"{model.__name__}.{f.name}: the related object is not saved")
                    setattr(obj, f.attname, related.pk)


def copyable(connection, model, objs):
    """Whether ``copy_objects`` may insert ``objs``: psycopg 3's ``COPY``, a primary key the database
    numbers (none given), and no column that the database fills (a database default, a generated one)."""
    pk = model._meta.pk
    if not isinstance(pk, AutoFieldMixin) or any(obj.pk is not None for obj in objs):
        return False
    if any(f.generated or f.db_default is not NOT_PROVIDED for f in model._meta.concrete_fields):
        return False
    with connection.cursor() as cursor:
        return hasattr(cursor.cursor, "copy")


def copy_objects(connection, model, objs, fields):
    """PostgreSQL: one key per object from the table's own sequence (``nextval``, as an insert would draw
    it), then every row, key included, in one ``COPY``."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        pks = [row[0] for row in cursor.fetchall()]
        rows = (
            [pk, *[prepared(f, f.pre_save(obj, add=True), connection) for f in fields]]
            for obj, pk in zip(objs, pks, strict=True)
        )
        copy_rows(connection, cursor, meta.db_table, [meta.pk, *fields], rows)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def copy_rows(connection, cursor, table, fields, rows):
    """Send ``rows`` (values prepared for the database, in ``fields``' order) into ``table`` with one
    ``COPY`` by psycopg 3's cursor under Django's ``cursor``; its errors become Django's (a failing write is a
    ``DatabaseError`` like any other)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def insert_records(model, records, batch_size=2000):
    """Insert change records of ``model``'s objects in bulk, without making a model instance of each.

    ``records``: (action, object pk, object text, before, after, changed fields, scope path) tuples; the
    actor, the time and the object type are the same for all. The values are converted by the fields
    themselves (JSON for SQLite, jsonb for PostgreSQL), then sent with one ``executemany`` per batch
    (SQLite) or one ``COPY`` (PostgreSQL): writing the trail of a large import costs a fraction of
    writing the records it describes.
    """
    if not records:
        return 0
    require_write_path(model)
    connection = connections[router.db_for_write(ObjectChange)]
    meta = ObjectChange._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model, quoted by the backend)
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    constant = {
        "time": timezone.now(),
        "content_type": ContentType.objects.get_for_model(model, for_concrete_model=True).pk,
        **actor_fields(),
    }
    constant = {
        name: meta.get_field(name).get_db_prep_save(value, connection) for name, value in constant.items()
    }
    json_fields = {name: meta.get_field(name) for name in ("before", "after", "changed_fields")}
    per_record = ["action", "object_id", "object_repr", "before", "after", "changed_fields", "scope_path"]
    order = [per_record.index(field.name) if field.name in per_record else field.name for field in fields]
    rows, shared = [], {}  # a list of changed fields shared by many records is converted once
    for action, pk, text, before, after, changed, scope_path in records:
        prepared = shared.get(id(changed))
        if prepared is None:
            prepared = shared[id(changed)] = json_fields["changed_fields"].get_db_prep_save(
                changed, connection
            )
        values = (
            action,
            str(pk),
            text[:200],
            json_fields["before"].get_db_prep_save(before, connection),
            json_fields["after"].get_db_prep_save(after, connection),
            prepared,
            scope_path,
        )
        rows.append([values[slot] if isinstance(slot, int) else constant[slot] for slot in order])
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):  # psycopg 3: COPY, the fastest way in
            copy_rows(connection, cursor, meta.db_table, fields, rows)
        else:
            for start in range(0, len(rows), batch_size):
                cursor.executemany(sql, rows[start : start + batch_size])
    return len(rows)


def update_rows(model, objs, fields, batch_size=2000):
    """``UPDATE … SET … WHERE pk = …`` for each object, sent with one ``executemany`` per batch: what
    ``QuerySet.bulk_update`` does, without its one ``CASE WHEN`` per field and row (which makes updating
    thousands of rows take seconds). The values are converted by the fields themselves."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    columns = [f for f in columns if f.concrete and not f.primary_key]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names from the model, quoted by the backend)
        quote(meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in columns),
        quote(meta.pk.column),
    )
    rows = [[prepared(f, getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])


def remember(objs):
    """Keep each object's stored values as loaded, for ``bulk_update_audited``; call before changing them."""
    for obj in objs:
        obj._audit_loaded = snapshot(obj)
    return objs


def bulk_update_audited(model, objs, fields, batch_size=2000, before=None, scope_paths=None):
    """``bulk_update`` of ``fields`` for an audited model, with one change record per changed object, in bulk.

    The values before come from the rows as they were loaded, never from a query per row: ``before``
    maps each object's pk to its snapshot, or else ``remember(objs)`` was called when they were loaded.
    Only objects whose snapshot differs are written and recorded; the changed objects are returned.
    ``scope_paths`` (one per object) spares asking the model for them.
    """
    changed, records, paths = [], [], []
    written = {model._meta.get_field(name).name for name in fields}
    relations = [model._meta.get_field(name) for name in fields]
    relations = [field for field in relations if field.many_to_one]
    for obj in objs:  # a related object saved since it was assigned: take its id now, as bulk_update will
        for field in relations:
            related = field.get_cached_value(obj, None) if field.is_cached(obj) else None
            if related is not None and related.pk is not None:
                setattr(obj, field.attname, related.pk)
    given_paths = list(scope_paths) if scope_paths is not None else None
    for index, obj in enumerate(objs):
        old = before[obj.pk] if before is not None else getattr(obj, "_audit_loaded", None)
        if old is None:
            raise ValueError(f"{model.__name__} {obj.pk}: no values before; call remember() when loading")
        current = snapshot(obj)
        names = [name for name in current if name in written and old.get(name) != current[name]]
        if not names:
            continue
        new = {**old, **{name: current[name] for name in names}}  # what the row holds once written
        changed.append(obj)
        if given_paths is not None:
            paths.append(given_paths[index])
        records.append((obj, old, new, names))
    if not changed:
        return []
    keys = sort_keys_of(model, written)
    for obj in changed if keys else ():  # a changed name brings its sort key along
        for field in keys:
            field.pre_save(obj, False)
    update_rows(model, changed, [*fields, *(field.name for field in keys)], batch_size=batch_size)
    if given_paths is None:
        paths = model.audit_scope_paths(changed)
    insert_records(
        model,
        [
            (ObjectChange.Action.UPDATE, obj.pk, str(obj), old, new, names, scope_path)
            for (obj, old, new, names), scope_path in zip(records, paths, strict=True)
        ],
        batch_size=batch_size,
    )
    for obj, _old, new, _names in records:
        obj._audit_loaded = new
    return changed


def set_many_audited(model, name, targets):
    """Set the many-to-many field ``name`` of each object to its records, through the field's own table in
    bulk, with one change record per object whose set changes (the sorted pks before and after)."""
    field = model._meta.get_field(name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    objs = [obj for obj, _records in targets]
    current = {}
    for chunk in chunked([o.pk for o in objs]):
        for link_pk, obj_pk, target_pk in through.objects.filter(**{f"{source}_id__in": chunk}).values_list(
            "pk", f"{source}_id", f"{target}_id"
        ):
            current.setdefault(obj_pk, {})[target_pk] = link_pk
    removed, added, records, paths = [], [], [], model.audit_scope_paths(objs)
    for (obj, wanted), scope_path in zip(targets, paths, strict=True):
        before = current.get(obj.pk, {})
        after = {getattr(record_, "pk", record_) for record_ in wanted}
        if after == set(before):
            continue
        removed += [link for pk, link in before.items() if pk not in after]
        added += [
            through(**{f"{source}_id": obj.pk, f"{target}_id": pk}) for pk in sorted(after - set(before))
        ]
        records.append(
            (
                ObjectChange.Action.UPDATE,
                obj.pk,
                str(obj),
                {name: sorted(before)},
                {name: sorted(after)},
                [name],
                scope_path,
            )
        )
    for chunk in chunked(removed):
        through.objects.filter(pk__in=chunk).delete()
    through.objects.bulk_create(added, batch_size=2000)
    insert_records(model, records)
    return len(records)


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel):
        return
    instance._audit_before = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._base_manager.filter(pk=instance.pk).first()
        instance._audit_before = snapshot(old) if old is not None else None


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    action = ObjectChange.Action.CREATE if created or before is None else ObjectChange.Action.UPDATE
    if action == ObjectChange.Action.UPDATE and before == after:
        return  # a save that changed nothing leaves no record
    record(instance, action, before, after)


@receiver(pre_delete)
def _remember_deleted(sender, instance, **kwargs):
    if isinstance(instance, AuditedModel):
        instance._audit_before = snapshot(instance)
        instance._audit_scope = instance.audit_scope_path()


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if isinstance(instance, AuditedModel):
        instance.audit_scope_path = lambda: instance._audit_scope
        record(instance, ObjectChange.Action.DELETE, instance._audit_before, None)


@receiver(m2m_changed)
def _record_m2m(sender, instance, action, model, pk_set, **kwargs):
    if not isinstance(instance, AuditedModel):
        return
    field = next(
        (f for f in instance._meta.many_to_many if f.remote_field.through is sender),
        None,
    )
    if field is None:
        return
    if action.startswith("pre_"):
        instance._audit_m2m_before = sorted(getattr(instance, field.name).values_list("pk", flat=True))
        return
    after = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    before = getattr(instance, "_audit_m2m_before", [])
    if before != after:
        record(instance, ObjectChange.Action.UPDATE, {field.name: before}, {field.name: after}, [field.name])


def loggable_path(request):
    """The request's path and query as the access log keeps it: an ID number or a mobile typed into a
    filter (the people search takes a full ID number) is replaced by ``***``."""
    if not request.GET:
        return request.get_full_path()
    query = request.GET.copy()
    for key in query:
        query.setlist(key, ["***" if looks_like_identifier(v) else v for v in query.getlist(key)])
    return f"{request.path}?{query.urlencode(safe='*')}"


def log_access(kind, *, request=None, user=None, username="", obj=None, rows=None, detail="", scope_path=""):
    """Write one access-log row (logins, failures, exports, reveals, refusals); a whole ID number or mobile in
    its path or detail is masked (``core.masking.mask_personal``)."""
    actor = current_actor()
    request = request or actor.request
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if getattr(candidate, "is_authenticated", False) else None
    object_type, object_id = (obj, "") if isinstance(obj, str) else ("", "")
    if isinstance(obj, models.Model):
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
        if not scope_path and hasattr(obj, "audit_scope_path"):
            scope_path = obj.audit_scope_path()
    if not scope_path and user is not None and hasattr(user, "home_scope_path"):
        scope_path = user.home_scope_path()  # so that the auditors of the user's subtree see it
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=(user.get_username() if user else username)[:150],
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else actor.ip_address,
        request_id=getattr(request, "request_id", "") or actor.request_id,
        path=mask_personal(loggable_path(request) if request is not None else actor.label)[:500],
        object_type=object_type[:100],
        object_id=object_id,
        row_count=rows,
        detail=mask_personal(detail)[:500],
        scope_path=scope_path,
    )
