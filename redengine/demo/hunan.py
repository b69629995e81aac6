"""The province of the benchmark data set (``province.py``): Hunan's 14 prefecture-level divisions and their
122 county-level ones, with their GB/T 2260 codes and names (2023), and the names of its schools and branches.

Changsha comes first: it is the city of ``core/codes.py`` ``DISTRICTS``, the only codes the deployment knows.
A district's kind gives the prefix of its schools' names: a 区 is named with its city (株洲市荷塘区第一中学),
a county (县) or county-level city (市) by itself (攸县第一中学, 醴陵市第一中学).
"""

from . import words
from .city import chinese_number

# (city code, city name, short name in committee names, [(county code, county name)])
CITIES = [
    (
        "430100",
        "长沙市",
        "长沙市",
        [
            ("430102", "芙蓉区"),
            ("430103", "天心区"),
            ("430104", "岳麓区"),
            ("430105", "开福区"),
            ("430111", "雨花区"),
            ("430112", "望城区"),
            ("430121", "长沙县"),
            ("430181", "浏阳市"),
            ("430182", "宁乡市"),
        ],
    ),
    (
        "430200",
        "株洲市",
        "株洲市",
        [
            ("430202", "荷塘区"),
            ("430203", "芦淞区"),
            ("430204", "石峰区"),
            ("430211", "天元区"),
            ("430212", "渌口区"),
            ("430223", "攸县"),
            ("430224", "茶陵县"),
            ("430225", "炎陵县"),
            ("430281", "醴陵市"),
        ],
    ),
    (
        "430300",
        "湘潭市",
        "湘潭市",
        [
            ("430302", "雨湖区"),
            ("430304", "岳塘区"),
            ("430321", "湘潭县"),
            ("430381", "湘乡市"),
            ("430382", "韶山市"),
        ],
    ),
    (
        "430400",
        "衡阳市",
        "衡阳市",
        [
            ("430405", "珠晖区"),
            ("430406", "雁峰区"),
            ("430407", "石鼓区"),
            ("430408", "蒸湘区"),
            ("430412", "南岳区"),
            ("430421", "衡阳县"),
            ("430422", "衡南县"),
            ("430423", "衡山县"),
            ("430424", "衡东县"),
            ("430426", "祁东县"),
            ("430481", "耒阳市"),
            ("430482", "常宁市"),
        ],
    ),
    (
        "430500",
        "邵阳市",
        "邵阳市",
        [
            ("430502", "双清区"),
            ("430503", "大祥区"),
            ("430511", "北塔区"),
            ("430522", "新邵县"),
            ("430523", "邵阳县"),
            ("430524", "隆回县"),
            ("430525", "洞口县"),
            ("430527", "绥宁县"),
            ("430528", "新宁县"),
            ("430529", "城步苗族自治县"),
            ("430581", "武冈市"),
            ("430582", "邵东市"),
        ],
    ),
    (
        "430600",
        "岳阳市",
        "岳阳市",
        [
            ("430602", "岳阳楼区"),
            ("430603", "云溪区"),
            ("430611", "君山区"),
            ("430621", "岳阳县"),
            ("430623", "华容县"),
            ("430624", "湘阴县"),
            ("430626", "平江县"),
            ("430681", "汨罗市"),
            ("430682", "临湘市"),
        ],
    ),
    (
        "430700",
        "常德市",
        "常德市",
        [
            ("430702", "武陵区"),
            ("430703", "鼎城区"),
            ("430721", "安乡县"),
            ("430722", "汉寿县"),
            ("430723", "澧县"),
            ("430724", "临澧县"),
            ("430725", "桃源县"),
            ("430726", "石门县"),
            ("430781", "津市市"),
        ],
    ),
    (
        "430800",
        "张家界市",
        "张家界市",
        [("430802", "永定区"), ("430811", "武陵源区"), ("430821", "慈利县"), ("430822", "桑植县")],
    ),
    (
        "430900",
        "益阳市",
        "益阳市",
        [
            ("430902", "资阳区"),
            ("430903", "赫山区"),
            ("430921", "南县"),
            ("430922", "桃江县"),
            ("430923", "安化县"),
            ("430981", "沅江市"),
        ],
    ),
    (
        "431000",
        "郴州市",
        "郴州市",
        [
            ("431002", "北湖区"),
            ("431003", "苏仙区"),
            ("431021", "桂阳县"),
            ("431022", "宜章县"),
            ("431023", "永兴县"),
            ("431024", "嘉禾县"),
            ("431025", "临武县"),
            ("431026", "汝城县"),
            ("431027", "桂东县"),
            ("431028", "安仁县"),
            ("431081", "资兴市"),
        ],
    ),
    (
        "431100",
        "永州市",
        "永州市",
        [
            ("431102", "零陵区"),
            ("431103", "冷水滩区"),
            ("431122", "东安县"),
            ("431123", "双牌县"),
            ("431124", "道县"),
            ("431125", "江永县"),
            ("431126", "宁远县"),
            ("431127", "蓝山县"),
            ("431128", "新田县"),
            ("431129", "江华瑶族自治县"),
            ("431181", "祁阳市"),
        ],
    ),
    (
        "431200",
        "怀化市",
        "怀化市",
        [
            ("431202", "鹤城区"),
            ("431221", "中方县"),
            ("431222", "沅陵县"),
            ("431223", "辰溪县"),
            ("431224", "溆浦县"),
            ("431225", "会同县"),
            ("431226", "麻阳苗族自治县"),
            ("431227", "新晃侗族自治县"),
            ("431228", "芷江侗族自治县"),
            ("431229", "靖州苗族侗族自治县"),
            ("431230", "通道侗族自治县"),
            ("431281", "洪江市"),
        ],
    ),
    (
        "431300",
        "娄底市",
        "娄底市",
        [
            ("431302", "娄星区"),
            ("431321", "双峰县"),
            ("431322", "新化县"),
            ("431381", "冷水江市"),
            ("431382", "涟源市"),
        ],
    ),
    (
        "433100",
        "湘西土家族苗族自治州",
        "湘西州",
        [
            ("433101", "吉首市"),
            ("433122", "泸溪县"),
            ("433123", "凤凰县"),
            ("433124", "花垣县"),
            ("433125", "保靖县"),
            ("433126", "古丈县"),
            ("433127", "永顺县"),
            ("433130", "龙山县"),
        ],
    ),
]

# County codes retired since ID numbers were issued under them (the numbers keep them, domain-rules §6.1):
# the county a district or city replaced.
RETIRED = {
    "430112": "430122",  # 望城县 → 望城区
    "430182": "430124",  # 宁乡县 → 宁乡市
    "430212": "430221",  # 株洲县 → 渌口区
    "430582": "430521",  # 邵东县 → 邵东市
    "431181": "431121",  # 祁阳县 → 祁阳市
}

# Streets of the towns outside Changsha (Changsha's own are in ``words.STREETS``), for urban school names.
STREETS = [
    "人民路",
    "解放路",
    "建设路",
    "新华路",
    "五一路",
    "中山路",
    "东风路",
    "胜利路",
    "文化路",
    "和平路",
    "红旗路",
    "光明路",
    "长青路",
    "迎宾路",
    "滨江路",
    "书院路",
    "车站路",
    "朝阳路",
    "花园路",
    "金桥",
]


# Names ----------------------------------------------------------------------------------------------
NAME_TEMPLATES = {
    ("kindergarten", "private"): ["{p}{kword}幼儿园", "{p}{place}{kword}幼儿园"],
    ("kindergarten", "public"): ["{p}{place}幼儿园", "{p}第{n}幼儿园", "{p}{place}中心幼儿园"],
    ("primary", "private"): ["{p}{pword}小学", "{p}{pword}实验小学"],
    ("primary", "public"): ["{p}{place}小学", "{p}{word}小学", "{p}第{n}小学", "{p}{village}小学"],
    ("junior", "private"): ["{p}{pword}中学", "{p}{pword}实验中学"],
    ("junior", "public"): ["{p}{place}中学", "{p}第{n}中学", "{p}{word}初级中学", "{p}{village}中学"],
    ("secondary", "private"): ["{p}{pword}中学", "{p}{pword}高级中学"],
    ("secondary", "public"): ["{p}第{n}中学", "{p}{word}中学", "{p}{place}中学"],
    ("nine_year", "private"): ["{p}{pword}实验学校", "{p}{pword}学校"],
    ("nine_year", "public"): ["{p}{word}实验学校", "{p}{place}学校", "{p}{village}学校"],
    ("twelve_year", "private"): ["{p}{pword}外国语学校", "{p}{pword}学校"],
    ("twelve_year", "public"): ["{p}{word}外国语学校", "{p}{word}学校"],
    ("vocational", "private"): ["{p}{voc}职业技术学校"],
    ("vocational", "public"): ["{p}{voc}职业中等专业学校", "{p}第{n}职业中专学校"],
    ("special", "public"): ["{p}特殊教育学校", "{p}{word}培智学校"],
    ("special", "private"): ["{p}{pword}特殊教育学校"],
}
KIND_WORDS = {
    "kindergarten": "幼儿园",
    "primary": "小学",
    "junior": "中学",
    "secondary": "中学",
    "nine_year": "学校",
    "twelve_year": "学校",
    "vocational": "职业学校",
    "special": "特殊教育学校",
}


def school_name(rng, chunk, school, names, numbers):
    """A plausible name, unique in the district: its prefix, a street, town, village or word, its kind."""
    kind = "secondary" if school.school_type in {"senior", "complete_secondary"} else school.school_type
    templates = NAME_TEMPLATES[(kind, school.ownership)]
    streets = words.STREETS.get(chunk.code, STREETS)
    towns = words.TOWNS.get(chunk.code, words.VILLAGES)
    for _attempt in range(20):
        template = rng.choice(templates)
        number = ""
        if "{n}" in template:
            numbers[kind] += 1
            number = chinese_number(numbers[kind])
        name = template.format(
            p=chunk.prefix,
            n=number,
            place=rng.choice(streets if school.urban_rural == "urban" else towns),
            village=rng.choice(words.VILLAGES),
            word=rng.choice(words.PUBLIC_WORDS),
            pword=rng.choice(words.PRIVATE_WORDS),
            kword=rng.choice(words.KINDERGARTEN_WORDS),
            voc=rng.choice(words.VOCATIONAL_WORDS),
        ).replace("实验实验", "实验")
        if name not in names:
            names.add(name)
            return name
    numbers[kind] += 1
    name = f"{chunk.prefix}第{chinese_number(numbers[kind])}{KIND_WORDS[kind]}"
    names.add(name)
    return name


def short_name(prefix, school):
    """The school's name without the district's prefix (in the names of its branches)."""
    name = school.name
    if name.startswith(prefix) and len(name) > len(prefix) + 2:
        return name[len(prefix) :]
    return name


def section(school, k, count):
    """The k-th of ``count`` branches of a school's general branch or committee: by grade or group where
    the school's stage has enough of them (the demo city's), else by number."""
    if school.school_type in {"complete_secondary", "senior", "twelve_year"}:
        sections = words.SECTIONS_SECONDARY
    elif school.school_type in {"primary", "nine_year"}:
        sections = words.SECTIONS_PRIMARY
    else:
        sections = []
    return sections[k] if count <= len(sections) else f"第{chinese_number(k + 1)}"
