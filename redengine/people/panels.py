"""The people's panels on the organization registry's pages (core/panels.py)."""

from redengine.core.panels import panel

panel("orgs.school", "people:school_staff_summary", 10, css_class="mt-3")
panel("orgs.school", "people:school_guidance", 20, css_class="mt-3")
panel("orgs.organization", "people:organization_members", 10, css_class="mt-3")
