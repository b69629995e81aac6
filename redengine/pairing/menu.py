"""The menu entries of urban-rural pairing (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

AREA, PAIR = _("Urban-rural pairing"), "pairing.SchoolPair"
entry(AREA, _("Urban-rural pairing overview"), "pairing:overview", PAIR, "view", 280)
entry(AREA, _("Urban-rural pairs"), "pairing:schoolpair_list", PAIR, "view", 281)
entry(AREA, _("Pairing activities"), "pairing:pairactivity_list", "pairing.PairActivity", "view", 282)
