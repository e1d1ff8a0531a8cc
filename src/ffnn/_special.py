"""The complementary error function in NumPy, for the exact GELU (no SciPy in the core).

W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev approximations for the
error function", Math. Comp. 23, 1969; the SPECFUN routine CALERF), in three ranges of
``y = |x|``, each accurate to about one unit in the last place of a float64:

- ``y ≤ 0.46875``: ``erf(x) = x P₁(x²) / Q₁(x²)`` and ``erfc = 1 - erf``;
- ``0.46875 < y ≤ 4``: ``erfc(y) = e^{-y²} P₂(y) / Q₂(y)``;
- ``y > 4``: ``erfc(y) = e^{-y²} (1/√π - z P₃(z) / Q₃(z)) / y`` with ``z = 1/y²``;

and ``erfc(-y) = 2 - erfc(y)``. ``e^{-y²}`` is taken as ``e^{-s²} e^{-(y-s)(y+s)}`` with ``s``
``y`` rounded down to a sixteenth, so that the square loses no digits.
"""

from __future__ import annotations

import numpy as np

__all__ = ["erfc"]

_A = (
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
)
_B = (
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
_C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
)
_D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_P = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
)
_Q = (
    2.56852019228982242e00,
    1.87295284992346725e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_ONE_OVER_SQRT_PI = 5.6418958354775628695e-1


def _small(x: np.ndarray) -> np.ndarray:
    """``erfc(x)`` for ``|x| ≤ 0.46875``."""
    square = x * x
    numerator = _A[4] * square
    denominator = square
    for a, b in zip(_A[:3], _B[:3], strict=True):
        numerator = (numerator + a) * square
        denominator = (denominator + b) * square
    return 1.0 - x * (numerator + _A[3]) / (denominator + _B[3])


def _exp_minus_square(y: np.ndarray) -> np.ndarray:
    """``e^{-y²}`` without the rounding error of squaring ``y``."""
    s = np.trunc(y * 16.0) / 16.0
    return np.exp(-s * s) * np.exp(-(y - s) * (y + s))


def _middle(y: np.ndarray) -> np.ndarray:
    """``erfc(y)`` for ``0.46875 < y ≤ 4``."""
    numerator = _C[8] * y
    denominator = y
    for c, d in zip(_C[:7], _D[:7], strict=True):
        numerator = (numerator + c) * y
        denominator = (denominator + d) * y
    return _exp_minus_square(y) * (numerator + _C[7]) / (denominator + _D[7])


def _large(y: np.ndarray) -> np.ndarray:
    """``erfc(y)`` for ``y > 4`` (0 once ``e^{-y²}`` underflows)."""
    z = 1.0 / (y * y)
    numerator = _P[5] * z
    denominator = z
    for p, q in zip(_P[:4], _Q[:4], strict=True):
        numerator = (numerator + p) * z
        denominator = (denominator + q) * z
    tail = z * (numerator + _P[4]) / (denominator + _Q[4])
    with np.errstate(under="ignore"):
        return _exp_minus_square(y) * (_ONE_OVER_SQRT_PI - tail) / y


def erfc(x: np.ndarray) -> np.ndarray:
    """``erfc(x) = 1 - erf(x) = (2/√π) ∫ₓ^∞ e^{-t²} dt``, element-wise, in float64.

    Parameters
    ----------
    x : any shape; NaN stays NaN, ``erfc(-∞) = 2``, ``erfc(∞) = 0``.

    Returns
    -------
    float64 array of ``x``'s shape.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.abs(x)
    out = np.empty_like(y)
    small = y <= 0.46875
    middle = (y > 0.46875) & (y <= 4.0)
    large = y > 4.0  # NaN is in none of the three, and stays NaN below
    out[small] = _small(x[small])
    out[middle] = _middle(y[middle])
    with np.errstate(over="ignore", invalid="ignore"):
        out[large] = np.where(np.isinf(y[large]), 0.0, _large(y[large]))
    out[np.isnan(y)] = np.nan
    negative = (x < 0) & ~small
    out[negative] = 2.0 - out[negative]
    return out
