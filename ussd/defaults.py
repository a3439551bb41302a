"""Limits and timings of the USSD conversation, one line each on why."""

#: Session state lives a little longer than Africa's Talking's 180 s session, so a late
#: retry still finds its answer, and not much longer: a stale session holds a verified PIN.
SESSION_TTL_SECONDS = 200

#: Longest screen we send. The protocol allows 182 GSM-7 characters; some handsets and
#: networks cut earlier, so every screen is designed for 160.
MAX_SCREEN_CHARS = 160

#: Room kept free on every list page for a one-line error or notice above it, so page
#: boundaries do not move when an error is shown ("Saved for <first name>." is the longest).
MESSAGE_RESERVE_CHARS = 40
#: The same for lists that are only read: their one message is "No more." or "Invalid choice."
READ_ONLY_RESERVE_CHARS = 20

#: Answers kept per session for replaying gateway retries of recent requests.
REPLAY_DEPTH = 3

#: One request per session at a time: a retry arriving while the first is still being
#: answered waits this long for it (well inside AT's 15 s), then gets its stored answer.
LOCK_TIMEOUT_SECONDS = 10
LOCK_WAIT_SECONDS = 5

#: Longest ``text`` and ``sessionId`` we accept: a session of ~30 replies fits easily;
#: anything longer is not the gateway. A longer text is answered without being walked.
MAX_TEXT_CHARS = 1000
MAX_SESSION_ID_CHARS = 100

#: Most replies in one session's ``text``: AT's 180 s leave time for about 30; a text with
#: more is answered at once with a polite END, so the work per request stays bounded.
MAX_REPLIES = 30

#: Longest name shown in a list or on a confirmation screen; full names can be 80 chars.
NAME_CHARS = 20

#: How many of a miner's recent sales "My sales" pages through.
RECENT_SALES = 20

#: Navigation keys, the same on every screen (shown as a hint where they apply).
KEY_NEXT, KEY_BACK, KEY_HOME = "98", "0", "00"
