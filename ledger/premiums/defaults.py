"""Defaults of premiums and payouts, one line each on why. Each can be overridden by the
configuration key (or environment variable) of the same name."""

from decimal import Decimal

#: A miner's premium below this is not paid: it is carried to her next premium. A payout of
#: a few cents costs more in a trip to the cooperative, or in mobile-money fees, than it
#: brings. Major units per currency.
PREMIUM_MIN_PAYOUT_USD = Decimal("0.50")
PREMIUM_MIN_PAYOUT_CDF = Decimal("1400")

#: Lots a premium may name, and miners one plan may hold: a season's export lots, a
#: cooperative's miners. Bounds the work of one request.
MAX_PREMIUM_LOTS = 50
MAX_PREMIUM_MINERS = 5000

#: Coordinators get the daily "premiums not fully paid" SMS at the first scan after this
#: local hour (07:00: before the cooperative's office opens, when they plan the day); the
#: scan runs hourly, and the SMS's cause names the local day, so it goes once a day.
REPORT_HOUR = 7
REPORT_SCAN_SECONDS = 3600
