"""The views of the API: list, detail, create, change, delete and extra actions, by route and method."""

from dataclasses import dataclass, field

from django.urls import reverse

from .cases import MISSING_PK, Trail, expected_records, records_of
from .pages import View


# The API ---------------------------------------------------------------------------------------------
def api_path(route, obj=None, *, detail=True):
    if not detail:
        return reverse(route)
    return reverse(route, args=[obj.pk if obj is not None else MISSING_PK])


@dataclass
class ApiList(View):
    """GET a list route: 403, or 200 with the sample record among the rows exactly when it is in scope."""

    method = "get"
    kind = "api_list"
    with_object = False

    def check(self, run):
        shown = self.in_scope(run)
        trail = Trail()
        response = run.api("get", reverse(self.url), page_size=500)
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert (run.subject.pk in ids) == shown
        trail.assert_nothing_written()


@dataclass
class ApiDetail(View):
    """GET a detail route: 403, 404 outside the scope as for a missing id, else 200."""

    method = "get"
    kind = "api_detail"

    def check(self, run):
        expected = 200 if run.subject is not None and self.in_scope(run) else 404
        trail = Trail()
        response = run.api("get", api_path(self.url, run.subject))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == expected
        trail.assert_nothing_written()


@dataclass
class ApiCreate(View):
    """POST a list route with a new record placed at the sample position: 403; 405 on a read-only route; 400
    naming the field of a record it names or goes under outside the scope; else 201 and its change records."""

    action: str = "add"
    body: object = None  # subject -> the JSON body
    needs: list = field(default_factory=list)
    created: object = None  # subject -> queryset of the new record
    records: object = None
    writable: bool = True

    method = "post"
    kind = "api_create"
    with_object = False

    def sample(self, case):
        positions = super().sample(case)
        return positions if self.writable else positions[:1]

    def check(self, run):
        case, subject, user = run.case, run.subject, run.user
        unmet = case.needs_met(user, self.needs, subject, (self.model or case.model, self.action))
        trail = Trail()
        response = run.api("post", reverse(self.url), self.body(subject) if self.body else {})
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not self.writable:
            assert response.status_code == 405
            trail.assert_nothing_written()
        else:
            if not unmet:
                assert response.status_code == 201, response.content[:500]
                assert self.created(subject).exists()
                expected = self.records(subject) if self.records else records_of(case.model, "create")
                trail.assert_records(user, expected)
                return
            assert response.status_code == 400, response.content[:500]
            assert {n.field for n in unmet} & set(response.json()), response.json()
            trail.assert_nothing_written()
        if self.created:
            assert not self.created(subject).exists()


@dataclass
class ApiPatch(View):
    """PATCH a detail route: 403; 405 on a read-only route; 404 outside the scope; else 200, the change
    and its change record."""

    action: str = "change"
    body: object = None  # record -> the JSON body
    done: object = None  # record (reloaded) -> whether the change took effect
    records: object = None
    writable: bool = True

    method = "patch"
    kind = "api_patch"

    def sample(self, case):
        positions = super().sample(case)
        return positions if self.writable else positions[:1]

    def check(self, run):
        obj, user = run.subject, run.user
        reachable = obj is not None and self.in_scope(run)
        expected = expected_records(self, run.case, obj, "update") if reachable else {}
        trail = Trail()
        response = run.api("patch", api_path(self.url, obj), self.body(obj) if self.body and obj else {})
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not self.writable:
            assert response.status_code == 405
            trail.assert_nothing_written()
        elif not reachable:
            assert response.status_code == 404
            trail.assert_nothing_written()
        else:
            assert response.status_code == 200, response.content[:500]
            obj.refresh_from_db()
            assert self.done(obj)
            trail.assert_records(user, expected)
            return
        if obj is not None and self.done:
            obj.refresh_from_db()
            assert not self.done(obj)


@dataclass
class ApiDelete(View):
    """DELETE a detail route: 403; 405 on a read-only route; 404 outside the scope; 400 with the reason when
    other records still use it; else 204 and its change record."""

    action: str = "delete"
    deletable: object = None
    records: object = None
    writable: bool = True

    method = "delete"
    kind = "api_delete"

    def sample(self, case):
        positions = super().sample(case)
        return positions if self.writable else positions[:1]

    def check(self, run):
        obj, user = run.subject, run.user
        reachable = obj is not None and self.in_scope(run)
        deletable = reachable and (self.deletable is None or self.deletable(obj))
        expected = expected_records(self, run.case, obj, "delete") if deletable else {}
        trail = Trail()
        response = run.api("delete", api_path(self.url, obj))
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not self.writable:
            assert response.status_code == 405
            trail.assert_nothing_written()
        elif not reachable:
            assert response.status_code == 404
            trail.assert_nothing_written()
        elif deletable:
            assert response.status_code == 204, response.content[:300]
            assert not run.case.model.objects.filter(pk=obj.pk).exists()
            trail.assert_records(user, expected)
            return
        else:
            assert response.status_code == 400
            assert response.json()["detail"]
            trail.assert_nothing_written()
        if obj is not None:
            assert run.case.model.objects.filter(pk=obj.pk).exists()


@dataclass
class ApiAction(View):
    """An extra action of a detail route (``people/{id}/reveal/``): 403, 404 outside the scope, else 200 and
    its access-log row."""

    method: str = "post"
    logs: str | None = None

    kind = "api_action"

    def check(self, run):
        obj, user = run.subject, run.user
        reachable = obj is not None and self.in_scope(run)
        trail = Trail()
        response = run.api(self.method, api_path(self.url, obj))
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
            return
        assert response.status_code == (200 if reachable else 404)
        if self.logs:
            trail.assert_logged(user, self.logs, 1 if reachable else 0)
        trail.assert_nothing_written()
