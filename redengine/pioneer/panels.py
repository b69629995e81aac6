"""The panel of pioneer units on the organization page (its figures of the year), core/panels.py."""

from redengine.core.panels import panel

panel("orgs.organization", "pioneer:organization_panel", 45, element_id="pioneer-org-area")
