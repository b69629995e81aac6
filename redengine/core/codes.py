"""Code tables shared by every app.

Districts and counties: GB/T 2260 (行政区划代码). The table holds the city served by this
deployment (Changsha, 4301xx); ``430100`` stands for schools directly under the city (市直).
"""

from django.utils.translation import gettext_lazy as _

CITY_DIRECT = "430100"

DISTRICTS = {
    "430100": "市直",
    "430102": "芙蓉区",
    "430103": "天心区",
    "430104": "岳麓区",
    "430105": "开福区",
    "430111": "雨花区",
    "430112": "望城区",
    "430121": "长沙县",
    "430181": "浏阳市",
    "430182": "宁乡市",
}
DISTRICT_CHOICES = list(DISTRICTS.items())


def district_name(code):
    return DISTRICTS.get(code, code)


def district_code(value):
    """The GB/T 2260 code for a code or a name (``岳麓区`` or ``430104``); None when unknown."""
    value = (value or "").strip()
    if value in DISTRICTS:
        return value
    return next((code for code, name in DISTRICTS.items() if name == value), None)


DISTRICT_LABEL = _("district or county")
