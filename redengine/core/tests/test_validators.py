"""ID numbers (GB 11643-1999), mobiles, unified social credit codes (GB 32100-2015) and text normalisation."""

import re
from datetime import date, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from redengine.core.codes import HISTORICAL_DISTRICTS, PROVINCES
from redengine.core.validators import (
    IdNumber,
    id_number_check_character,
    make_id_number,
    normalise_mobile,
    normalise_text,
    normalise_uscc,
    parse_id_number,
    uscc_check_character,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)

# No example database on disk (.hypothesis/ is not ignored by git), no deadline under xdist.
property_test = settings(database=None, deadline=None, max_examples=300)

# GB 11643-1999 test vectors, verified by computation (domain-rules §6.1).
VECTORS = ["11010519491231002X", "440524188001010014", "34052419800101001X", "513101198201130014"]
TODAY = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in their English source; tests of the Chinese text override this."""
    with translation.override("en"):
        yield


def outcome(value):
    """(error code, message) of ``value``, or (None, None) when it is valid."""
    try:
        parse_id_number(value)
    except ValidationError as error:
        return error.code, error.messages[0]
    return None, None


def error_of(value, **kwargs):
    with pytest.raises(ValidationError) as raised:
        parse_id_number(value, **kwargs)
    return raised.value


# --- GB 11643-1999: resident ID number -------------------------------------------------------------


@pytest.mark.parametrize("number", VECTORS)
def test_the_standards_vectors_are_valid(number):
    """GB 11643-1999 §6.2 / domain-rules §6.1 vectors."""
    parsed = parse_id_number(number)
    assert parsed.number == number
    validate_id_number(number)


def test_what_the_number_encodes():
    """GB 11643-1999 §5: address code, birth date (GB/T 7408), sequence whose parity is the sex."""
    assert parse_id_number("11010519491231002X") == IdNumber(
        number="11010519491231002X", birth_date=date(1949, 12, 31), sex="female", region="110105"
    )
    assert parse_id_number("440524188001010014") == IdNumber(
        number="440524188001010014", birth_date=date(1880, 1, 1), sex="male", region="440524"
    )
    assert str(parse_id_number("513101198201130014")) == "513101198201130014"


def test_the_result_is_frozen():
    parsed = parse_id_number(VECTORS[0])
    with pytest.raises(AttributeError):
        parsed.number = "x"


@pytest.mark.parametrize("number", VECTORS)
def test_changing_any_one_digit_fails(number):
    """ISO 7064 MOD 11-2 (GB 11643-1999 §6.2) detects every single substitution, in all 18 positions."""
    for position in range(18):
        alphabet = "0123456789X" if position == 17 else "0123456789"
        for char in alphabet:
            if char == number[position]:
                continue
            changed = number[:position] + char + number[position + 1 :]
            with pytest.raises(ValidationError):
                parse_id_number(changed)


@pytest.mark.parametrize("number", VECTORS)
def test_swapping_two_neighbouring_digits_fails(number):
    """MOD 11-2 also detects every transposition of two adjacent different characters (ISO 7064 §5)."""
    for position in range(17):
        first, second = number[position], number[position + 1]
        if first == second:
            continue
        swapped = number[:position] + second + first + number[position + 2 :]
        with pytest.raises(ValidationError):
            parse_id_number(swapped)


def test_weights_are_powers_of_two_mod_11():
    """GB 11643-1999 §6.2: W_i = 2^(18-i) mod 11 (i = 1..17 from the left); Y = 0..10 → 1 0 X 9 8 7 6 5 4 3 2.

    domain-rules §6.1 writes 2^(17-i), which holds only when i counts from 0; the weights it lists are right.
    """
    from redengine.core.validators import ID_NUMBER_CHECK_CHARACTERS, ID_NUMBER_WEIGHTS

    assert tuple(pow(2, 18 - i, 11) for i in range(1, 18)) == ID_NUMBER_WEIGHTS
    assert ID_NUMBER_CHECK_CHARACTERS == "10X98765432"
    # The check character makes the weighted sum of all 18 (X = 10, weight 1) equal 1 mod 11.
    for number in VECTORS:
        values = [10 if c == "X" else int(c) for c in number]
        assert sum(v * w for v, w in zip(values, (*ID_NUMBER_WEIGHTS, 1), strict=True)) % 11 == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 11010519491231002X ", "11010519491231002X"),
        ("110105 19491231 002X", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
        ("\u3000440524188001010014\t", "440524188001010014"),
    ],
)
def test_spaces_full_width_and_lower_case_x_are_normalised(typed, expected):
    """import-templates.md: spaces and full-width digits are normalised; GB 11643 stores X in capitals."""
    assert parse_id_number(typed).number == expected


@pytest.mark.parametrize(("value", "count"), [("", 0), (None, 0), ("11010519491231002", 17), ("1" * 19, 19)])
def test_wrong_length_says_how_many_characters(value, count):
    """GB 11643-1999 §4: 18 characters."""
    error = error_of(value)
    assert error.code == "id_number_length"
    assert f"not {count}." in error.messages[0]


def test_legacy_15_digit_number_is_refused_as_wrong_length():
    """GB 11643-1989 numbers (15 digits, no check character) are not accepted as they are (§6.1)."""
    assert error_of("430104800101001").code == "id_number_length"


@pytest.mark.parametrize(
    ("value", "position", "char"), [("A1010519491231002X", 1, "A"), ("1101051949123100X2", 17, "X")]
)
def test_a_non_digit_in_the_first_17_names_its_position(value, position, char):
    """GB 11643-1999 §4: the first 17 are digits."""
    error = error_of(value)
    assert error.code == "id_number_digits"
    assert f"character {position} is “{char}”" in error.messages[0]


@pytest.mark.parametrize("digit", ["٣", "²", "①"])
def test_digits_of_other_scripts_are_not_digits(digit):
    """Only 0-9 are digits of an ID number, although Python's isdigit/int accept these."""
    assert error_of("1101051949123100" + digit + "X").code == "id_number_digits"


def test_last_character_is_a_digit_or_x():
    """GB 11643-1999 §6.2: the check character is 0-9 or X."""
    error = error_of("11010519491231002Y")
    assert error.code == "id_number_last_character"
    assert "“Y”" in error.messages[0]


def test_wrong_check_character_says_which_is_expected():
    """GB 11643-1999 §6.2 (ISO 7064 MOD 11-2)."""
    error = error_of("110105194912310021")
    assert error.code == "id_number_check_character"
    assert error.messages == ["Wrong check character in the resident ID number: it should be X."]


def test_messages_are_translated_to_chinese():
    with translation.override("zh-hans"):
        assert error_of("110105194912310021").messages == ["公民身份号码校验码错误：应为 X。"]
        assert error_of("1101051949123100").messages == ["公民身份号码应为 18 位，输入的是 16 位。"]
        assert error_of("99010519491231002X").messages == [
            "公民身份号码前两位“99”不是省级行政区划代码（GB/T 2260）。"
        ]


@pytest.mark.parametrize("bad", ["11010519491231002", "110105194912310021", "99010519491231002X"])
def test_messages_do_not_repeat_the_number(bad):
    """security-goals (Privacy): an error that reaches a log or a report does not carry the ID number."""
    assert bad[:10] not in " ".join(error_of(bad).messages)


@pytest.mark.parametrize(
    "birth",
    [
        "19800230",  # 30 February
        "19801301",  # month 13
        "19800100",  # day 0
        "00000000",
        "18491231",  # before 1850, earlier than anyone alive when ID numbers were issued
    ],
)
def test_impossible_birth_date_is_refused(birth):
    """GB 11643-1999 §5.2: the birth date is a calendar date (GB/T 7408)."""
    first17 = "430104" + birth + "001"
    error = error_of(first17 + id_number_check_character(first17))
    assert error.code == "id_number_birth_date"


def test_29_february_in_a_leap_year_is_a_date():
    assert parse_id_number(make_id_number("430104", date(2000, 2, 29), 1)).birth_date == date(2000, 2, 29)


def test_birth_date_in_the_future_is_refused():
    """domain-rules §6.1: a valid calendar date, not in the future."""
    tomorrow = make_id_number("430104", TODAY + timedelta(days=1), 1)
    assert error_of(tomorrow, today=TODAY).code == "id_number_future_birth_date"
    assert parse_id_number(make_id_number("430104", TODAY, 1), today=TODAY).birth_date == TODAY


def test_the_default_today_is_the_local_date():
    from django.utils import timezone

    today = timezone.localdate()
    assert parse_id_number(make_id_number("430104", today, 2)).birth_date == today
    assert (
        error_of(make_id_number("430104", today + timedelta(days=1), 2)).code == "id_number_future_birth_date"
    )


def test_only_the_34_province_codes_begin_a_number():
    """GB/T 2260 province-level codes: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82."""
    accepted = set()
    for prefix in (f"{n:02d}" for n in range(100)):
        code, message = outcome(make_id_number(f"{prefix}0101", date(1980, 1, 1), 1))
        if code is None:
            accepted.add(prefix)
        else:
            assert code == "id_number_region"
            assert f"“{prefix}”" in message
    assert accepted == set(PROVINCES)


@pytest.mark.parametrize("region", sorted(HISTORICAL_DISTRICTS))
def test_codes_of_former_counties_are_accepted(region):
    """domain-rules §6.1-6.2: codes are never re-validated after issue (430122 望城县, 430124 宁乡县)."""
    assert parse_id_number(make_id_number(region, date(1975, 5, 4), 35)).region == region


def test_make_id_number():
    assert make_id_number("430104", date(1980, 1, 1), 1) == "430104198001010014"
    assert make_id_number("110105", date(1949, 12, 31), 2) == "11010519491231002X"
    assert make_id_number("110105", date(1949, 12, 31), "002") == "11010519491231002X"
    with pytest.raises(ValueError, match="sequence"):
        make_id_number("430104", date(1980, 1, 1), 1000)
    with pytest.raises(ValueError, match="region"):
        make_id_number("4301", date(1980, 1, 1), 1)


@property_test
@given(
    province=st.sampled_from(sorted(PROVINCES)),
    county=st.integers(0, 9999),
    born=st.dates(min_value=date(1850, 1, 1), max_value=TODAY),
    sequence=st.integers(0, 999),
)
def test_made_numbers_parse_back(province, county, born, sequence):
    """make_id_number and parse_id_number agree on every field (GB 11643-1999 §5, §6)."""
    region = f"{province}{county:04d}"
    parsed = parse_id_number(make_id_number(region, born, sequence), today=TODAY)
    assert (parsed.region, parsed.birth_date) == (region, born)
    assert parsed.sex == ("male" if sequence % 2 else "female")


@property_test
@given(st.text(max_size=40))
def test_any_text_is_either_valid_or_a_validation_error(value):
    """security-goals (Bad input): fuzzing the validators finds no crash."""
    code, message = outcome(value)
    if code is None:
        assert re.fullmatch(r"[0-9]{17}[0-9X]", parse_id_number(value).number)
    else:
        assert code.startswith("id_number_")
        assert message


def test_validate_id_number_works_as_a_form_field_validator():
    field = forms.CharField(validators=[validate_id_number])
    assert field.clean("11010519491231002X") == "11010519491231002X"
    with pytest.raises(ValidationError) as raised:
        field.clean("110105194912310021")
    assert raised.value.error_list[0].code == "id_number_check_character"


# --- Mobile numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "１３８１２３４５６７８",
        " 19912345678 ",
        "138－1234－5678",
    ],
)
def test_valid_mobiles(value):
    """11 digits beginning with 1 (national numbering plan); spaces, hyphens, full width tolerated."""
    validate_mobile(value)
    assert len(normalise_mobile(value)) == 11


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "1381234567",
        "138123456789",
        "23812345678",
        "1381234567a",
        "+8613812345678",
        "0731-8888888",
        "１３８１２３４５６７٣",
    ],
)
def test_invalid_mobiles(value):
    with pytest.raises(ValidationError) as raised:
        validate_mobile(value)
    assert raised.value.code == "mobile"
    with translation.override("zh-hans"):
        assert raised.value.messages == ["手机号码应为以 1 开头的 11 位数字。"]


# --- GB 32100-2015: unified social credit code -----------------------------------------------------

# The example of GB 32100-2015 appendix; the others are computed here with the standard's algorithm.
USCC_EXAMPLE = "91350100M000100Y43"


def test_the_standards_example_is_valid():
    """GB 32100-2015 §4.3 check character of the example code."""
    validate_uscc(USCC_EXAMPLE)
    assert uscc_check_character(USCC_EXAMPLE[:17]) == "3"


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("12430100MB1234567", uscc_check_character("12430100MB1234567")),  # 事业单位 (school) in Changsha
        ("52430104MJ0000001", uscc_check_character("52430104MJ0000001")),  # 民办非企业单位 (private school)
        ("91430100000000000", "0"),  # 31 - (sum mod 31) = 31 counts as 0
    ],
)
def test_computed_codes_are_valid(first17, check):
    validate_uscc(first17 + check)


def test_check_character_by_hand():
    """GB 32100-2015 §4.3: C18 = 31 - (Σ C_i × W_i mod 31), W_i = 3^(i-1) mod 31, 31 → 0."""
    from redengine.core.validators import USCC_CHARACTERS, USCC_WEIGHTS

    assert tuple(pow(3, i, 31) for i in range(17)) == USCC_WEIGHTS
    assert len(USCC_CHARACTERS) == 31
    assert not set("IOSVZ") & set(USCC_CHARACTERS)
    total = sum(USCC_CHARACTERS.index(c) * w for c, w in zip("91350100M000100Y4", USCC_WEIGHTS, strict=True))
    assert USCC_CHARACTERS[31 - total % 31] == "3"


def test_changing_any_one_character_of_a_credit_code_fails():
    """Mod 31 with weights prime to 31 detects every single substitution (GB 32100-2015 §4.3)."""
    from redengine.core.validators import USCC_CHARACTERS

    for position in range(18):
        for char in USCC_CHARACTERS:
            if char != USCC_EXAMPLE[position]:
                with pytest.raises(ValidationError):
                    validate_uscc(USCC_EXAMPLE[:position] + char + USCC_EXAMPLE[position + 1 :])


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "uscc_length"),
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100I43", "uscc_characters"),
        ("91350100M000100Y44", "uscc_check_character"),
    ],
)
def test_credit_code_errors(value, code):
    with pytest.raises(ValidationError) as raised:
        validate_uscc(value)
    assert raised.value.code == code


def test_credit_code_messages():
    with pytest.raises(ValidationError) as raised:
        validate_uscc("91350100M000100Y44")
    assert raised.value.messages == [
        "Wrong check character in the unified social credit code: it should be 3."
    ]
    with translation.override("zh-hans"):
        assert raised.value.messages == ["统一社会信用代码校验码错误：应为 3。"]
    with pytest.raises(ValidationError) as raised:
        validate_uscc("91350100M000100O43")
    assert "character 16 is “O”" in raised.value.messages[0]


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_left_out_of_the_standard_are_refused(letter):
    """GB 32100-2015 §4.2: I, O, S, V, Z are not used."""
    with pytest.raises(ValidationError) as raised:
        validate_uscc("91350100M000100" + letter + "43")
    assert raised.value.code == "uscc_characters"


def test_credit_code_is_normalised():
    assert normalise_uscc(" 91350100m000100y43 ") == USCC_EXAMPLE
    validate_uscc("９１３５０１００Ｍ０００１００Ｙ４３")
    validate_uscc("91350100m000100y43")


# --- Text normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  岳麓区 ", "岳麓区"),
        ("长沙市\u3000第一中学", "长沙市 第一中学"),
        ("ＡＢＣ１２３", "ABC123"),
        ("a \t\n b", "a b"),
        ("\ufeff汉族\u200b", "汉族"),
        ("中共党员", "中共党员"),
        ("“党课”、《章程》。", "“党课”、《章程》。"),  # CJK punctuation outside the full-width block stays
        (2019, "2019"),
    ],
)
def test_normalise_text(value, expected):
    """import-templates.md: spaces and full-width characters are normalised before validation."""
    assert normalise_text(value) == expected


@property_test
@given(st.text())
def test_normalise_text_is_idempotent_and_keeps_chinese_characters(value):
    once = normalise_text(value)
    assert normalise_text(once) == once
    assert once == once.strip()
    assert not re.search(r"\s\s", once)
    assert not any(0xFF01 <= ord(c) <= 0xFF5E for c in once)
    han = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")
    assert han.findall(once) == han.findall(value)
