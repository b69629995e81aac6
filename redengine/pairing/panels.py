"""Pairing's panel on a school's page: the school's urban-rural pairs (core/panels.py)."""

from redengine.core.panels import panel

panel("orgs.school", "pairing:school_panel", 30, element_id="pairing-school-area")
