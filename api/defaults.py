"""Limits of the coordinator API, one line each on why."""

#: Longest ``Idempotency-Key`` kept: a UUID is 36 characters; the column holds 80.
MAX_IDEMPOTENCY_KEY_LENGTH = 80

#: How long a stored answer is replayed: buyers retry within minutes or hours, not weeks.
IDEMPOTENCY_TTL_DAYS = 7

#: Deepest JSON nesting we read; our bodies are two levels deep, junk is refused early.
MAX_JSON_DEPTH = 8

#: Most member records in one meeting: groups have 10 to 25 members (30 is the usual cap).
MAX_MEETING_RECORDS = 100

#: Longest string read anywhere in a JSON body; every field has a tighter rule after.
MAX_STRING = 1000

#: Longest short free text (gender, dates).
MAX_SHORT_TEXT = 40

#: Largest declared monthly capacity of one artisanal site: a tonne is far beyond any.
MAX_SITE_CAPACITY_GRAMS = 1_000_000

#: A cycle may be set up ahead of time, but not further ahead than this many days.
MAX_CYCLE_START_AHEAD_DAYS = 366

#: Members listed per phone at most (a shared household phone has a handful).
MAX_MEMBERS_PER_PHONE = 50

#: Recent transactions shown on a statement.
STATEMENT_RECENT = 20
