"""Pen-test findings 2 and 11: the browsable API's filter forms list no out-of-scope record, an out-of-scope
id is refused like a missing one, the browsable API is off outside development, out-of-range filter
values are refused (400 / a form error, never 500), signed-in answers are never cached, DEBUG is off."""

import django_filters
import pytest
from django.urls import reverse

import redengine.accounts.manage_views  # noqa: F401 — loads the filter sets of the account pages
import redengine.core.audit_views  # noqa: F401 — and of the audit pages
from redengine.accounts.models import ApiToken
from redengine.development.models import DevelopmentCase, DevelopmentEvent

pytestmark = pytest.mark.django_db


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture
def instructor_key(example_user):
    key, _token = ApiToken.issue(example_user("instructor"))
    return key


def out_of_scope_case(user):
    visible = DevelopmentCase.objects.visible_to(user)
    return DevelopmentCase.objects.exclude(pk__in=visible.values("pk")).select_related("person").first()


def test_browsable_filter_form_lists_no_out_of_scope_names(client, settings, example_user, instructor_key):
    """Finding 2: GET /api/development/events/ as HTML listed every case city-wide in the ``case`` drop-down."""
    settings.API_BROWSABLE = True  # as in development mode, where the browsable API is on
    instructor = example_user("instructor")
    outside = out_of_scope_case(instructor)
    assert outside is not None
    response = client.get("/api/development/events/", HTTP_ACCEPT="text/html", **auth(instructor_key))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'name="case"' in page  # the filter form is there…
    visible_names = set(DevelopmentCase.objects.visible_to(instructor).values_list("person__name", flat=True))
    hidden = set(
        DevelopmentCase.objects.exclude(person__name__in=visible_names).values_list("person__name", flat=True)
    )
    assert hidden
    assert not [name for name in hidden if name in page]  # …and offers none of the others
    assert f'value="{outside.pk}"' not in page


def test_out_of_scope_id_answers_like_a_missing_one(client, example_user, instructor_key):
    outside = out_of_scope_case(example_user("instructor"))
    missing = DevelopmentCase.objects.order_by("-pk").first().pk + 1000
    answers = []
    for pk in (outside.pk, missing):
        response = client.get("/api/development/events/", {"case": pk}, **auth(instructor_key))
        answers.append((response.status_code, response.json()))
    assert answers[0][0] == 400
    assert answers[0][1] == answers[1][1]
    assert answers[0][1]["case"] == answers[1][1]["case"]
    # The other auto-made and declared filter sets of the API behave the same.
    for url in ("/api/development/contacts/", "/api/development/cultivation/"):
        bodies = [client.get(url, {"case": pk}, **auth(instructor_key)) for pk in (outside.pk, missing)]
        assert [r.status_code for r in bodies] == [400, 400]
        assert bodies[0].json() == bodies[1].json()


def test_an_in_scope_id_still_filters(client, example_user):
    key, _token = ApiToken.issue(example_user("yuelu_admin"))
    case = (
        DevelopmentCase.objects.visible_to(example_user("yuelu_admin")).filter(events__isnull=False).first()
    )
    response = client.get("/api/development/events/", {"case": case.pk}, **auth(key))
    assert response.status_code == 200
    assert response.json()["count"] == DevelopmentEvent.objects.filter(case=case).count()


def test_page_filter_choices_are_scoped(client_for, example_user):
    """The list pages build their filter forms through the same rule (``scope_choices``)."""
    from redengine.core.filters import scope_choices

    class EventFilterSet(django_filters.FilterSet):
        class Meta:
            model = DevelopmentEvent
            fields = ["case"]

    user = example_user("instructor")
    filterset = scope_choices(EventFilterSet({}, queryset=DevelopmentEvent.objects.none()), user)
    offered = set(filterset.form.fields["case"].queryset.values_list("pk", flat=True))
    assert offered == set(DevelopmentCase.objects.visible_to(user).values_list("pk", flat=True))


def test_browsable_api_is_off_unless_asked_for(client, settings, instructor_key):
    """In production (``API_BROWSABLE`` off) a browser asking for HTML gets JSON."""
    settings.API_BROWSABLE = False
    response = client.get("/api/development/events/", HTTP_ACCEPT="text/html", **auth(instructor_key))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "count" in response.json()
    assert b"<form" not in response.content


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/development/due/", {"due_within": "99999999999"}),
        ("/api/development/cases/", {"due_within": "99999999999"}),
        ("/api/development/cases/", {"due_within": "-1"}),
        ("/api/development/plans/", {"year": "100000"}),
        ("/api/development/plans/", {"year": "0"}),
        ("/api/development/events/", {"case": "99999999999999999999999"}),
    ],
)
def test_out_of_range_filter_values_answer_400(client, example_user, url, query):
    key, _token = ApiToken.issue(example_user("city_admin"), otp_verified=True)
    response = client.get(url, query, **auth(key))
    assert response.status_code == 400, response.content
    (name,) = query
    assert name in response.json()


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("development:case_list", {"due_within": "99999999999"}),
        ("development:plan_list", {"year": "100000"}),
        ("development:plan_list", {"year": "0"}),
        ("orgs:grant_list", {"year": "100000"}),
        ("orgs:affiliation_list", {"year": "0"}),
    ],
)
def test_out_of_range_filter_values_are_form_errors_on_pages(client_for, url, query):
    response = client_for("city_admin").get(reverse(url), query)
    assert response.status_code == 200
    assert response.context["filterset"].errors
    assert "is-invalid" in response.content.decode() or "invalid-feedback" in response.content.decode()


def project_filtersets():
    """Every filter set class defined in the project (the lists', the API's and the audit pages'): the URL
    configuration loaded first, so that every app's views (and their filter sets) are imported."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every app's urls, views and filter sets)
    seen, stack = set(), list(django_filters.FilterSet.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("redengine.") and ".tests." not in cls.__module__:
            seen.add(cls)
    return seen


def test_every_numeric_and_date_filter_refuses_huge_and_zero_values_without_an_error(example_user):
    """Walk every filter set's numeric and date filters with huge and zero values: each is a form error or
    a valid filter, never an exception."""
    user = example_user("city_admin")
    walked = []
    for cls in project_filtersets():
        model = cls._meta.model
        if model is None:
            continue  # a base of other filter sets (the showcase's kinds): walked in each of them
        for name, f in cls.base_filters.items():
            if isinstance(f, django_filters.NumberFilter):
                values = ["99999999999", "100000", "0", "-1", "1e400"]
            elif isinstance(f, django_filters.DateFilter):
                values = ["99999-12-31", "0000-00-00", "0001-01-01", "9999-12-31"]
            else:
                continue
            for value in values:
                filterset = cls({name: value}, queryset=model._default_manager.all(), request=None)
                filterset.request = type("R", (), {"user": user})()
                list(filterset.qs[:1])  # no exception (OverflowError, ValueError) while filtering
                if value in ("99999999999", "100000", "1e400", "99999-12-31", "0000-00-00"):
                    assert filterset.errors, f"{cls.__name__}.{name}={value} was accepted"
            walked.append(f"{cls.__name__}.{name}")
    assert {"CaseFilterSet.due_within", "PlanFilterSet.year", "StartupGrantFilterSet.year"} <= set(walked)


def test_signed_in_answers_are_not_cached(client, client_for, instructor_key):
    page = client_for("yuelu_admin").get(reverse("people:person_list"))
    assert "no-store" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]
    api = client.get("/api/people/people/", **auth(instructor_key))
    assert "no-store" in api["Cache-Control"]


def test_debug_is_off_by_default_in_development_mode():
    from redengine.core.tests.test_settings_and_start import manage

    shown = "from django.conf import settings; print(settings.DEBUG)"
    assert manage("shell", "-c", shown).stdout.strip().splitlines()[-1] == "False"
    assert manage("shell", "-c", shown, DEBUG="1").stdout.strip().splitlines()[-1] == "True"


def test_static_files_are_served_without_debug(client, settings):
    assert settings.DEBUG is False
    response = client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    assert response.status_code == 200
