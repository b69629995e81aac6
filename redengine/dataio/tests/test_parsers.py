"""Every parser's accepted and refused forms (import-templates.md: dates, codes, ID numbers, choices)."""

import datetime

import pytest
from django.utils import translation

from redengine.dataio import parsers
from redengine.dataio.parsers import CellError, normalise


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(parser, value):
    with pytest.raises(CellError) as caught:
        parser(value)
    return str(caught.value.reason)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  长沙市  第一中学 ", "长沙市 第一中学"),
        ("\u3000岳麓区\u3000", "岳麓区"),  # ideographic spaces
        ("４３０１０４", "430104"),  # full-width digits
        ("ＡＢｃ", "ABc"),
        ("长沙（本部）", "长沙（本部）"),  # Chinese punctuation is kept
        ("   ", None),
        ("", None),
        (None, None),
        (3.0, 3.0),
    ],
)
def test_normalise(value, expected):
    assert normalise(value) == expected


def test_text():
    assert parsers.text()(" 长沙市\t第一中学 ") == "长沙市 第一中学"
    assert parsers.text()(12.0) == "12"
    assert parsers.text()(None) is None
    assert parsers.text(max_length=3)("abc") == "abc"
    assert refused(parsers.text(max_length=3), "abcd") == "At most 3 characters; this cell has 4."


def test_code_takes_text_and_whole_numbers_only():
    code = parsers.code(r"\d{10}", "The school code has 10 digits.")
    assert code("4301040001") == "4301040001"
    assert code(" ４３０１０４０００１ ") == "4301040001"
    assert code(4301040001.0) == "4301040001"  # a number cell kept whole by Excel
    assert code(4301040001) == "4301040001"
    assert code(None) is None
    assert refused(code, 430104000.5).startswith("A code must be typed as text")
    assert refused(code, 4.30104199001011e17).startswith("A code must be typed as text")
    assert refused(code, "430104") == "The school code has 10 digits."
    assert refused(code, 430104000.0) == "The school code has 10 digits."  # a leading zero lost, say
    assert refused(code, True) == "The school code has 10 digits."


def test_id_number_text():
    parse = parsers.id_number_text()
    assert parse("43010419900307123x") == "43010419900307123X"
    assert parse(" ４３０１０４１９９００３０７１２３Ｘ ") == "43010419900307123X"
    assert parse("430104 19900307 123X") == "43010419900307123X"
    assert parse("12345") == "12345"  # the check digit is the app's to verify
    assert parse(None) is None


@pytest.mark.parametrize(
    "value", [430104199003071230.0, 430104199003071230, "4.30104E+17", "4.30104199003071E+17"]
)
def test_id_number_stored_as_a_number_is_refused_with_the_reason(value):
    reason = refused(parsers.id_number_text(), value)
    assert "stored as a number" in reason
    assert "lost its last digits" in reason
    assert "Format the column as text" in reason


def test_whole_number():
    parse = parsers.whole_number()
    assert parse(12.0) == 12
    assert parse(0) == 0
    assert parse("12") == 12
    assert parse("１２") == 12
    assert parse("12.0") == 12
    assert parse(None) is None
    assert refused(parse, 1.5) == "Enter a whole number."
    assert refused(parse, "twelve") == "Enter a whole number."
    assert refused(parse, True) == "Enter a whole number."
    assert refused(parse, -1.0) == "Enter a whole number of at least 0."
    assert (
        refused(parsers.whole_number(min_value=1, max_value=10), 11) == "Enter a whole number of at most 10."
    )


@pytest.mark.parametrize(
    "value",
    [
        "2019-03-05",
        "2019-3-5",
        "2019/3/5",
        "2019/03/05",
        "2019年3月5日",
        "2019年03月05日",
        " 2019 年 3 月 5 日 ",
        "２０１９年３月５日",  # full-width digits
        "２０１９－０３－０５",
        "２０１９／３／５",
        datetime.date(2019, 3, 5),  # an Excel date as the reader gives it
        datetime.datetime(2019, 3, 5),
        datetime.datetime(2019, 3, 5, 10, 30),
    ],
)
def test_date_accepted_forms(value):
    assert parsers.date()(value) == datetime.date(2019, 3, 5)


@pytest.mark.parametrize(
    "value", ["2019.3.5", "05/03/2019", "3/5/2019", "20190305", "2019-03", "yesterday", 43529.0, True]
)
def test_date_refused_forms_name_the_accepted_ones(value):
    reason = refused(parsers.date(), value)
    assert reason == "Not a date. Use an Excel date or text such as 2019-03-05, 2019/3/5 or 2019年3月5日."


def test_date_that_does_not_exist_and_implausible_years():
    assert refused(parsers.date(), "2019-02-30") == "There is no such date."
    assert refused(parsers.date(), "2019年13月1日") == "There is no such date."
    assert refused(parsers.date(), "0219-03-05") == "The year must be between 1900 and 2100."
    assert parsers.date()(None) is None


def test_choice_takes_label_or_code():
    parse = parsers.choice([("01", "汉族"), ("02", "蒙古族")])
    assert parse("汉族") == "01"
    assert parse(" 汉族 ") == "01"
    assert parse("01") == "01"
    assert parse("０２") == "02"
    assert parse(None) is None
    reason = refused(parse, "汉")
    assert reason == "Not an accepted value. Accepted values: 汉族, 蒙古族."
    levels = parsers.choice([(str(n), f"{n}星") for n in range(1, 6)])
    assert levels(3.0) == "3"  # a number cell holding a code
    assert levels("5星") == "5"
    assert parsers.choice([("s01", "S01 入党申请")])("S01") == "s01"  # codes match whatever the case


def test_choice_with_a_long_list_names_the_first_twenty():
    parse = parsers.choice([(f"{n:02d}", f"族{n}") for n in range(1, 57)])
    reason = refused(parse, "x")
    assert "族20" in reason
    assert "族21" not in reason
    assert "and 36 more (see the code list sheet of the template)" in reason


def test_yes_no():
    parse = parsers.yes_no()
    assert parse("是") is True
    assert parse("否") is False
    assert parse(" 是 ") is True
    assert parse(True) is True
    assert parse("FALSE") is False
    assert parse(None) is False  # blank = 否 by default
    assert parse("") is False
    assert parsers.yes_no(blank=None)(None) is None
    assert refused(parse, "对") == "Not an accepted value. Accepted values: 是, 否."
    assert refused(parse, 1.0) == "Not an accepted value. Accepted values: 是, 否."


def test_parsers_describe_the_template():
    assert parsers.id_number_text().number_format == "@"
    assert parsers.code(r"\d+", "x").number_format == "@"
    assert parsers.date().number_format == "yyyy-mm-dd"
    assert parsers.yes_no().choices() == ["是", "否"]
    assert parsers.choice([("public", "公办"), ("private", "民办")]).choices() == ["公办", "民办"]
    assert parsers.text().choices() == []


def test_chinese_reason():
    with translation.override("zh-hans"):
        assert "Excel" in refused(parsers.id_number_text(), 430104199003071230.0)
        assert refused(parsers.yes_no(), "对").endswith("是、否。")
