"""Small exact helpers shared by the indicators: ratios, averages of money, table rows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ledger.evidence.defaults import RATIO_PLACES
from ledger.money import major

#: People indicators are split by gender: everyone, women, men.
GENDERS = ("all", "F", "M")


def ratio(numerator: int | Fraction, denominator: int | Fraction) -> Decimal | None:
    """``numerator / denominator`` rounded half up to ``RATIO_PLACES``; None when it has no
    meaning (nothing to divide by)."""
    if not denominator:
        return None
    exact = Fraction(numerator) / Fraction(denominator)
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return value.quantize(Decimal(1).scaleb(-RATIO_PLACES), rounding=ROUND_HALF_UP)


def per(total_minor: int, count: int) -> int | None:
    """An average in whole minor units, rounded half up; None over nobody."""
    if not count:
        return None
    exact = Fraction(total_minor, count)
    return int(
        (Decimal(exact.numerator) / Decimal(exact.denominator)).to_integral_value(ROUND_HALF_UP)
    )


def money(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else major(minor, currency)


@dataclass(frozen=True)
class Row:
    """One line of the CSV report: a value of an indicator for a scope, period and gender."""

    section: str
    scope: str
    period: str
    indicator: str
    gender: str
    value: object
    unit: str


COLUMNS = ("section", "scope", "period", "indicator", "gender", "value", "unit")


def rows_of(
    section: str,
    scope: str,
    period: str,
    values: Mapping[str, object],
    units: Mapping[str, str],
    currency: str | None = None,
) -> Iterator[Row]:
    """Rows for a dict of indicators: a gender dict gives one row per gender, anything else
    one row for everyone. Units named ``money`` become the currency."""
    for name, value in values.items():
        if name not in units:
            continue
        unit = units[name]
        if currency:
            unit = unit.replace("money", currency)
        if isinstance(value, Mapping):
            for gender in GENDERS:
                if gender in value:
                    yield Row(section, scope, period, name, gender, value[gender], unit)
        else:
            yield Row(section, scope, period, name, "all", value, unit)
