"""The panel of membership on the person page (its timeline: transfers, states, dues, awards, discipline)."""

from redengine.core.panels import panel

panel("people.person", "membership:person_panel", 15, element_id="membership-area")
