"""Measured on the demo's data: every page of every staff member answers, weighs at most
30 KB gzipped, and asks for nothing outside this server; the CSS and JavaScript together
weigh at most 60 KB gzipped and are cached for a year under hashed names."""

from __future__ import annotations

import gzip
import re

import pytest
from sqlalchemy import select

from console import assets, auth
from ledger import demo, logins
from ledger.models import Flag, Lot, Meeting, Member
from tests.console.conftest import flag_the_demo, login

HTML_LIMIT = 30 * 1024
ASSETS_LIMIT = 60 * 1024
#: Any URL that names a host: a page must load nothing from elsewhere.
FOREIGN = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.fixture
def demo_world(session):
    demo.seed(session)
    flag_the_demo(session)
    for member, password in demo.console_logins(session):
        logins.set_password(session, member, auth.hash_password(password))
    session.commit()
    return {m.name: m for m, _ in demo.console_logins(session)}


def pages(session) -> list[str]:
    member = session.scalar(select(Member).where(Member.name == "Esther Bahati"))
    lot = session.scalar(select(Lot))
    meeting = session.scalar(select(Meeting).order_by(Meeting.held_on.desc()))
    flag = session.scalar(select(Flag))
    return [
        "/console/",
        "/console/prices",
        "/console/groups",
        "/console/groups/UMOJA",
        "/console/groups/UMOJA/meeting",
        f"/console/groups/UMOJA/meetings/{meeting.id}",
        "/console/groups/UMOJA/share-out",
        "/console/groups/UMOJA/loans",
        f"/console/groups/UMOJA/members/{member.id}/leave",
        "/console/members",
        f"/console/members/{member.id}",
        "/console/members/import",
        "/console/purchases",
        "/console/flags",
        "/console/flags?status=open",
        f"/console/flags/{flag.id}",
        "/console/sites",
        "/console/sites/MGB-01",
        "/console/lots",
        f"/console/lots/{lot.lot_number}",
        f"/console/lots/{lot.lot_number}/record",
        "/console/reports",
        "/console/messages",
        "/console/messages/inbound",
    ]


def test_every_page_is_light_and_stays_on_this_server(client, session, demo_world):
    weights = {}
    for name, member in demo_world.items():
        client._cookies.clear()
        assert login(client, member, demo.CONSOLE_PASSWORDS[name]).status_code == 302
        for path in pages(session):
            answer = client.get(path)
            assert answer.status_code in (200, 404), (name, path, answer.status_code)
            assert not FOREIGN.search(answer.text), (name, path)
            assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
            size = len(gzip.compress(answer.data))
            weights[(name, path)] = size
            assert size <= HTML_LIMIT, (name, path, size)
    heaviest = max(weights.items(), key=lambda kv: kv[1])
    print(f"\nheaviest console page, gzipped: {heaviest[1]} bytes {heaviest[0]}")
    coordinator = [p for (who, p), _ in weights.items() if who == "Dieudonne Ukumu"]
    assert len(coordinator) == len(pages(session))  # the coordinator reaches every page
    for path in ("/console/reports", "/console/purchases?format=csv"):
        assert client.get(path).status_code == 200


def test_css_and_javascript_are_small_and_cached_for_a_year(client):
    total = 0
    for name in assets.FILES:
        answer = client.get(f"/console/static/{assets.HASHED[name]}")
        assert answer.status_code == 200
        assert "max-age=31536000" in answer.headers["Cache-Control"]
        assert "immutable" in answer.headers["Cache-Control"]
        total += len(gzip.compress(answer.data))
    print(f"\nconsole CSS and JavaScript, gzipped: {total} bytes")
    assert total <= ASSETS_LIMIT, total
    assert client.get("/console/static/htmx.min.js").status_code == 404  # hashed names only
