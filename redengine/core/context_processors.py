"""What the base layout needs: the navigation the user may use, and their roles for the scope switcher."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAV = [
    # (area, entries: (label, url name, model label, action))
    (
        _("Registry"),
        [
            (_("Party organizations"), "orgs:organization_list", "orgs.PartyOrganization", "view"),
            (_("Organization tree"), "orgs:tree", "orgs.PartyOrganization", "view"),
            (_("Schools"), "orgs:school_list", "orgs.School", "view"),
            (_("People"), "people:person_list", "people.Person", "view"),
            (_("Titles"), "people:honor_list", "people.Honor", "view"),
            (_("Dispatches to private schools"), "people:dispatch_list", "people.Dispatch", "view"),
            (_("Start-up funds"), "orgs:grant_list", "orgs.StartupGrant", "view"),
            (_("Start-up fund standards"), "orgs:standard_list", "orgs.GrantStandard", "view"),
            (_("Affiliation changes"), "orgs:affiliation_list", "orgs.AffiliationChange", "view"),
            (_("Data import"), "dataio:import", "orgs.School", "add"),
        ],
    ),
    (
        _("Member development"),
        [
            (_("Development cases"), "development:case_list", "development.DevelopmentCase", "view"),
            (_("Development calendar"), "development:due", "development.DevelopmentCase", "view"),
            (_("Development plans"), "development:plan_list", "development.DevelopmentPlan", "view"),
        ],
    ),
    (
        _("Reports"),
        [
            (_("Coverage analysis"), "reports:coverage", "orgs.School", "view"),
            (_("Record completeness"), "people:completeness", "people.Person", "view"),
        ],
    ),
    (
        _("Audit"),
        [
            (_("Change records"), "audit_changes", "core.ObjectChange", "audit"),
            (_("Access log"), "audit_access", "core.AccessEvent", "audit"),
        ],
    ),
    (
        _("System"),
        [
            (_("Accounts"), "accounts:account_list", "accounts.User", "manage_users"),
            (_("Roles and scopes"), "accounts:role_list", "accounts.RoleAssignment", "manage_roles"),
        ],
    ),
]


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.apps import apps

    areas = []
    for area, entries in NAV:
        links = [
            {"label": label, "url": reverse(url_name), "active": request.path.startswith(reverse(url_name))}
            for label, url_name, model_label, action in entries
            if user.can(apps.get_model(model_label), action)
        ]
        if links:
            areas.append({"label": area, "links": links})
    assignments = user.assignments()
    active = list(user.active_assignments())
    from .notifications import unread_count

    return {
        "unread_notifications": unread_count(user),
        "nav_areas": areas,
        "assignments": assignments,
        "active_assignment_id": active[0].pk if len(active) == 1 and len(assignments) > 1 else None,
        "active_assignments": active,
    }
