"""The USSD yardstick: the least a correct implementation of the member's walk (main menu,
``1``, PIN, "My savings") must do per hop, in Flask under the same gunicorn configuration as
sanduku: ``gunicorn bench.lean:app``.

Per hop: one Redis read and one write of the session (JSON, with an expiry), one indexed SQL
read of the caller by phone (psycopg, no ORM; the same statement brings the group and the
savings the last screen shows), and on the PIN hop the keyed hash (HMAC-SHA256) of
``ledger.pins``. No lock, no replay marks, no translation, no failure counting (a right PIN
writes nothing): a floor, not a product. It reads the same database sanduku's benchmark
seeds, with the same ``DATABASE_URL``, ``REDIS_URL`` and ``SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import psycopg
import redis
from flask import Flask, Response, request

app = Flask(__name__)

TTL = 180
MENU = "CON Sanduku: {name}\n1 My savings\n2 My loan\n3 Gold prices\n4 My sales\n5 Next meeting"
SAVINGS = "CON {group}\nShares: {shares}\nSavings: {savings:,} {cur}\nSocial fund: {social:,} {cur}"

#: The caller, their group and what the savings screen shows, in one indexed read.
MEMBER = """
SELECT m.id, m.name, m.pin_hash, g.name, g.currency, h.shares, sa.balance, so.balance
FROM members m
LEFT JOIN groups g ON g.id = m.group_id
LEFT JOIN cycles c ON c.group_id = g.id AND c.closed_at IS NULL
LEFT JOIN holdings h ON h.cycle_id = c.id AND h.member_id = m.id
LEFT JOIN accounts sa ON sa.member_id = m.id AND sa.kind = 'savings' AND sa.group_id = g.id
LEFT JOIN accounts so
  ON so.member_id = m.id AND so.kind = 'social_contributions' AND so.group_id = g.id
WHERE m.phone = %s AND m.status = 'active'
ORDER BY m.id
LIMIT 1
"""

_conn: dict[str, object] = {}


def _pg() -> psycopg.Connection:
    conn = _conn.get("pg")
    if conn is None or conn.closed:
        conn = _conn["pg"] = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return conn


def _redis() -> redis.Redis:
    client = _conn.get("redis")
    if client is None:
        client = _conn["redis"] = redis.Redis.from_url(os.environ["REDIS_URL"])
    return client


def _pin_key() -> bytes:
    key = _conn.get("pin_key")
    if key is None:
        secret = os.environ["SECRET_KEY"].encode()
        key = _conn["pin_key"] = hmac.new(secret, b"ledger.pins", hashlib.sha256).digest()
    return key


def pin_matches(pin: str, stored: str | None, member_id: int) -> bool:
    """``ledger.pins``' keyed hash, inlined: HMAC over the length-prefixed salt, id and PIN."""
    if not stored or not stored.startswith("hmac-sha256$"):
        return False
    _scheme, salt, digest = stored.split("$")
    mac = hmac.new(_pin_key(), b"pin", hashlib.sha256)
    for raw in (bytes.fromhex(salt), str(member_id).encode(), pin.encode()):
        mac.update(len(raw).to_bytes(4, "big") + raw)
    return hmac.compare_digest(mac.digest(), bytes.fromhex(digest))


def _answer(session_id: str, phone: str, text: str) -> str:
    client = _redis()
    key = "lean:" + session_id
    raw = client.get(key)
    state = json.loads(raw) if raw else {"read": 0, "pin_ok": False}
    row = _pg().execute(MEMBER, (phone,)).fetchone()
    if row is None:
        return "END This number is not registered."
    member_id, name, pin_hash, group, currency, shares, savings, social = row
    last = text.rsplit("*", 1)[-1] if text else ""
    if text == "":
        reply = MENU.format(name=name.split()[0])
    elif text == "1":
        reply = "CON Enter your PIN:\n0 Back 00 Menu"
    elif text.startswith("1*") and pin_matches(last, pin_hash, member_id):
        state["pin_ok"] = True
        reply = SAVINGS.format(
            group=group,
            shares=shares or 0,
            savings=-(savings or 0) // 100,
            social=-(social or 0) // 100,
            cur="FC" if currency == "CDF" else currency,
        )
    else:
        reply = "CON Wrong PIN.\nEnter your PIN:"
    state["read"] = len(text)
    client.set(key, json.dumps(state), ex=TTL)
    return reply


@app.post("/ussd")
def ussd() -> Response:
    form = request.form
    reply = _answer(form.get("sessionId", ""), form.get("phoneNumber", ""), form.get("text", ""))
    return Response(reply, mimetype="text/plain")


@app.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")
