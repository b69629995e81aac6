"""The demo data set: a synthetic Changsha education system. Names are invented; codes follow the rules."""

from redengine.core.codes import DISTRICTS

DEMO_PASSWORD = "Hongse@2026"
ROOT = ("CS0001", "中共长沙市委教育工作委员会", "working_committee", "430100")

# District bureau organizations (one per district or county), code = "CS" + district code.
DISTRICT_ORGS = [
    (f"CS{code}", f"中共长沙市{name}教育局委员会", "committee", code)
    for code, name in DISTRICTS.items()
    if code != "430100"
]

# (school code, name, district, ownership, type, urban/rural, city-managed)
SCHOOLS = [
    ("4301000001", "长沙市第一示范中学", "430100", "public", "complete_secondary", "urban", True),
    ("4301000002", "长沙市博雅外国语学校", "430100", "private", "twelve_year", "urban", True),
    ("4301020001", "芙蓉区朝阳路小学", "430102", "public", "primary", "urban", False),
    ("4301020002", "芙蓉区育英初级中学", "430102", "public", "junior", "urban", False),
    ("4301020003", "芙蓉区启明幼儿园", "430102", "private", "kindergarten", "urban", False),
    ("4301030001", "天心区书院路小学", "430103", "public", "primary", "urban", False),
    ("4301040001", "岳麓区麓山实验小学", "430104", "public", "primary", "urban", False),
    ("4301040002", "岳麓区梅溪湖中学", "430104", "public", "complete_secondary", "urban", False),
    ("4301040003", "岳麓区莲花镇中心小学", "430104", "public", "primary", "rural", False),
    ("4301040004", "岳麓区明德民办学校", "430104", "private", "nine_year", "urban", False),
    ("4301040005", "岳麓区星辰幼儿园", "430104", "private", "kindergarten", "town", False),
    ("4301050001", "开福区湘江中学", "430105", "public", "junior", "urban", False),
    ("4301110001", "雨花区圭塘小学", "430111", "public", "primary", "urban", False),
    ("4301120001", "望城区乔口镇中学", "430112", "public", "junior", "rural", False),
    ("4301210001", "长沙县星沙实验学校", "430121", "public", "nine_year", "town", False),
    ("4301810001", "浏阳市集里中学", "430181", "public", "senior", "urban", False),
    ("4301820001", "宁乡市玉潭小学", "430182", "public", "primary", "urban", False),
    ("4301820002", "宁乡市沩山乡中心小学", "430182", "public", "primary", "rural", False),
]

# (org code, name, type, parent code, founded, schools covered)
SCHOOL_ORGS = [
    ("CS430100-01", "中共长沙市第一示范中学委员会", "committee", "CS0001", "1985-09-01", ["4301000001"]),
    (
        "CS430100-01-01",
        "长沙市第一示范中学高中部党支部",
        "branch",
        "CS430100-01",
        "1998-03-01",
        ["4301000001"],
    ),
    (
        "CS430100-01-02",
        "长沙市第一示范中学初中部党支部",
        "branch",
        "CS430100-01",
        "1998-03-01",
        ["4301000001"],
    ),
    ("CS430100-02", "中共长沙市博雅外国语学校支部委员会", "branch", "CS0001", "2018-06-20", ["4301000002"]),
    ("CS430102-01", "中共芙蓉区朝阳路小学支部委员会", "branch", "CS430102", "2003-07-01", ["4301020001"]),
    (
        "CS430102-02",
        "中共芙蓉区育英初级中学总支部委员会",
        "general_branch",
        "CS430102",
        "1995-05-04",
        ["4301020002"],
    ),
    ("CS430102-02-01", "育英初级中学第一党支部", "branch", "CS430102-02", "2010-09-10", ["4301020002"]),
    ("CS430102-02-02", "育英初级中学退休教师党支部", "branch", "CS430102-02", "2010-09-10", ["4301020002"]),
    ("CS430103-01", "中共天心区书院路小学支部委员会", "branch", "CS430103", "2001-06-28", ["4301030001"]),
    ("CS430104-01", "中共岳麓区麓山实验小学支部委员会", "branch", "CS430104", "2005-04-15", ["4301040001"]),
    ("CS430104-02", "中共岳麓区梅溪湖中学委员会", "committee", "CS430104", "2012-09-01", ["4301040002"]),
    ("CS430104-02-01", "梅溪湖中学初中部党支部", "branch", "CS430104-02", "2012-09-01", ["4301040002"]),
    ("CS430104-02-02", "梅溪湖中学高中部党支部", "branch", "CS430104-02", "2012-09-01", ["4301040002"]),
    ("CS430104-03", "中共岳麓区莲花镇中心小学支部委员会", "branch", "CS430104", "2008-03-20", ["4301040003"]),
    (
        "CS430104-04",
        "中共岳麓区民办学校联合支部委员会",
        "joint_branch",
        "CS430104",
        "2019-07-01",
        ["4301040004", "4301040005"],
    ),
    ("CS430105-01", "中共开福区湘江中学支部委员会", "branch", "CS430105", "1999-10-12", ["4301050001"]),
    ("CS430111-01", "中共雨花区圭塘小学支部委员会", "branch", "CS430111", "2004-05-20", ["4301110001"]),
    ("CS430112-01", "中共望城区乔口镇中学支部委员会", "branch", "CS430112", "2000-11-08", ["4301120001"]),
    ("CS430121-01", "中共长沙县星沙实验学校支部委员会", "branch", "CS430121", "2011-09-01", ["4301210001"]),
    ("CS430181-01", "中共浏阳市集里中学委员会", "committee", "CS430181", "1990-06-30", ["4301810001"]),
    ("CS430182-01", "中共宁乡市玉潭小学支部委员会", "branch", "CS430182", "2002-07-01", ["4301820001"]),
]

# (username, name, role, scope organization code or None, may reveal personal data)
ACCOUNTS = [
    ("city_admin", "陈建国", "city_admin", "CS0001", True),
    ("furong_admin", "李芳", "district_admin", "CS430102", False),
    ("yuelu_admin", "王志强", "district_admin", "CS430104", False),
    ("school_secretary", "赵红梅", "school_secretary", "CS430104-02", False),
    ("instructor", "刘卫东", "instructor", "CS430104-04", False),
    ("inspector", "孙明", "inspector", "CS0001", False),
    ("sys_admin", "周涛", "sys_admin", None, False),
    ("sec_admin", "吴静", "sec_admin", None, False),
    ("audit_admin", "郑华", "audit_admin", None, False),
]

# People of the small example tree: (name, region, birth date, sequence, school code, post, front line,
# membership (organization code, admitted, full or None) or None, titles [(title, level, awarded, lapsed)]).
# The ID numbers are made with valid check characters from these parts; names are invented.
PEOPLE = [
    (
        "梅溪湖张老师",
        "430104",
        "1985-03-12",
        21,
        "4301040002",
        "teacher",
        True,
        ("CS430104-02-01", "2012-06-20", "2013-06-20"),
        [("backbone_teacher", "city", "2018-09-10", None)],
    ),
    (
        "梅溪湖李老师",
        "430104",
        "1990-07-01",
        42,
        "4301040002",
        "teacher",
        True,
        ("CS430104-02-02", "2024-07-01", None),
        [],
    ),
    (
        "梅溪湖王校长",
        "430103",
        "1975-11-30",
        13,
        "4301040002",
        "manager",
        False,
        ("CS430104-02", "2000-07-01", "2001-07-01"),
        [("famous_principal", "city", "2017-05-04", None)],
    ),
    (
        "麓山赵老师",
        "430104",
        "1988-02-14",
        61,
        "4301040001",
        "teacher",
        True,
        ("CS430104-01", "2015-06-30", "2016-06-30"),
        [("excellent_teacher", "district", "2019-09-10", None)],
    ),
    (
        "麓山钱老师",
        "430105",
        "1995-05-05",
        82,
        "4301040001",
        "teacher",
        True,
        None,
        [("backbone_teacher", "school", "2021-09-10", None)],
    ),
    ("明德孙老师", "430181", "1983-08-08", 33, "4301040004", "teacher", True, None, []),
    (
        "芙蓉周老师",
        "430102",
        "1986-12-24",
        55,
        "4301020001",
        "teacher",
        True,
        ("CS430102-01", "2011-06-28", "2012-06-28"),
        [("backbone_teacher", "district", "2016-09-10", "2022-09-09")],
    ),
    ("芙蓉吴老师", "430102", "1992-04-18", 74, "4301020001", "support", False, None, []),
    (
        "刘卫东",
        "430104",
        "1979-04-09",
        47,
        "4301040001",
        "teacher",
        False,
        ("CS430104-01", "2003-06-30", "2004-06-30"),
        [],
    ),
    (
        "一中郑老师",
        "430111",
        "1980-01-20",
        95,
        "4301000001",
        "teacher",
        True,
        ("CS430100-01-01", "2006-06-30", "2007-06-30"),
        [("studio_trainee", "city", "2019-03-01", None)],
    ),
]

# Dispatches to private schools: (person name, role, school code, body, public, start, end[, account]).
# 刘卫东 took over from 麓山赵老师 and also guides the kindergarten; the demo account ``instructor`` is his.
DISPATCHES = [
    ("麓山赵老师", "instructor", "4301040004", "长沙市教育局", True, "2018-11-01", "2021-10-31"),
    ("芙蓉周老师", "instructor", "4301020003", "芙蓉区教育局", True, "2019-03-01", None),
    ("一中郑老师", "secretary", "4301000002", "长沙市教育局", True, "2018-11-01", None),
    ("刘卫东", "instructor", "4301040004", "岳麓区教育局", True, "2021-11-01", None, "instructor"),
    ("刘卫东", "instructor", "4301040005", "岳麓区教育局", True, "2022-03-01", None, "instructor"),
]

# Guidance records (指导记录): (instructor, school code, date or days before today, kind, what was done,
# problems found, follow-up). The kindergarten has none this month: the instructor's to-do list says so.
GUIDANCE = [
    (
        "麓山赵老师",
        "4301040004",
        "2020-10-15",
        "supervision",
        "检查学校招生简章和收费公示，核对教师资格证持证情况。",
        "两名新进教师未取得教师资格证。",
        "学校承诺年底前完成资格认定，已报区教育局备案。",
    ),
    (
        "刘卫东",
        "4301040004",
        40,
        "propaganda",
        "向学校董事会宣讲民办学校党建工作重点任务清单，解读“双向进入、交叉任职”。",
        "",
        "",
    ),
    (
        "刘卫东",
        "4301040004",
        0,
        "guidance",
        "列席支部委员会会议，检查“三会一课”记录，指导制定下学期发展党员计划。",
        "主题党日活动记录缺少参会人员签到。",
        "下次活动起使用签到表，下月指导时复查。",
    ),
    (
        "刘卫东",
        "4301040005",
        45,
        "service",
        "为幼儿园青年教师开展师德师风专题培训，摸排入党积极分子。",
        "",
        "",
    ),
    (
        "芙蓉周老师",
        "4301020003",
        20,
        "guidance",
        "与园长商议党组织组建：园内正式党员两名，暂不具备单独组建条件。",
        "尚未建立党组织。",
        "建议与就近学校联合组建党支部，已报芙蓉区教育局。",
    ),
]

# Start-up funds: (organization code, amount, approved, paid)
STARTUP_GRANTS = [
    ("CS430104-04", "5000.00", "2019-08-01", "2019-09-15"),
    ("CS430100-02", "8000.00", "2018-07-10", "2018-08-20"),
]
GRANT_STANDARDS = [
    ("branch", 2017, "5000.00"),
    ("joint_branch", 2017, "5000.00"),
    ("general_branch", 2017, "8000.00"),
    ("committee", 2017, "10000.00"),
]

# Committee posts: (organization code, person name, post, from)
COMMITTEE_POSTS = [
    ("CS430104-02", "梅溪湖王校长", "secretary", "2021-09-01"),
    ("CS430104-01", "麓山赵老师", "secretary", "2020-09-01"),
    ("CS430102-01", "芙蓉周老师", "secretary", "2019-09-01"),
    ("CS430100-01", "一中郑老师", "organizing", "2019-09-01"),
]

# Organizations received from outside the education system: (code, name, type, parent, founded, from, date, doc)
RECEIVED = [
    (
        "CS430105-02",
        "中共开福区湘江社区学校支部委员会",
        "branch",
        "CS430105",
        "2010-05-01",
        "中共开福区湘江街道工作委员会",
        "2018-04-01",
        "开教党〔2018〕12号",
    ),
]

# Member development in the small set: three teachers of 梅溪湖中学 (岳麓区) with an open case each, built
# with the real services (every step checked by the rules). The steps are dated in days before the day
# the demo is loaded, so that the demo always shows the same situations: an activist whose half-yearly
# assessment is late (DEV.ASSESSMENT_INTERVAL), a candidate with the introducers determined, and a
# probationary member whose year of probation has just ended (the conversion is due). Contacts and
# introducers are full members of the set; dates of the data (publicity) are days too.
# (name, region, birth date, sequence, school code, post, organization code, [(step, day, data)])
DEVELOPMENT = [
    (
        "梅溪湖陈老师",
        "430104",
        "1996-10-08",
        36,
        "4301040002",
        "teacher",
        "CS430104-02-01",
        [
            ("S01", -400, {}),
            ("S02", -388, {}),
            ("S03", -330, {}),
            ("S04", -322, {}),
            ("S05", -322, {"contacts": ["麓山赵老师"]}),
            ("S06", -205, {"assessment": "思想积极，按时提交思想汇报"}),
        ],
    ),
    (
        "梅溪湖刘老师",
        "430104",
        "1993-04-16",
        58,
        "4301040002",
        "teacher",
        "CS430104-02-01",
        [
            ("S01", -620, {}),
            ("S02", -605, {}),
            ("S03", -545, {}),
            ("S04", -540, {}),
            ("S05", -540, {"contacts": ["芙蓉周老师"]}),
            ("S06", -375, {"assessment": "学习认真，积极参加党课和主题党日"}),
            ("S06", -205, {"assessment": "工作踏实，教育教学表现突出"}),
            ("S06", -45, {"assessment": "表现良好，群众评价较好"}),
            ("S07", -30, {}),
            ("S08", -24, {}),
            ("S09", -12, {"introducers": ["梅溪湖王校长", "麓山赵老师"]}),
        ],
    ),
    (
        "梅溪湖黄老师",
        "430104",
        "1995-02-21",
        27,
        "4301040002",
        "teacher",
        "CS430104-02-01",
        [
            ("S01", -960, {}),
            ("S02", -945, {}),
            ("S03", -885, {}),
            ("S04", -880, {}),
            ("S05", -880, {"contacts": ["一中郑老师"]}),
            ("S06", -715, {"assessment": "思想积极，按时提交思想汇报"}),
            ("S06", -545, {"assessment": "能主动向党组织汇报思想，进步明显"}),
            ("S07", -510, {}),
            ("S08", -503, {}),
            ("S09", -496, {"introducers": ["梅溪湖王校长", "一中郑老师"]}),
            ("S10", -470, {"conclusion": "qualified"}),
            ("S11", -460, {"course": "岳麓区教育系统发展对象培训班", "days": 3, "hours": 24}),
            ("S12", -425, {}),
            (
                "S13",
                -405,
                {
                    "publicity_from": -422,
                    "publicity_to": -415,
                    "objections": "无",
                    "form_serial": "430104-{year}-001",
                },
            ),
            ("S14", -398, {}),
            ("S15", -385, {"should_attend": 24, "present": 21, "yes": 20, "no": 1}),
            ("S16", -375, {}),
            ("S17", -345, {"approval_number": "岳教党发〔{year}〕18号"}),
            ("S18", -335, {}),
            ("S19", -335, {}),
            ("S20", -330, {}),
            ("S21", -160, {"assessment": "按期参加组织生活，表现良好"}),
            ("S22", -20, {}),
        ],
    ),
]

# Dual cultivation (双培养) in the small tree (``cultivation.small_tree``), dated in days before the day the
# demo is loaded: at 梅溪湖中学 a teaching mentorship of 梅溪湖王校长 (名校长) and 梅溪湖黄老师, a young member
# admitted a year ago, with two half-yearly reviews, the second one late; the 岳麓 bureau's 微党课 contest, with
# a prize for a member; a member teacher speaking at a district forum. (梅溪湖张老师 is left out: the tests
# delete that person, which a record naming them would prevent.)
# Mentorships: (kind, mentor, apprentice, school code, start, goals, [(review day, progress)]).
CULTIVATION_MENTORSHIPS = [
    (
        "teaching",
        "梅溪湖王校长",
        "梅溪湖黄老师",
        "4301040002",
        -380,
        "一年站稳讲台、两年成为校级骨干：每学期听师傅的课不少于20节，上汇报课1节，独立完成一个单元的教学设计。",
        [
            (-200, "听课24节，上汇报课1节；教学设计规范，课堂节奏的把握还需加强。"),
            (-5, "听课21节，参加区青年教师课堂比武；能独立设计单元教学，作业设计有特色。"),
        ],
    ),
]
# Contests: (organization code, name ({year}: the year held), kind, level, day held,
# [(person, prize, day of the prize or None, work)]).
CULTIVATION_CONTESTS = [
    (
        "CS430104",
        "岳麓区教育系统{year}年“微党课”比赛",
        "micro_class",
        "district",
        -75,
        [
            ("梅溪湖李老师", "first", -60, "“四有”好老师的初心与坚守"),
            ("麓山赵老师", "none", None, "从雷锋精神看新时代教师的担当"),
        ],
    ),
]
# Speaking: (person, occasion, day, topic, where).
CULTIVATION_SPEAKING = [
    ("梅溪湖李老师", "forum", -40, "做学生成长的引路人：党员班主任的育人实践", "岳麓区教育局报告厅"),
]
