"""Tests for the one-line value checks launchers run on their flags."""

import math

import numpy as np
import pytest

from spiral_acme import validation


@pytest.mark.parametrize("check, value, expected", [
    (validation.positive_int, 3, 3),
    (validation.positive_int, np.int64(1), 1),
    (validation.non_negative_int, 0, 0),
    (validation.finite_positive, 0.5, 0.5),
    (validation.finite_positive, 2, 2.0),
    (validation.finite_non_negative, 0.0, 0.0),
    (validation.canvas_width, 16, 16),
])
def test_accepts_and_normalises(check, value, expected):
  result = check("x", value)
  assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("check, value, message", [
    (validation.positive_int, 0, "num=0: expected an int >= 1"),
    (validation.positive_int, -3, "num=-3: expected an int >= 1"),
    (validation.positive_int, 2.0, "num=2.0: expected an int >= 1"),
    (validation.positive_int, True, "num=True: expected an int >= 1"),
    (validation.positive_int, None, "num=None: expected an int >= 1"),
    (validation.non_negative_int, -1, "num=-1: expected an int >= 0"),
    (validation.finite_positive, 0.0, "num=0.0: expected a finite number > 0"),
    (validation.finite_positive, math.nan,
     "num=nan: expected a finite number > 0"),
    (validation.finite_positive, math.inf,
     "num=inf: expected a finite number > 0"),
    (validation.finite_positive, "1", "num='1': expected a finite number > 0"),
    (validation.finite_non_negative, -0.1,
     "num=-0.1: expected a finite number >= 0"),
    (validation.canvas_width, 7,
     "num=7: expected a canvas width in pixels, an int >= 16"),
])
def test_rejects_with_one_line_naming_the_value(check, value, message):
  with pytest.raises(ValueError) as info:
    check("num", value)
  assert str(info.value) == message


def test_canvas_width_bounds():
  assert validation.canvas_width("w", 8, minimum=8) == 8
  with pytest.raises(ValueError, match=r"^w=4097: expected .* <= 4096$"):
    validation.canvas_width("w", 4097, maximum=4096)


def test_int_at_least():
  assert validation.int_at_least("n", 5, 5) == 5
  with pytest.raises(ValueError, match=r"^n=4: expected an int >= 5$"):
    validation.int_at_least("n", 4, 5)
