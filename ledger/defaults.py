"""Bounds and defaults of the books, one line each on why."""

import datetime as dt

#: Largest amount in minor units one movement may carry: 10 billion FC (about 3.5 M USD).
#: Nothing a savings group or a cooperative buyer records comes near it; a typo does.
MAX_AMOUNT_MINOR = 10_000_000_000 * 100

#: Largest single gold purchase: 10 kg. An artisanal miner sells grams, not bars.
MAX_PURCHASE_MG = 10_000_000

#: Largest price per gram in minor units: 1,000 USD or 10 M FC per gram, several times spot.
MAX_PRICE_PER_GRAM_MINOR = {"USD": 1_000_00, "CDF": 10_000_000_00}

#: VSLA methodology: members buy 1 to 5 shares per meeting.
DEFAULT_MAX_SHARES = 5

#: VSLA methodology: loans up to 3x the member's savings.
DEFAULT_LOAN_CAP_MULTIPLE = 3

#: VSLA methodology: loan terms of at most 3 months.
DEFAULT_MAX_LOAN_TERM_MONTHS = 3

#: Ledger Link's charge period: a service charge accrues at the start of every 30 days.
CHARGE_PERIOD_DAYS = 30

#: Portfolio at risk counts loans more than this many days past due (Mifos convention).
PAR_DAYS = 30

#: Earliest and latest day the books accept from anyone: they start in this century and a
#: later year is a typo. The bound keeps every date sum downstream (the day after, a
#: 30-day period, a year-long cycle) far from Python's year 9999.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)

#: Longest name, code or reference we store; longer input is refused, not cut.
MAX_NAME_LENGTH = 80
MAX_CODE_LENGTH = 32

#: Currencies the books keep, with their ISO 4217 minor-unit exponent.
CURRENCIES = {"CDF": 2, "USD": 2}

#: Languages a member can choose (English is the source language and the fallback): the one
#: list, which ``locales`` (catalogs, names), the API and the USSD language menu read. Append a
#: new one at the end: the menu numbers members know follow this order.
LANGUAGES = ("sw", "ln", "fr", "en")

#: The deployment's time zone (Ituri): local days and times are shown and counted in it. The
#: default of ``SANDUKU_TZ``; everything else gets the zone from the configuration.
TIME_ZONE = "Africa/Lubumbashi"
#: A new member's language until they choose one: Congolese Swahili, Ituri's lingua franca.
DEFAULT_LANGUAGE = "sw"

#: Region used to read phone numbers written without a country code.
DEFAULT_PHONE_REGION = "CD"

#: Digits of a one-time enrolment code: a million codes, and the PIN lockout (three wrong
#: tries) leaves a guesser a chance in 333,000 per half hour.
ENROLMENT_CODE_DIGITS = 6

#: How long an enrolment code stays valid: the officer hands it over at or after a meeting,
#: and the member dials the same day or the next.
ENROLMENT_CODE_HOURS = 24

#: ICGLR mine-site status: a green inspection is valid this many months, then the site
#: counts as blue (not inspected) until inspected again.
GREEN_VALID_MONTHS = 12

#: A yellow site's deadline to fix its problems when the inspection gives none (3 months is
#: the usual reading of ICGLR practice): the day after it, the site counts as red.
YELLOW_DEADLINE_MONTHS = 3

#: The coordinators are told by SMS this many days before a yellow site's deadline.
SITE_DEADLINE_WARNING_DAYS = 14

#: A site that turned red more than this many days ago is not announced any more (a worker
#: that was down catches up; a site red for years before alerts existed is not news).
SITE_ALERT_WINDOW_DAYS = 7

#: Longest incident report kept (characters): a long SMS of several segments, or a few USSD
#: screens; beyond it the text is cut, never refused (a report by SMS cannot be corrected).
MAX_INCIDENT_TEXT = 1000

#: Incident reports by SMS accepted from one phone in 24 hours: enough for a witness with
#: much to say, and a forged flood of reports raises no more than this many flags a day.
INCIDENTS_PER_PHONE_DAY = 10
