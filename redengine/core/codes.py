"""Code tables shared by every app.

Districts and counties: GB/T 2260 (行政区划代码). The table holds the city served by this
deployment (Changsha, 4301xx); ``430100`` stands for schools directly under the city (市直).
"""

from django.utils.translation import gettext_lazy as _

from .text import normalise_text

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

# County codes that are no longer current but still appear in the address part of ID numbers and in
# older records: a code is never re-validated after an ID number is issued (domain-rules §6.2, §6.1).
# The change years (2011, 2017) are unconfirmed, so the table carries no dates yet.
HISTORICAL_DISTRICTS = {
    "430122": "望城县",  # became 望城区 430112
    "430124": "宁乡县",  # became 宁乡市 430182
}

# Province-level divisions of GB/T 2260: the first two digits of every county code, so of the address
# part of an ID number (GB 11643-1999 §5.1). 71 台湾省, 81 香港, 82 澳门 are in the standard although
# the mainland registers nobody there; the list has not changed since 重庆 (50) in 1997.
PROVINCES = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}


def _lookup(choices, value, aliases=None):
    """The code of ``value`` in ``choices``: the code itself, its label, or an alias; None when unknown.

    The value is normalised first (spaces, full-width letters and digits), as import cells are.
    """

    value = normalise_text(value)
    labels = {label: code for code, label in choices}
    if value in dict(choices):
        return value
    return labels.get(value) or (aliases or {}).get(value)


# Ethnic groups: GB/T 3304-1991 《中国各民族名称的罗马字母拼写法和代码》, two-digit codes in the
# standard's order (domain-rules §6.3). 97 and 98 are not among the 56 groups but are used by almost
# every personnel system (and by the national party-member system) for "other" and for Chinese
# citizens of foreign origin; some systems use 57/58 instead, which is not accepted here.
ETHNIC_GROUPS = {
    "01": "汉族",
    "02": "蒙古族",
    "03": "回族",
    "04": "藏族",
    "05": "维吾尔族",
    "06": "苗族",
    "07": "彝族",
    "08": "壮族",
    "09": "布依族",
    "10": "朝鲜族",
    "11": "满族",
    "12": "侗族",
    "13": "瑶族",
    "14": "白族",
    "15": "土家族",
    "16": "哈尼族",
    "17": "哈萨克族",
    "18": "傣族",
    "19": "黎族",
    "20": "傈僳族",
    "21": "佤族",
    "22": "畲族",
    "23": "高山族",
    "24": "拉祜族",
    "25": "水族",
    "26": "东乡族",
    "27": "纳西族",
    "28": "景颇族",
    "29": "柯尔克孜族",
    "30": "土族",
    "31": "达斡尔族",
    "32": "仫佬族",
    "33": "羌族",
    "34": "布朗族",
    "35": "撒拉族",
    "36": "毛南族",
    "37": "仡佬族",
    "38": "锡伯族",
    "39": "阿昌族",
    "40": "普米族",
    "41": "塔吉克族",
    "42": "怒族",
    "43": "乌孜别克族",
    "44": "俄罗斯族",
    "45": "鄂温克族",
    "46": "德昂族",
    "47": "保安族",
    "48": "裕固族",
    "49": "京族",
    "50": "塔塔尔族",
    "51": "独龙族",
    "52": "鄂伦春族",
    "53": "赫哲族",
    "54": "门巴族",
    "55": "珞巴族",
    "56": "基诺族",
    "97": "其他",
    "98": "外国血统中国籍人士",
}
ETHNIC_GROUP_CHOICES = list(ETHNIC_GROUPS.items())
# Names found in older data: 崩龙族 was renamed 德昂族 in 1985 (domain-rules §6.3). A name without the
# final 族 (``汉``, ``土家``), as many forms write it, is accepted as well.
ETHNIC_GROUP_ALIASES = {
    "崩龙族": "46",
    "崩龙": "46",
    **{name.removesuffix("族"): code for code, name in ETHNIC_GROUPS.items() if name.endswith("族")},
}


def ethnic_group_code(value):
    """The GB/T 3304 code for a code or a name (``01``, ``1``, ``汉族``, ``汉``, ``崩龙族``); None when unknown."""

    value = normalise_text(value)
    if value.isascii() and value.isdigit() and len(value) == 1:
        value = "0" + value  # a code typed as a number in a spreadsheet lost its leading zero
    return _lookup(ETHNIC_GROUP_CHOICES, value, ETHNIC_GROUP_ALIASES)


def ethnic_group_name(code):
    return ETHNIC_GROUPS.get(code, code)


# Highest education, the seven levels of the import template's 学历 column. Comparable GB/T 4658-2006
# 《学历代码》 groups (domain-rules §6.4), for an export to a system that wants those codes:
#   doctorate 11 博士研究生毕业 (group 10 研究生教育)    master 14 硕士研究生毕业 (group 10)
#   bachelor 21 大学本科毕业 (group 20)                  college 31 大学专科毕业 (group 30)
#   secondary_vocational 40 中等职业教育 (41 中专, 44 职业高中, 47 技工学校)
#   senior_secondary 61 普通高中毕业 (group 60)           junior_or_below 70 初中, 80 小学, 90 其他
# Completion without graduation (结业, 肄业) is not told apart here.
EDUCATION_LEVELS = [
    ("doctorate", "博士研究生"),
    ("master", "硕士研究生"),
    ("bachelor", "大学本科"),
    ("college", "大学专科"),
    ("secondary_vocational", "中专"),
    ("senior_secondary", "高中"),
    ("junior_or_below", "初中及以下"),
]
EDUCATION_CHOICES = EDUCATION_LEVELS  # named like DISTRICT_CHOICES, for model and form fields


def education_level_code(value):
    """The education level for its code or its name (``bachelor`` or ``大学本科``); None when unknown."""
    return _lookup(EDUCATION_LEVELS, value)


# Political status, the six choices of the import template's 政治面貌 column. GB/T 4762-1984
# 《政治面貌代码》 (domain-rules §6.5): 01 member, 02 probationary, 03 league_member, 04–11 the eight
# democratic parties (grouped here as democratic_party), 12 non_partisan, 13 masses.
POLITICAL_STATUSES = [
    ("member", "中共党员"),
    ("probationary", "中共预备党员"),
    ("league_member", "共青团员"),
    ("democratic_party", "民主党派"),
    ("non_partisan", "无党派人士"),
    ("masses", "群众"),
]
POLITICAL_STATUS_CHOICES = POLITICAL_STATUSES
# The eight democratic parties by their GB/T 4762 short names (codes 04–11).
POLITICAL_STATUS_ALIASES = dict.fromkeys(
    ["民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟"], "democratic_party"
)


def political_status_code(value):
    """The political status for its code or its name (``member`` or ``中共党员``; ``民盟`` → democratic_party)."""
    return _lookup(POLITICAL_STATUSES, value, POLITICAL_STATUS_ALIASES)


# Post (岗位) of school staff, the four categories of the import template's 岗位 column, as in the
# education statistics' staff categories (专任教师, 行政人员, 教辅人员, 工勤人员).
POSTS = [
    ("teacher", "专任教师"),
    ("manager", "管理人员"),
    ("support", "教辅人员"),
    ("worker", "工勤人员"),
]
POST_CHOICES = POSTS


def post_code(value):
    """The post for its code or its name (``teacher`` or ``专任教师``); None when unknown."""
    return _lookup(POSTS, value)
