"""The panel of star rating on the organization page (a branch's ratings by year and its evaluation of the
running campaign; the levels of the branches below an organization above them), core/panels.py."""

from redengine.core.panels import panel

panel("orgs.organization", "assessment:organization_panel", 50, element_id="assessment-org-area")
