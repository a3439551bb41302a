"""A small world for the console: two cooperatives, two groups, and a staff member with a
password for every scope. ``login`` logs a test client in as one of them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from flask import g
from flask.testing import FlaskClient

from console import auth
from ledger import logins
from tests import factories

PASSWORD = "correct horse battery"
#: Scope name -> (roles, which group, which cooperative).
STAFF = {
    "coordinator": "member,coordinator",
    "officer": "member,officer",
    "officer_other": "member,officer",
    "buyer": "member,buyer",
    "buyer_other": "member,buyer",
}


@dataclass
class World:
    coop: object
    other_coop: object
    site: object
    group: object
    other_group: object
    members: list
    outsider: object
    staff: dict = field(default_factory=dict)


@pytest.fixture
def world(session) -> World:
    start = dt.date.today() - dt.timedelta(days=21)
    coop = factories.cooperative(session)
    other_coop = factories.cooperative(session, "COOPMAMBASA", "Cooperative de Mambasa")
    site = factories.site(session, coop, "SITE1")
    group = factories.group(session, coop, "VSLA1", cycle_start=start)
    other_group = factories.group(session, other_coop, "VSLA2", cycle_start=start)
    members = [factories.member(session, group, name=f"Amani {n}") for n in "ABC"]
    outsider = factories.member(session, other_group, name="Outsider Lokwa")
    w = World(coop, other_coop, site, group, other_group, members, outsider)
    places = {
        "coordinator": {"coop": coop},
        "officer": {"grp": group},
        "officer_other": {"grp": other_group},
        "buyer": {"coop": coop},
        "buyer_other": {"coop": other_coop},
    }
    for name, roles in STAFF.items():
        person = factories.member(session, roles=roles, name=f"Staff {name}", **places[name])
        logins.set_password(session, person, auth.hash_password(PASSWORD))
        w.staff[name] = person
    session.commit()
    return w


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token in the page"
    return found[1]


def fresh() -> None:
    """Forget what Flask-WTF and Flask-Login keep on ``g``: the tests' app context outlives
    each request, where a server's would not."""
    for name in ("csrf_token", "_login_user"):
        g.pop(name, None)


class Client(FlaskClient):
    """A test client whose every request starts with a clean ``g``, as on a server."""

    def open(self, *args, **kwargs):
        fresh()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


def login(client, person, password: str = PASSWORD):
    page = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"phone": person.phone, "password": password, "csrf_token": csrf(page.text)},
    )


@pytest.fixture
def as_(client, world):
    """``as_("officer")``: the client, logged in as that staff member."""

    def log_in(name: str):
        client._cookies.clear()
        answer = login(client, world.staff[name])
        assert answer.status_code == 302, answer.text
        return client

    return log_in


@dataclass
class Gold:
    """Two open lots of the world's cooperative (two sites), one of the other's, and a flag."""

    lots: list
    other_lot: object
    flag: object


@pytest.fixture
def gold(session, world) -> Gold:
    import json

    from ledger import gold as books
    from ledger.models import Flag, FlagKind

    second = factories.site(session, world.coop, "SITE2")
    far = factories.site(session, world.other_coop, "SITE9")
    made = []
    for site in (world.site, second, far):
        miner = factories.member(session, roles="member,miner", site=site, coop=site.cooperative)
        made.append(
            books.record_purchase(
                session,
                miner=miner,
                site=site,
                weight_mg=2_500,
                price_per_gram=95_00,
                currency="USD",
                fineness_ppm=900_000,
            ).lot
        )
    flag = Flag(
        kind=FlagKind.SITE_CAPACITY,
        key=f"site_capacity:{world.site.id}:test",
        cooperative_id=world.coop.id,
        site_id=world.site.id,
        day=dt.date.today(),
        reason="SITE1: 3200 g in 30 days, capacity 3000 g",
        details=json.dumps({"grams_30_days": "3200.000", "capacity_grams": "3000.000"}),
    )
    session.add(flag)
    session.commit()
    return Gold(made[:2], made[2], flag)


def flag_the_demo(session):
    """A purchase at the demo's site not yet inspected (IGA-02): the books flag it, so the
    demo has a flag to review. Returns the flags it raised."""
    from sqlalchemy import select

    from ledger import gold as books
    from ledger.codes import by_code
    from ledger.evidence import flags
    from ledger.models import Member, Site

    site = by_code(session, Site, "IGA-02")
    miner = session.scalar(select(Member).where(Member.name == "Jean-Pierre Lokwa"))
    purchase = books.record_purchase(
        session, miner=miner, site=site, weight_mg=1_200, price_per_gram=95_50, currency="USD"
    )
    found = flags.flags_for_purchase(session, purchase)
    assert found, "the purchase at a site not inspected raised no flag"
    return found
