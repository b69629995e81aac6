"""Member development's panel on the person's page (core/panels.py)."""

from redengine.core.panels import panel

panel("people.person", "development:person_cases", 10, element_id="development-area")
