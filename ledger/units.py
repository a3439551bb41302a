"""Quantities other than money, kept as exact integers like ``money`` keeps minor units: gold
weight in milligrams, fineness in parts per million, GPS coordinates in micro-degrees."""

from __future__ import annotations

from decimal import Decimal

#: Milligrams in a gram: weights are stored as whole milligrams.
MG_PER_GRAM = 1000

#: Parts per million in a whole: fineness 0.925 is stored as 925,000.
PPM = 1_000_000

#: Micro-degrees in a degree: coordinates are exact to 0.11 m.
MICRO = 1_000_000


def grams(mg: int) -> Decimal:
    """Milligrams as an exact number of grams (``60250`` -> ``60.250``)."""
    return Decimal(mg).scaleb(-3)


def milligrams(weight: Decimal) -> int:
    """Grams with at most 3 decimal places as whole milligrams."""
    return int(weight * MG_PER_GRAM)


def fraction(parts: int) -> Decimal:
    """Parts per million as the fraction they are (``925000`` -> ``0.925000``)."""
    return Decimal(parts).scaleb(-6)


def ppm(share: Decimal) -> int:
    """A fraction with at most 6 decimal places as parts per million."""
    return int(share * PPM)


def fine_mg(weight_mg: int, fineness_ppm: int) -> int:
    """Milligrams of fine gold in ``weight_mg`` of that fineness, rounded down."""
    return weight_mg * fineness_ppm // PPM


def degrees(micro: int) -> Decimal:
    """Micro-degrees as degrees (``1948000`` -> ``1.948000``)."""
    return Decimal(micro).scaleb(-6)


def micro_degrees(angle: Decimal) -> int:
    """Degrees with at most 6 decimal places as micro-degrees."""
    return int(angle * MICRO)
