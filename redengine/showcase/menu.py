"""The menu entries of the showcase (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

AREA = _("Showcase")
entry(AREA, _("Showcase overview"), "showcase:overview", "showcase.Story", "view", 260)
entry(AREA, _("Member stories"), "showcase:story_list", "showcase.Story", "view", 261)
entry(AREA, _("Featured lessons"), "showcase:lesson_list", "showcase.Lesson", "view", 262)
entry(AREA, _("Role models"), "showcase:rolemodel_list", "showcase.RoleModel", "view", 263)
entry(AREA, _("Search the showcase"), "showcase:search", "showcase.Story", "view", 264)
