"""The menu entries of star rating (core/menu.py): the overview and the campaigns (views.py), the schemes, the
published ratings and the demonstration branches (views_schemes.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

AREA = _("Star rating")
entry(AREA, _("Star rating overview"), "assessment:overview", "assessment.Campaign", "view", 290)
entry(AREA, _("Rating campaigns"), "assessment:campaign_list", "assessment.Campaign", "view", 291)
entry(AREA, _("Rating schemes"), "assessment:scheme_list", "assessment.Scheme", "view", 292)
entry(AREA, _("Ratings of the branches"), "assessment:rating_list", "assessment.Rating", "view", 293)
entry(AREA, _("Demonstration branches"), "assessment:designation_list", "assessment.Designation", "view", 294)
