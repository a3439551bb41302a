"""``/metrics`` counts payouts by state and method, read from the books at each scrape."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from ledger.models import PayoutState as S
from tests.payouts.conftest import approved_premium, payouts


def payout_samples(client) -> dict[tuple[str, str], float]:
    answer = client.get("/metrics")  # no METRICS_TOKEN in these tests: open
    assert answer.status_code == 200
    found = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            if sample.name == "sanduku_payouts":
                found[(sample.labels["state"], sample.labels["method"])] = sample.value
    return found


def test_payouts_are_counted_by_state_and_method(session, client):
    assert payout_samples(client) == {}
    approved_premium(session, method="cash")
    assert [p.state for p in payouts(session)] == [S.PENDING, S.PENDING]
    assert payout_samples(client) == {("pending", "cash"): 2.0}
