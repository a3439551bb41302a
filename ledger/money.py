"""Money as integer minor units plus an ISO currency code; decimal quantities without floats.

Inputs arrive as ints, digit strings or ``Decimal`` (the API parses JSON numbers to
``Decimal``); a ``float`` is refused everywhere, so binary rounding never reaches the books.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ledger.defaults import CURRENCIES, MAX_AMOUNT_MINOR
from ledger.errors import LedgerError


def check_currency(currency: object, field: str = "currency") -> str:
    if not isinstance(currency, str) or currency.upper() not in CURRENCIES:
        raise LedgerError("bad_currency", f"currency must be one of {', '.join(CURRENCIES)}", field)
    return currency.upper()


def exponent(currency: str) -> int:
    return CURRENCIES[currency]


def to_decimal(value: object, field: str, places: int) -> Decimal:
    """Read an exact decimal with at most ``places`` decimal places."""
    if isinstance(value, bool | float):
        raise LedgerError("bad_number", f"{field} must be a number written exactly", field)
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str) and 0 < len(value.strip()) <= 32:
        try:
            number = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            raise LedgerError("bad_number", f"{field} must be a number", field) from None
    else:
        raise LedgerError("bad_number", f"{field} must be a number", field)
    if not number.is_finite():
        raise LedgerError("bad_number", f"{field} must be a number", field)
    if number and number.adjusted() >= 18:  # abs() would overflow on 1E+999999999
        raise LedgerError("too_large", f"{field} is larger than any real amount", field)
    if number != number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):
        raise LedgerError("too_precise", f"{field} takes at most {places} decimal places", field)
    return number


def to_minor(value: object, currency: str, field: str = "amount") -> int:
    """A positive amount in major units (francs, dollars) as integer minor units."""
    number = to_decimal(value, field, exponent(currency))
    minor = int(number.scaleb(exponent(currency)))
    check_amount(minor, field)
    return minor


def check_amount(minor: object, field: str = "amount") -> int:
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise LedgerError("bad_number", f"{field} must be a whole number of minor units", field)
    if minor <= 0:
        raise LedgerError("not_positive", f"{field} must be more than zero", field)
    if minor > MAX_AMOUNT_MINOR:
        raise LedgerError("too_large", f"{field} is larger than any real amount", field)
    return minor


def major(minor: int, currency: str) -> Decimal:
    """Minor units back to an exact major-unit ``Decimal`` (for JSON and display)."""
    return Decimal(minor).scaleb(-exponent(currency))


def round_half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))
