"""The views of the pages: list, export, detail, add, edit, delete, actions and fragments."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.forms.models import model_to_dict
from django.urls import reverse

from .cases import (
    MISSING,
    MISSING_PK,
    Needs,
    Trail,
    assert_update_record,
    expected_records,
    exported_values,
    form_errors,
    records_of,
)


# The views ---------------------------------------------------------------------------------------------
@dataclass
class View:
    """A declared view: its URL name (an API route's name for the API), the action it needs, and whose role
    table answers 403 (``model``; the case's by default)."""

    url: str
    action: str = "view"
    model: type | None = None
    label: str = ""  # tells apart two declarations of one URL
    places: dict | None = None  # position -> the subject (a create's own sample places)

    kind = ""
    with_object = True  # the URL names one record: sampled at a missing id too
    method = ""  # for the API: the HTTP method declared

    @property
    def key(self):
        return f"{self.url} {self.method.upper()}" if self.method else self.url

    def sample(self, case):
        if self.places is not None:
            return list(self.places)
        positions = list(case.positions)
        return [*positions, MISSING] if self.with_object else positions

    def subject(self, case, position):
        if self.places is not None:
            return self.places[position]
        return case.get(position)

    def in_scope(self, run, action=None):
        obj = run.subject
        return run.case.in_scope(run.user, obj, action or self.action, self.model)

    def check(self, run):
        raise NotImplementedError


def put_marker(run, text=None):
    """A text the sample record shows in lists: a marker put on it, or its own ``text``."""
    if text is not None:
        return text(run.subject)
    marker = f"MARKER-{run.case.name}-{run.position}"
    run.case.put_marker(run.subject, marker)
    run.user.refresh_from_db()  # the marker may be on the user's own account
    return marker


@dataclass
class Page(View):
    """A page without a record (a form, a workbook, a summary): 403, or its answer (and its log row)."""

    ok: object = 200  # the status of a successful answer, or (run) -> it
    logs: object = None  # the access-log kind a successful answer writes, or (run) -> it

    kind = "ui_page"
    with_object = False

    def sample(self, case):
        return [None]

    def check(self, run):
        trail = Trail()
        response = run.ui().get(reverse(self.url))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        ok = self.ok(run) if callable(self.ok) else self.ok
        assert response.status_code == ok, response.content[:300]
        logs = self.logs(run) if callable(self.logs) else self.logs
        if logs:
            trail.assert_logged(run.user, logs)
        trail.assert_nothing_written()


@dataclass
class ListPage(View):
    """A list: a marker put on the sample record shows exactly when the record is in the user's scope."""

    shown: object = None  # (run) -> whether the list shows the record (default: in its view scope)
    query: dict | None = None  # GET parameters (default: sorted by the marker field)
    text: object = None  # record -> a text of it the list shows (a record with no text field to mark)

    kind = "ui_list"
    with_object = False

    def check(self, run):
        marker = put_marker(run, self.text)
        shown = self.shown(run) if self.shown else self.in_scope(run)
        trail = Trail()
        query = self.query if self.query is not None else {"sort": run.case.marker_field}
        response = run.ui().get(reverse(self.url), query)
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == 200
        assert (marker in response.content.decode()) == shown
        trail.assert_nothing_written()


@dataclass
class Export(View):
    """The .xlsx export of a list: the marker is in it exactly when the record is in the export scope."""

    action: str = "export"
    text: object = None  # record -> a cell of its row (a record with no text field to mark)
    list_action: str = "view"  # what the list itself needs (refused first)

    kind = "ui_export"
    with_object = False

    def check(self, run):
        marker = put_marker(run, self.text)
        shown = self.in_scope(run)
        trail = Trail()
        response = run.ui().get(reverse(self.url), {"export": "xlsx"})
        for action in (self.list_action, self.action):  # the list's own refusal comes first
            if not run.case.allowed(run.user, action, self.model):
                trail.assert_refused(response, run.user, action)
                return
        assert response.status_code == 200
        assert (marker in exported_values(response)) == shown
        trail.assert_logged(run.user, "export")
        trail.assert_nothing_written()


@dataclass
class Detail(View):
    """A page or fragment of one record (or a read that is logged: a reveal, a scan): 403, 404 outside the
    scope as for a missing id, else its answer."""

    ok: int = 200
    http: str = "get"
    logs: str | None = None
    scope: object = None  # (run) -> whether the record is reachable (default: in the action's scope)

    kind = "ui_detail"

    def check(self, run):
        obj = run.subject
        reachable = obj is not None and (self.scope(run) if self.scope else self.in_scope(run))
        trail = Trail()
        response = getattr(run.ui(), self.http)(reverse(self.url, args=[obj.pk if obj else MISSING_PK]))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == (self.ok if reachable else 404), response.content[:300]
        if self.logs:
            trail.assert_logged(run.user, self.logs, 1 if reachable else 0)
        trail.assert_nothing_written()


@dataclass
class Create(View):
    """An add form posted with a new record placed at the sample position: 403; 404 when the record it is
    added to (``parent``, given in the URL) is outside the scope; the form again with its errors when a
    record it names or goes under is outside (``needs``); else created, with its change records."""

    action: str = "add"
    data: object = None  # subject -> the form data
    query: object = None  # subject -> GET parameters (the record it is added to)
    parent: Needs | None = None
    needs: list = field(default_factory=list)
    possible: object = None  # subject -> whether the domain allows it (else the form's errors)
    created: object = None  # subject -> queryset of the new record
    records: object = None  # subject -> expected change records (default: one create of the case's model)
    ok: int = 302

    kind = "ui_create"
    with_object = False

    def check(self, run):
        case, subject, user = run.case, run.subject, run.user
        data = self.data(subject)
        url = reverse(self.url)
        if self.query:
            url = f"{url}?{urlencode(self.query(subject))}"
        write = (self.model or case.model, self.action)
        reachable = not (self.parent and case.needs_met(user, [self.parent], subject, write))
        works = not case.needs_met(user, self.needs, subject, write)
        works = works and (self.possible is None or self.possible(subject))
        trail = Trail()
        response = run.ui().post(url, data)
        created = self.created(subject)
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not reachable:
            assert response.status_code == 404, form_errors(response)
        elif works:
            assert response.status_code == self.ok, form_errors(response)
            assert created.exists()
            trail.assert_records(
                user, self.records(subject) if self.records else records_of(case.model, "create")
            )
            return
        else:
            assert response.status_code == 200, response.status_code
            assert response.context["form"].errors
        assert not created.exists()
        trail.assert_nothing_written()


@dataclass
class Edit(View):
    """An edit form posted with one field changed: 403, 404 outside the scope, else the change and its one
    change record with the value before and after."""

    action: str = "change"
    change: tuple = ("name", "改名测试")  # (field, value)
    fields: list = field(default_factory=list)  # the form's other fields, posted as they are
    records: object = None  # record -> expected change records (default: one update)

    kind = "ui_edit"

    def check(self, run):
        obj, user = run.subject, run.user
        name, value = self.change
        data = {}
        if obj is not None:
            data = model_to_dict(obj, fields=self.fields)
            for key, current in list(data.items()):
                if isinstance(current, list):
                    data[key] = [getattr(v, "pk", v) for v in current]
                elif current is None:
                    data[key] = ""
        data[name] = value
        reachable = obj is not None and self.in_scope(run)
        expected = expected_records(self, run.case, obj, "update") if reachable else {}
        trail = Trail()
        response = run.ui().post(reverse(self.url, args=[obj.pk if obj else MISSING_PK]), data)
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
            return
        if not reachable:
            assert response.status_code == 404
            trail.assert_nothing_written()
            return
        assert response.status_code == 302, form_errors(response)
        obj.refresh_from_db()
        assert str(getattr(obj, name)) == str(value)
        trail.assert_records(user, expected)
        assert_update_record(trail, obj, name)


@dataclass
class Delete(View):
    """A delete confirmation posted: 403, 404 outside the scope, else deleted with its change record, or
    refused with the reason when other records still use it (``deletable``)."""

    action: str = "delete"
    deletable: object = None  # record -> whether nothing blocks its deletion
    records: object = None  # record -> expected change records (default: one delete)

    kind = "ui_delete"

    def check(self, run):
        obj, user = run.subject, run.user
        reachable = obj is not None and self.in_scope(run)
        deletable = reachable and (self.deletable is None or self.deletable(obj))
        expected = expected_records(self, run.case, obj, "delete") if deletable else {}
        trail = Trail()
        response = run.ui().post(reverse(self.url, args=[obj.pk if obj else MISSING_PK]))
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not reachable:
            assert response.status_code == 404
            trail.assert_nothing_written()
        else:
            assert response.status_code == 302
            if deletable:
                assert not run.case.model.objects.filter(pk=obj.pk).exists()
                trail.assert_records(user, expected)
                return
            trail.assert_nothing_written()
        if obj is not None:
            assert run.case.model.objects.filter(pk=obj.pk).exists()


@dataclass
class Action(View):
    """An action on one record (move, close, record a step, withdraw…) posted with its form: 403; 404 outside
    the scope; the form again when a record it names is outside (``needs``) or the domain forbids it
    (``possible``); else done, with exactly its change records."""

    action: str = "change"
    data: object = None  # subject -> the form data
    args: object = None  # pk -> URL arguments (default: the pk)
    scope: object = None  # (run) -> whether the record is reachable (default: in the action's scope)
    needs: list = field(default_factory=list)
    possible: object = None  # (run) -> whether the domain allows it here (else the form's errors)
    done: object = None  # subject -> whether it took effect
    records: object = None  # subject -> expected change records
    ok: int = 302

    kind = "ui_action"

    def check(self, run):
        case, obj, user = run.case, run.subject, run.user
        pk = obj.pk if obj is not None else MISSING_PK
        args = self.args(pk) if self.args else [pk]
        write = (self.model or case.model, self.action)
        reachable = obj is not None and (self.scope(run) if self.scope else self.in_scope(run))
        works = reachable and not case.needs_met(user, self.needs, obj, write)
        works = works and (self.possible is None or self.possible(run))  # decided before the request
        expected = (self.records(obj) if self.records else {}) if works else {}
        trail = Trail()
        response = run.ui().post(reverse(self.url, args=args), self.data(obj) if obj is not None else {})
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not reachable:
            assert response.status_code == 404
            trail.assert_nothing_written()
        elif works:
            assert response.status_code == self.ok, form_errors(response)
            assert self.done(obj)
            trail.assert_records(user, expected)
            return
        else:
            assert response.status_code == 200, response.status_code
            assert response.context["form"].errors
            trail.assert_nothing_written()
        if obj is not None:
            assert not self.done(obj)


@dataclass
class Confirm(View):
    """The confirmation page of a destructive action (its GET): 403; 404 outside the scope as for a missing
    id; else the page saying what will happen (``says``), and nothing done or written."""

    args: object = None  # pk -> URL arguments (default: the pk)
    scope: object = None  # (run) -> whether the record is reachable (default: in the action's scope)
    says: object = None  # subject -> a text the page shows
    done: object = None  # subject -> whether the action took effect (it must not have)

    kind = "ui_confirm"

    def check(self, run):
        obj = run.subject
        pk = obj.pk if obj is not None else MISSING_PK
        reachable = obj is not None and (self.scope(run) if self.scope else self.in_scope(run))
        trail = Trail()
        response = run.ui().get(reverse(self.url, args=self.args(pk) if self.args else [pk]))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
        elif not reachable:
            assert response.status_code == 404
        else:
            assert response.status_code == 200, response.content[:300]
            page = response.content.decode()
            assert 'method="post"' in page
            if self.says:
                assert self.says(obj) in page
        trail.assert_nothing_written()
        if obj is not None and self.done:
            assert not self.done(obj)
