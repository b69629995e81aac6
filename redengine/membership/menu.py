"""The menu entries of membership after admission (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

from .models import VIEW_DISCIPLINE

AREA = _("Registry")  # beside the people and their memberships (an area of its own would overflow the bar)
entry(AREA, _("Membership overview"), "membership:overview", "membership.Transfer", "view", 160)
entry(AREA, _("Transfers"), "membership:transfer_list", "membership.Transfer", "view", 161)
entry(AREA, _("Membership status"), "membership:statuschange_list", "membership.StatusChange", "view", 162)
entry(AREA, _("Lapse alerts"), "membership:alerts", "membership.StatusChange", "view", 163)
entry(AREA, _("Party dues"), "membership:dues_ledger", "membership.DuesEntry", "view", 164)
entry(AREA, _("Dues calculator"), "membership:dues_calculator", "membership.DuesEntry", "view", 165)
entry(AREA, _("Awards"), "membership:award_list", "membership.Award", "view", 166)
entry(
    AREA, _("Party discipline"), "membership:discipline_list", "membership.Discipline", VIEW_DISCIPLINE, 167
)
