"""The menu entries of the organization registry (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

REGISTRY = _("Registry")
entry(REGISTRY, _("Party organizations"), "orgs:organization_list", "orgs.PartyOrganization", "view", 100)
entry(REGISTRY, _("Organization tree"), "orgs:tree", "orgs.PartyOrganization", "view", 110)
entry(REGISTRY, _("Schools"), "orgs:school_list", "orgs.School", "view", 120)
entry(REGISTRY, _("Start-up funds"), "orgs:grant_list", "orgs.StartupGrant", "view", 160)
entry(REGISTRY, _("Start-up fund standards"), "orgs:standard_list", "orgs.GrantStandard", "view", 170)
entry(REGISTRY, _("Affiliation changes"), "orgs:affiliation_list", "orgs.AffiliationChange", "view", 180)
