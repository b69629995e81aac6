"""Masking of ID numbers and mobiles for users without the reveal permission (security-goals: Privacy)."""

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redengine.core.codes import PROVINCES
from redengine.core.masking import mask_id_number, mask_mobile
from redengine.core.validators import make_id_number

property_test = settings(database=None, deadline=None, max_examples=200)

# What the privacy scan looks for: an 18-character ID number (GB 11643-1999) or an 11-digit mobile.
ID_PATTERN = re.compile(r"\d{17}[\dXx]")
MOBILE_PATTERN = re.compile(r"1\d{10}")


def test_id_number_keeps_the_first_four_and_the_last_two():
    assert mask_id_number("430104198001010014") == "4301************14"
    assert mask_id_number("11010519491231002X") == "1101************2X"


def test_a_value_masked_by_the_old_mask_is_masked_again_to_the_new_form():
    assert mask_id_number("4301**********0014") == "4301************14"


def test_mobile_keeps_the_first_three_and_the_last_four():
    assert mask_mobile("13812345678") == "138****5678"


@pytest.mark.parametrize("mask", [mask_id_number, mask_mobile])
@pytest.mark.parametrize("empty", [None, ""])
def test_empty_stays_empty(mask, empty):
    assert mask(empty) == ""


def test_legacy_15_digit_id_number():
    """GB 11643-1989 numbers: the same parts kept, the birth date hidden."""
    assert mask_id_number("430104800101001") == "4301*********01"


@pytest.mark.parametrize(("value", "masked"), [("12345", "*****"), ("43010419800101", "**************")])
def test_short_id_values_are_hidden_entirely(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(("value", "masked"), [("1381234", "*******"), ("0731-888888", "073****8888")])
def test_short_or_other_phone_values(value, masked):
    assert mask_mobile(value) == masked


def test_spaces_do_not_shift_what_is_hidden():
    assert mask_mobile("138 1234 5678") == "138****5678"
    assert mask_id_number(" 430104 19800101 0014 ") == "4301************14"


@property_test
@given(
    province=st.sampled_from(sorted(PROVINCES)),
    county=st.integers(0, 9999),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 1, 1)),
    sequence=st.integers(0, 999),
)
def test_a_masked_id_number_hides_the_birth_date_and_is_no_id_number(province, county, born, sequence):
    number = make_id_number(f"{province}{county:04d}", born, sequence)
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert (masked[:4], masked[-2:]) == (number[:4], number[-2:])
    assert f"{born:%Y%m%d}" not in masked
    assert not ID_PATTERN.search(masked)


@property_test
@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
def test_a_masked_mobile_is_no_mobile(mobile):
    masked = mask_mobile(mobile)
    assert (masked[:3], masked[3:7], masked[-4:]) == (mobile[:3], "****", mobile[-4:])
    assert not MOBILE_PATTERN.search(masked)
