"""Payout tests: the fake M-Pesa API, an app pointed at it, a cooperative with an approved
mobile-money premium, and real worker processes."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger import db, gold
from ledger.models import Payout
from ledger.premiums.approve import approve
from ledger.premiums.plan import plan_premium
from payouts import jobs
from tests import factories, services
from tests.fake_mpesa import API_KEY, FakeMpesa
from tests.sms.conftest import Workers


def mpesa_config(fake: FakeMpesa) -> dict:
    return {
        "PAYOUT_BACKEND": "mpesa",
        "MPESA_API_URL": fake.url,
        "MPESA_API_KEY": API_KEY,
        "MPESA_PUBLIC_KEY": fake.keys.public_b64,
        "MPESA_SERVICE_PROVIDER_CODE": "000000",
        "PAYOUT_CONNECT_TIMEOUT": "1",
        "PAYOUT_READ_TIMEOUT": "1",
        "PAYOUT_RETRY_BACKOFF": "60,60,60",
        "PAYOUT_QUERY_INTERVAL": "60",
    }


@pytest.fixture
def fake():
    server = FakeMpesa().start()
    yield server
    server.stop()


@pytest.fixture
def app(database_url, redis_url, fake):
    yield from services.running_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SMS_BACKEND": "console",
            "CALLBACK_TOKEN": None,
            "SECRET_KEY": services.SECRET_KEY,
            **mpesa_config(fake),
        }
    )


def approved_premium(session, grams=("10", "30"), amount=40_00, method="mobile_money"):
    """A cooperative, miners who sold ``grams``, and an approved premium paid by ``method``."""
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    miners = [factories.member(session, roles="miner", coop=coop, site=site) for _ in grams]
    lot = None
    for miner, weight in zip(miners, grams, strict=True):
        lot = gold.record_purchase(
            session,
            miner=miner,
            site=site,
            weight_mg=gold.parse_grams(weight),
            price_per_gram=9550,
            currency="USD",
        ).lot.lot_number
    premium = plan_premium(
        session,
        cooperative=coop,
        amount=amount,
        currency="USD",
        basis="grams",
        lots=[lot],
        method=method,
    )
    approve(session, premium, approver=None, on=dt.date.today())
    session.commit()
    return coop, miners, premium


def payouts(session) -> list[Payout]:
    """Fresh rows, read in a transaction of their own (the jobs and workers write them)."""
    session.rollback()
    with Session(db.engine(), expire_on_commit=False) as fresh:
        rows = list(fresh.scalars(select(Payout).order_by(Payout.id)))
        fresh.expunge_all()
    return rows


def scan(session) -> dict:
    """The worker's periodic payout work, with the test's own transaction ended first."""
    session.rollback()
    return jobs.scan_payouts()


def due_now(session) -> None:
    """Every wait is over (a retry's backoff, an unknown payout's next status query)."""
    session.rollback()
    past = dt.datetime(2000, 1, 1)
    session.execute(
        update(Payout).where(Payout.next_attempt_at.is_not(None)).values(next_attempt_at=past)
    )
    session.commit()


@pytest.fixture
def workers(app, database_url, redis_url, fake, tmp_path):
    no_sms = SimpleNamespace(url="http://127.0.0.1:9/version1")  # the SMS go to the console
    group = Workers(database_url, redis_url, no_sms, tmp_path)
    group.env |= {k: str(v) for k, v in mpesa_config(fake).items()}
    group.env |= {
        "SMS_BACKEND": "console",
        "PAYOUT_SCAN_INTERVAL": "0.2",
        "PAYOUT_CLAIM_TIMEOUT": "2",
    }
    group.env |= {"PAYOUT_READ_TIMEOUT": "30", "PAYOUT_QUERY_INTERVAL": "0.2"}
    yield group
    group.stop_all()


@pytest.fixture
def session(app):
    """The test's session; the jobs use (and remove) their own, so it is closed at the end
    whatever transaction it holds."""
    own = db.session()
    yield own
    own.close()
