"""Thresholds of the evidence layer, one line each on why. Override per deployment through
the app config keys named in ``settings.CONFIG_KEYS`` (environment variables of the same
name)."""

from decimal import Decimal

#: A site's estimated capacity is a monthly figure; the issue compares it with the last 30 days.
CAPACITY_WINDOW_DAYS = 30

#: Flag a site when its 30-day grams exceed capacity x this. 1.0: any excess over the estimate
#: is worth a look; raise it where capacity estimates are known to be rough.
CAPACITY_TOLERANCE = Decimal("1.0")

#: Flag a miner whose month at a site exceeds this multiple of the site's median miner: three
#: times the median is far outside what one digger produces next to the others.
OUTLIER_MULTIPLE = Decimal("3")

#: A median of fewer miners says nothing about the site: compare only with this many sellers.
OUTLIER_MIN_MINERS = 3

#: Flag a price per gram above the posted price x this: 20 % above the day's price is more
#: than haggling and pays for gold carried in from elsewhere.
PRICE_MULTIPLE = Decimal("1.2")

#: Flag a price per gram below the posted price x (1 - this): a miner paid more than 5 % under
#: the day's price is being cheated (or the gold is worse than the buyer says: ask).
UNDERPAYMENT_TOLERANCE = Decimal("0.05")

#: A posted price older than this is not "the price of the day" (the DRC reference is weekly).
PRICE_MAX_AGE_DAYS = 7

#: Days the periodic scan looks back: a capacity window, so a late purchase reaches every
#: window it belongs to.
SCAN_DAYS = 31

#: Meetings the attendance rate averages over (DreamSave: the last 4 meetings).
ATTENDANCE_MEETINGS = 4

#: Decimal places of ratios in reports (0.8125 = 81.25 %).
RATIO_PLACES = 4

#: Months of gold purchases a report covers when no period is given.
REPORT_MONTHS = 12

#: ICGLR MD.12: gold's HS code, the unit of mass (UN/ECE Rec. 20 grams), the country code.
HS_GOLD = "7108.12"
MASS_UNIT = "GRM"
COUNTRY = "CD"

#: How often a worker rescans recent purchases for flags: hourly is plenty, since every
#: purchase is also flagged when it is recorded.
SCAN_INTERVAL_SECONDS = 3600.0

#: How often the cooperative's coordinators get the SMS digest of new flags: at most hourly.
DIGEST_INTERVAL_SECONDS = 3600.0
