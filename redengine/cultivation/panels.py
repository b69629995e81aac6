"""Dual cultivation's panels on the person page (the person's cultivation, both directions) and on the
organization page (its figures of the year), core/panels.py."""

from redengine.core.panels import panel

panel("people.person", "cultivation:person_panel", 20, element_id="cultivation-area")
panel("orgs.organization", "cultivation:organization_panel", 40, element_id="cultivation-org-area")
