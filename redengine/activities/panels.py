"""Organizational life's panels on the organization page and on a development case (core/panels.py): the
case's cultivation record shows the party classes and themed days the person attended, from the lists."""

from redengine.core.panels import panel

panel("orgs.organization", "activities:organization_meetings", 30, element_id="activities-area")
panel("development.case", "activities:case_meetings", 10, element_id="case-meetings")
