"""Reading numbers typed on a phone keypad.

A keypad has digits, ``*`` and ``#``. ``*`` separates replies in the gateway's ``text``, so
it cannot be a decimal point; ``#`` can (``12#5`` is 12.5), and a ``.`` or ``,`` is
accepted too for phones that have them. Whole numbers need no point at all: most gold is
weighed to a whole or half gram and most prices are whole dollars or francs.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ledger import gold, money
from ledger.defaults import MAX_PURCHASE_MG
from ledger.errors import LedgerError

_NUMBER = re.compile(r"^[0-9]{1,12}([.,#][0-9]{1,6})?$")


def decimal_text(raw: str, field: str) -> str:
    """``12#5`` -> ``12.5``; anything but digits with one decimal point is refused."""
    raw = raw.strip()
    if not _NUMBER.match(raw):
        raise LedgerError("bad_number", f"{field} must be a number", field)
    return raw.replace("#", ".").replace(",", ".")


def grams(raw: str) -> int:
    """A weight in grams (up to 3 decimals) as milligrams, within what one purchase may be."""
    mg = gold.parse_grams(decimal_text(raw, "weight_grams"))
    if mg > MAX_PURCHASE_MG:
        raise LedgerError("out_of_range", "weight is at most 10 kg", "weight_grams")
    return mg


def amount(raw: str, currency: str, field: str = "amount") -> int:
    """An amount in francs or dollars as minor units."""
    return money.to_minor(decimal_text(raw, field), currency, field)


def price_per_gram(raw: str, currency: str) -> int:
    return gold.price_to_minor(decimal_text(raw, "price_per_gram"), currency)


#: Fineness typed as thousandths (925) or as a fraction (0#925). Below 100 thousandths is
#: refused as a slip (a percentage typed, 92 for 920): gold is not sold at under 10 %.
MIN_FINENESS_PPM = 100_000


def fineness(raw: str) -> int:
    """Fineness as parts per million: ``925`` (thousandths) or ``0#925`` (a fraction)."""
    text = decimal_text(raw, "fineness")
    number = Decimal(text) if "." in text else Decimal(int(text)).scaleb(-3)
    ppm = gold.parse_fineness(number)
    if ppm is None or ppm < MIN_FINENESS_PPM:
        raise LedgerError("out_of_range", "fineness is 100 to 1000 thousandths", "fineness")
    return ppm


def whole(raw: str, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high``, or None."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def looks_like_phone(raw: str) -> bool:
    """Member numbers are short; a phone number has at least nine digits."""
    digits = raw.lstrip("+")
    return digits.isascii() and digits.isdigit() and len(digits) >= 9
