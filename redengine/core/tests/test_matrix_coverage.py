"""Every scoped model declares what each role may do on it; every scoped model, and every URL pattern of
the project, is in the generated permission matrix (redengine.testing.matrix), or in a list here with the
reason and the tests that cover it."""

import importlib
import pkgutil

import pytest
from django.apps import apps
from django.http import HttpResponse
from django.urls import URLResolver, get_resolver, include, path, reverse
from django.urls.resolvers import RoutePattern
from rest_framework.routers import DefaultRouter

import redengine
from redengine.accounts.roles import ROLES
from redengine.core.scoping import ScopedQuerySet
from redengine.orgs.api.views import SchoolViewSet
from redengine.testing.matrix import DECLARED, REGISTERED

# Scoped models whose access rules are not "a subtree of the tree", each with the tests that cover it.
OWN_TESTS = {
    "core.ObjectChange": "core/tests/test_audit.py (auditors only, within their scope; append-only)",
    "core.AccessEvent": "core/tests/test_audit.py (auditors only, within their scope; append-only)",
    "core.ExportRequest": "core/tests/test_bulk_reads.py (approvers over the requester's place, never the requester)",
    "core.ExportJob": "core/tests/test_background_exports.py (the requester's own only; any other account gets 404)",
}

# URL patterns that are not about a scoped record, each with the tests that cover it.
NOT_ABOUT_A_RECORD = {
    "accounts:login": "accounts/tests/test_login_security.py (test_wrong_password_…, test_lockout_…)",
    "accounts:otp": "accounts/tests/test_login_security.py::test_city_admin_needs_the_totp_code",
    "accounts:logout": "accounts/tests/test_login_security.py::test_a_totp_code_is_single_use",
    "accounts:keep_alive": "accounts/tests/test_session_slips.py::test_continue_keeps_the_session_alive",
    "accounts:password_change": "accounts/tests/test_login_security.py::test_first_login_must_change_the_…",
    "accounts:switch_scope": "accounts/tests/test_account_management.py::test_scope_switcher_narrows_to_one_role",
    # The account's own API tokens (only the caller's; another's answers 404).
    "accounts:token_list": "accounts/tests/test_tokens.py::test_the_token_page_lists_and_revokes_after_a_confirmation",
    "accounts:token_revoke": "accounts/tests/test_tokens.py::test_the_token_page_lists_and_revokes_after_a_confirmation",
    # Requests to confirm: the technical administrators' second-person rule, not a record of the tree.
    "accounts:admin_change_list": "accounts/tests/test_admin_changes.py (test_only_the_technical_…, test_a_second_…)",
    "accounts:admin_change_confirm": "accounts/tests/test_admin_changes.py::test_a_second_administrator_confirms_a_reset",
    "reports:dashboard": "reports/tests/test_dashboard.py::test_counts_match_a_brute_force_count (per scope)",
    "reports:coverage": "reports/tests/test_metrics_api.py::test_coverage_page_lists_exactly_the_metrics_gaps, "
    "reports/tests/test_coverage_page.py (scope, filters, pages, export)",
    "api_metrics": "reports/tests/test_metrics_api.py (test_api_answers_404_for_a_scope_…, test_api_refuses_…)",
    # The audit pages: the change records and access events (OWN_TESTS).
    "audit_changes": "core/tests/test_audit.py::test_who_may_browse_the_trail, test_the_trail_is_browsable_…",
    "audit_access": "core/tests/test_audit.py::test_access_events_are_scoped_to_the_accounts_subtree",
    "object_history": "core/tests/test_audit.py::test_a_record_shows_its_own_change_history_within_the_scope",
    # Export requests (OWN_TESTS): the account's own, and those it may approve within its scope.
    "export_requests": "core/tests/test_bulk_reads.py::test_a_large_export_waits_for_a_second_persons_approval",
    "export_request_approve": "core/tests/test_bulk_reads.py::test_who_may_approve_an_export",
    "export_request_reject": "core/tests/test_bulk_reads.py::test_who_may_approve_an_export",
    # Background exports (OWN_TESTS): the requester's own; any other account answers 404.
    "export_job": "core/tests/test_background_exports.py::test_a_large_export_goes_to_the_background_and_…",
    "export_job_progress": "core/tests/test_background_exports.py::test_a_running_export_shows_its_progress_…",
    "export_job_download": "core/tests/test_background_exports.py::test_a_large_export_goes_to_the_background_and_…",
    # The search by a whole ID number or mobile: names no record in its address; a reveal of what it finds.
    "people:person_search": "people/tests/test_personal_data.py::test_the_identifier_search_is_a_logged_…, "
    "test_a_candidate_in_the_search_box_answers_nothing",
    "person-search POST": "people/tests/test_personal_data.py::test_the_identifier_search_is_a_logged_limited_reveal",
    # The account's own notifications.
    "notifications": "development/tests/test_pages.py::test_the_daily_scan_reminds_the_secretary_once",
    "notifications_read": "development/tests/test_pages.py::test_the_daily_scan_reminds_the_secretary_once",
    # The API's machinery.
    "api_token": "orgs/tests/test_api.py::test_token_login_and_use, test_two_factor_accounts_need_the_code",
    "api_logout": "accounts/tests/test_tokens.py::test_logout_revokes_the_token_used (the caller's own token)",
    "api_own_tokens": "accounts/tests/test_tokens.py::test_the_api_lists_and_revokes_only_ones_own_tokens",
    "api_own_token": "accounts/tests/test_tokens.py::test_the_api_lists_and_revokes_only_ones_own_tokens",
    "api_schema": "orgs/tests/test_api.py::test_schema_and_docs_are_served_locally",
    "api_docs": "orgs/tests/test_api.py::test_schema_and_docs_are_served_locally",
    "api-root": "test_the_pages_about_no_record_answer_as_they_should (below): refused to every caller",
    # Django's own.
    "set_language": "test_the_pages_about_no_record_answer_as_they_should (below)",
    "healthz": "test_the_pages_about_no_record_answer_as_they_should (below)",
}

ALIASES = {"put": "patch", "head": "get", "options": "get"}  # held to the declaration of the method named


def load_matrices():
    for module in pkgutil.walk_packages(redengine.__path__, "redengine."):
        last = module.name.rsplit(".", 1)[-1]  # an app's matrix may come in parts: test_permissions_<part>.py
        if ".tests." in module.name and (last == "test_permissions" or last.startswith("test_permissions_")):
            importlib.import_module(module.name)


def scoped_models():
    return {
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("redengine.") and isinstance(m._default_manager.all(), ScopedQuerySet)
    }


def url_keys(resolver, namespace=""):
    """Every URL pattern under ``resolver``, walked recursively: its namespaced name (its route when it has
    none); an API viewset's route once per HTTP method it accepts (``name METHOD``)."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_keys(entry, ":".join(filter(None, [namespace, entry.namespace])))
            continue
        key = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or str(entry.pattern)
        actions = getattr(entry.callback, "actions", None)
        if not actions:
            yield key
            continue
        accepted = entry.callback.cls.http_method_names
        for method in actions:
            if method in accepted and method not in ALIASES:
                yield f"{key} {method.upper()}"


def unaccounted(resolver, declared, justified):
    """(patterns declared by no case and not justified, declarations and justifications of no pattern)."""
    keys = set(url_keys(resolver))
    return sorted(keys - set(declared) - set(justified)), sorted((set(declared) | set(justified)) - keys)


def test_every_scoped_model_declares_its_roles_actions():
    """Deny by default: a model that declares nothing is open to no role, so each one must declare."""
    undeclared = sorted(
        label for label in scoped_models() if not hasattr(apps.get_model(label), "role_actions")
    )
    assert not undeclared, f"declare role_actions (core/permissions.py usual_table) on: {undeclared}"
    for label in scoped_models():
        unknown = set(apps.get_model(label).role_actions) - set(ROLES)
        assert not unknown, f"{label}.role_actions names roles that do not exist: {sorted(unknown)}"


def test_every_scoped_model_is_in_the_permission_matrix():
    load_matrices()
    covered = {m._meta.label for m in REGISTERED} | set(OWN_TESTS)
    missing = scoped_models() - covered
    assert not missing, f"add these models to a test_permissions.py matrix: {sorted(missing)}"
    assert not set(OWN_TESTS) & {m._meta.label for m in REGISTERED}, "in a matrix: drop it from OWN_TESTS"
    assert {"orgs.School", "orgs.PartyOrganization", "people.Person"} <= {m._meta.label for m in REGISTERED}


def test_every_url_pattern_is_in_the_permission_matrix():
    load_matrices()
    undeclared, unknown = unaccounted(get_resolver(), DECLARED, NOT_ABOUT_A_RECORD)
    assert not undeclared, f"declare these views in a test_permissions.py matrix: {undeclared}"
    assert not unknown, f"declared or justified, but no such URL pattern: {unknown}"
    assert {
        "orgs:receive",
        "people:person_reveal",
        "person-reveal POST",
        "developmentevent-list POST",
    } <= DECLARED


def test_an_undeclared_pattern_fails_the_check():
    """A new page in an app's namespace, and a new API route with its methods, are caught."""
    load_matrices()
    router = DefaultRouter()
    router.register("extra-schools", SchoolViewSet, basename="extra-school")
    page = include(([path("extra/<int:pk>/", lambda request, pk: HttpResponse(), name="extra_page")], "orgs"))
    project = get_resolver().url_patterns
    extended = URLResolver(
        RoutePattern(""), [*project, path("x/", page), path("api/x/", include(router.urls))]
    )
    undeclared, unknown = unaccounted(extended, DECLARED, NOT_ABOUT_A_RECORD)
    assert "orgs:extra_page" in undeclared
    assert {"extra-school-list GET", "extra-school-list POST", "extra-school-detail PATCH"} <= set(undeclared)
    assert "extra-school-detail PUT" not in undeclared  # held to PATCH
    assert not unknown
    assert unaccounted(get_resolver(), DECLARED, NOT_ABOUT_A_RECORD) == ([], [])  # the project is untouched
    assert unaccounted(get_resolver(), DECLARED - {"orgs:receive"}, NOT_ABOUT_A_RECORD)[0] == ["orgs:receive"]


@pytest.mark.django_db
def test_the_pages_about_no_record_answer_as_they_should(client, client_for):
    assert client.get("/healthz").content == b"ok"  # no login, no database record
    answer = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert answer.status_code == 302
    assert answer.cookies["django_language"].value == "zh-hans"
    city = client_for("city_admin")
    for root in ("/api/orgs/", "/api/people/", "/api/development/"):
        assert city.get(root).status_code == 403  # the routers' index: no model, so no caller passes
