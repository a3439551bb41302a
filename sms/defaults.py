"""Limits, timeouts, batch sizes and intervals of the SMS pipeline, one line each on why.

Each can be overridden by the configuration key (or environment variable) of the same name;
durations are seconds.
"""

#: Recipients per gateway request for a broadcast: AT documents no cap; 500 keeps a request
#: well under a second of gateway work and a failed request cheap to retry.
SMS_BATCH_SIZE = 500

#: Personal messages (receipts, reminders, replies) per RQ job: one request each, many per
#: job, so a broadcast of reminders does not pay a job's overhead per SMS.
SMS_PERSONAL_PER_JOB = 50

#: Gateway requests of a broadcast (each of SMS_BATCH_SIZE recipients) per RQ job: RQ's own
#: work for a job (a dozen Redis round trips) is then paid once per 2,000 recipients, and a
#: 100,000-member broadcast is still 50 jobs for the workers to share. Each request is
#: claimed on its own, so a worker killed mid-job sends nothing twice; the job's requests not
#: yet claimed are enqueued again when their lease (SMS_QUEUED_LEASE) runs out.
SMS_BROADCAST_REQUESTS_PER_JOB = 4

#: How often the relay looks for pending rows (and stale claims): "every few seconds" keeps a
#: message written while Redis was down from waiting long once it is back.
SMS_RELAY_INTERVAL = 2.0

#: Rows the relay hands to RQ per query; it loops until none are left.
SMS_RELAY_CHUNK = 20_000
#: Members a broadcast is written out for per transaction (one INSERT ... SELECT a language):
#: large enough that 100,000 members are a few seconds' work, small enough that a worker
#: killed mid-way loses little and another worker is not kept waiting long.
SMS_BROADCAST_BATCH = 10_000

#: How often due meeting reminders are looked for: reminders are to the hour, not the second.
SMS_REMINDER_INTERVAL = 60.0

#: Gateway request timeout, (connect, read): the SDK's own default is (3.05, 9.05); a read
#: timeout means the request may have been processed, so the rows become ``unknown``.
SMS_CONNECT_TIMEOUT = 3.05
SMS_READ_TIMEOUT = 10.0

#: Retryable failures (405 insufficient balance, 402, 5xx, connection refused) are retried
#: after these delays, then the message is failed with the reason.
SMS_RETRY_BACKOFF = (30.0, 120.0, 600.0)

#: A queued row whose job has not claimed it by then is enqueued again (Redis lost the job).
SMS_QUEUED_LEASE = 300.0

#: A sending row still not settled after this belongs to a dead worker: it becomes
#: ``unknown``. Longer than a whole gateway call (connect + read timeouts) with margin.
SMS_CLAIM_TIMEOUT = 60.0

#: How long an ``unknown`` row waits for a delivery report to settle it before it is sent
#: again (see the README: a duplicate receipt is better than a lost one). Delivery reports
#: usually arrive within minutes.
SMS_UNKNOWN_GRACE = 1800.0

#: A price broadcast not handed to the gateway within this is dropped (failed, "expired"):
#: yesterday's price read as today's misleads a miner more than no SMS at all.
SMS_PRICE_TTL = 6 * 3600.0

#: RQ job timeout: a job of personal messages makes up to SMS_PERSONAL_PER_JOB calls, but
#: stops at the first gateway trouble, so this is never reached in normal work.
SMS_JOB_TIMEOUT = 900

#: The RQ queue every SMS job goes to.
SMS_QUEUE = "sms"

#: Keep finished job results only briefly: the database holds the outcome.
SMS_RESULT_TTL = 600

#: Replies to inbound SMS per phone and hour at most: a member asks a few times; a loop
#: with an auto-responder, or a forged flood, then costs us nothing beyond the limit.
SMS_REPLIES_PER_HOUR = 5

#: A delivery report that matches no message is tried again after these delays (it may
#: have overtaken the commit of its send), then kept only as a trace until purged.
SMS_REPORT_RETRY = (10.0, 60.0)

#: How often the retention purge runs: daily would do; hourly keeps each purge small.
SMS_PURGE_INTERVAL = 3600.0

#: Days an idempotency answer is kept: the API replays it for 7 days, then refuses it.
SMS_KEEP_IDEMPOTENCY_DAYS = 7

#: Days a settled SMS (sent, delivered, failed, rejected) and an inbound SMS are kept: long
#: enough to answer a member's or a coordinator's question about last season's messages,
#: not years of phone numbers and texts. Receipts keep their status (receipt indicators)
#: without the phone number and the text.
SMS_KEEP_MESSAGES_DAYS = 180
SMS_KEEP_INBOUND_DAYS = 180

#: Days an unmatched delivery report is kept as a trace, and how many at most: a week is
#: enough to look into a gateway that reports ids we never had; a flood cannot grow the table.
SMS_KEEP_UNMATCHED_DAYS = 7
SMS_UNMATCHED_MAX = 100_000

#: How often a worker reads the SMS account's balance (Africa's Talking's application data).
SMS_BALANCE_INTERVAL = 900.0
#: Under this balance (in the account's currency) the balance is "low": the metric
#: ``sanduku_sms_balance_low`` is 1 and every coordinator gets one SMS, before sends start
#: failing with 405 (insufficient balance). 0 turns the alert off.
SMS_BALANCE_LOW = 5.0
