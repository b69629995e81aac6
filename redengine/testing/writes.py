"""Generated tests of the write path: for every service, an allowed write names its actor in the trail and
rolls back when the trail cannot be written; a write on a record outside the actor's scope, and one that
names a record outside it, are refused with nothing written and no trail.

Each app lists its services as ``ServiceCase``s in ``tests/test_services.py`` and passes them to
``build_service_tests``, as the permission matrix does with its cases.
"""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import DatabaseError, transaction

from redengine.core.models import AuditedModel, ObjectChange
from redengine.core.writes import RefusedError

from . import audit_store_fails


@dataclass
class ServiceCase:
    """One service: ``allowed(by)`` makes a write ``by`` may make; ``outside(by)`` one on a record outside
    ``by``'s scope; ``reference(by)`` one that names a record outside it (in ``field``), if the service
    names records. Each returns what it wrote (the caller's objects are fetched inside)."""

    name: str
    actor: str
    allowed: object
    outside: object
    reference: object = None
    field: str | None = None
    outsider: str | None = None  # the actor of ``outside`` when not ``actor`` (a role without the action)


def state():
    """The rows of every audited model and the trail's length: what "nothing written" compares."""
    counts = {
        m._meta.label: m._base_manager.count() for m in apps.get_models() if issubclass(m, AuditedModel)
    }
    return counts, ObjectChange.objects.count()


def build_service_tests(*cases):
    params = [pytest.param(case, id=case.name) for case in cases]
    with_reference = [pytest.param(case, id=case.name) for case in cases if case.reference is not None]
    with_outside = [pytest.param(case, id=case.name) for case in cases if case.outside is not None]
    parametrize = pytest.mark.parametrize("case", params)

    @pytest.mark.django_db
    @parametrize
    def test_an_allowed_write_is_audited_in_the_actors_name(case, example_user):
        user = example_user(case.actor)
        before = ObjectChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
        case.allowed(user)
        records = ObjectChange.objects.filter(id__gt=before)
        assert records.exists(), case.name
        assert set(records.values_list("username", flat=True)) == {case.actor}
        assert set(records.values_list("user_id_snapshot", flat=True)) == {user.pk}

    @pytest.mark.django_db
    @pytest.mark.parametrize("case", with_outside)
    def test_a_record_outside_the_scope_is_refused_and_nothing_is_written(case, example_user):
        user = example_user(case.outsider or case.actor)
        before = state()
        with pytest.raises(RefusedError) as refused:
            case.outside(user)
        assert refused.value.missing, refused.value.problems
        assert state() == before

    @pytest.mark.django_db
    @pytest.mark.parametrize("case", with_reference)
    def test_a_record_named_outside_the_scope_is_refused_naming_the_field(case, example_user):
        user = example_user(case.actor)
        before = state()
        with pytest.raises(RefusedError) as refused:
            case.reference(user)
        assert case.field in refused.value.by_field(0), refused.value.problems
        assert not refused.value.missing
        assert state() == before

    @pytest.mark.django_db
    @parametrize
    def test_when_the_trail_fails_the_write_rolls_back(case, example_user):
        user = example_user(case.actor)
        before = state()
        with audit_store_fails(), pytest.raises(DatabaseError), transaction.atomic():
            case.allowed(user)
        assert state() == before

    tests = [
        test_an_allowed_write_is_audited_in_the_actors_name,
        test_when_the_trail_fails_the_write_rolls_back,
    ]
    if with_outside:  # (a test is generated only where it has cases: none that would be skipped)
        tests.append(test_a_record_outside_the_scope_is_refused_and_nothing_is_written)
    if with_reference:
        tests.append(test_a_record_named_outside_the_scope_is_refused_naming_the_field)
    return {f.__name__: f for f in tests}
