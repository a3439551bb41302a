"""Limits, timeouts and intervals of the payout pipeline, one line each on why. Each can be
overridden by the configuration key (or environment variable) of the same name; durations
are seconds."""

#: How often a worker looks for payouts to send, stale claims and unknown payouts: a miner
#: waits seconds, not minutes, once her premium is approved.
PAYOUT_SCAN_INTERVAL = 5.0

#: Provider calls a payout may take in all (first try and retries after a retryable
#: refusal, a 5xx, an unreachable provider); then it stays ``failed`` for a coordinator.
PAYOUT_MAX_ATTEMPTS = 4

#: Waits before the retries of a retryable failure.
PAYOUT_RETRY_BACKOFF = (60.0, 300.0, 1800.0)

#: Provider request timeout, (connect, read). A read timeout means the payment may have gone
#: through: the payout becomes ``unknown`` and is settled by a status query, never resent.
PAYOUT_CONNECT_TIMEOUT = 5.0
PAYOUT_READ_TIMEOUT = 30.0

#: A ``submitted`` payout still not settled after this belongs to a dead worker: it becomes
#: ``unknown``. Longer than a whole provider call with margin.
PAYOUT_CLAIM_TIMEOUT = 120.0

#: How often an ``unknown`` payout's status is asked of the provider.
PAYOUT_QUERY_INTERVAL = 300.0

#: A payout ``unknown`` for longer than this is a flag for the coordinator (reconciliation).
PAYOUT_UNKNOWN_FLAG_HOURS = 24

#: Payouts one scan sends at most: a premium's few hundred miners in a few scans.
PAYOUT_BATCH = 100
