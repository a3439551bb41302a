"""Thousands of generated requests — near-valid bodies with a few fields spoiled, wild JSON,
raw bytes, odd paths, methods and headers — and not one 5xx or non-JSON answer."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from api.routes import ROUTES
from tests.api.conftest import ROLES, check_answer

#: Examples per test and database: 2 tests x 1,000 x 2 databases = 4,000 requests a run.
EXAMPLES = 1000

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FIELDS = sorted(
    {
        "code",
        "name",
        "cooperative",
        "currency",
        "share_value",
        "social_fund_contribution",
        "service_charge_rate",
        "service_charge_method",
        "loan_cap_multiple",
        "max_shares",
        "max_loan_term_months",
        "meeting_weekday",
        "meeting_time",
        "cycle_start",
        "site",
        "capacity_grams_per_month",
        "status",
        "lat",
        "lon",
        "phone",
        "gender",
        "language",
        "group",
        "roles",
        "id_document",
        "opted_out",
        "date",
        "present",
        "records",
        "member_id",
        "shares",
        "social_fund",
        "loan",
        "loan_term_months",
        "repayment",
        "fine",
        "grant",
        "miner",
        "miner_id",
        "weight_grams",
        "fineness",
        "price_per_gram",
        "lot",
        "usd_per_gram",
        "cdf_per_gram",
    }
)

ODD_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "1e400",
    "-1e400",
    "1E+999999999",
    "NaN",
    "Infinity",
    "0.000001",
    "99999999999999999999999",
    "VSLA1",
    "COOPBUNIA",
    "SITE1",
    "REDSITE",
    "+243810000001",
    "0812345678",
    "2025-01-06",
    "2025-02-30",
    "9999-12-31",
    "0001-01-01",
    "15:00",
    "24:60",
    "green",
    "red",
    "flat",
    "F",
    "M",
    "sw",
    "USD",
    "CDF",
    "officer",
    "coordinator",
    "a\u0000b",
    "\ud800",
    "é" * 90,
    "x" * 2000,
    "<script>",
    "'; DROP TABLE members; --",
    "../../etc/passwd",
    "%00",
    "\u202e",
]

#: Dates a client may send: out of range, malformed, at the edges of what Python holds.
EXTREME_DATES = [
    "9999-12-31",
    "9999-12-30",
    "0001-01-01",
    "1999-12-31",
    "2101-01-01",
    "3000-02-28",
    "10000-01-01",
    "+2025-01-06",
    "-2025-01-06",
    "2025-02-30",
    "2025-13-01",
    "2025-00-10",
    "20250106",
    "2025-W02-1",
    "2025-1-6",
    "2025-01-06T00:00:00",
    "२०२५-०१-०६",  # Devanagari digits: str.isdigit() says yes
    "",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.integers(min_value=-3, max_value=12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(ODD_TEXT)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=12,
)


def templates(world) -> dict[tuple[str, str], dict]:
    """A valid body for each writing route: the starting point that gets spoiled."""
    phone = world.members[0].phone
    return {
        ("POST", "/cooperatives"): {"code": "CX", "name": "Coop X"},
        ("POST", "/sites"): {
            "code": "SX",
            "name": "Mine X",
            "cooperative": "COOPBUNIA",
            "capacity_grams_per_month": "100",
            "status": "green",
            "lat": "1.5",
            "lon": "30.1",
        },
        ("POST", "/groups"): {
            "code": "GX",
            "name": "Group X",
            "cooperative": "COOPBUNIA",
            "currency": "CDF",
            "share_value": 1000,
            "social_fund_contribution": 200,
            "service_charge_rate": "0.1",
            "meeting_weekday": 1,
            "meeting_time": "15:00",
            "cycle_start": "2025-01-06",
        },
        ("POST", "/groups/<code>/meetings"): {
            "date": "2025-01-06",
            "present": [phone],
            "records": [{"phone": phone, "shares": 1, "social_fund": 200}],
        },
        ("POST", "/groups/<code>/share-out"): {"date": "2025-06-30"},
        ("POST", "/members"): {"phone": "0812345678", "name": "Neema", "gender": "F"},
        ("PATCH", "/sites/<code>"): {"status": "yellow"},
        ("PATCH", "/members/<phone>"): {"language": "fr"},
        ("POST", "/purchases"): {
            "miner": world.miner.phone,
            "site": "SITE1",
            "weight_grams": "2.5",
            "price_per_gram": "95.5",
            "currency": "USD",
            "fineness": "0.9",
        },
        ("POST", "/prices"): {"cooperative": "COOPBUNIA", "usd_per_gram": "95.5"},
        ("POST", "/groups/<code>/expenses"): {"amount": 300, "memo": "stationery"},
        ("POST", "/loans/<loan_id>/write-off"): {"reason": "gone"},
        ("POST", "/groups/<code>/meetings/<meeting_id>/records/<member_id>/reverse"): {
            "reason": "typed twice"
        },
        ("POST", "/groups/<code>/meetings/<meeting_id>/cash-count"): {
            "loan_fund": "0",
            "social_fund": "0",
        },
        ("POST", "/premiums"): {
            "cooperative": "COOPBUNIA",
            "amount": "10",
            "currency": "USD",
            "basis": "grams",
        },
        ("PATCH", "/flags/<flag_id>"): {"status": "confirmed"},
        ("POST", "/lots/<lot_number>/seal"): {"tag": "T1", "nr_of_packages": 1},
        ("POST", "/lots/<lot_number>/ship"): {"exporter": 1, "package_type": "bag"},
        ("POST", "/taxes"): {
            "lot": "L1",
            "place": "site",
            "amount": "2.50",
            "currency": "USD",
            "payee": "SAEMAPE",
            "receipt_number": "S-1",
        },
        ("POST", "/exporters"): {"name": "Comptoir", "licence": "E-1", "country": "CD"},
        ("POST", "/refiners"): {"name": "Affinerie", "licence": "R-1", "country": "AE"},
        ("PATCH", "/incidents/<incident_id>"): {"status": "confirmed"},
    }


path_values = st.sampled_from(
    ["VSLA1", "VSLA2", "NOPE", "+243810000001", "0812345678", "R1", "%ff", "a%20b", "..", "x" * 300]
) | st.text(alphabet=string.ascii_letters + string.digits + "+-_.~%", min_size=1, max_size=20)


def fill(rule: str, values: list[str]) -> str:
    path = rule
    for name in ("<code>", "<phone>", "<receipt_number>"):
        if name in path:
            path = path.replace(name, values.pop(0) if values else "X")
    return "/api/v1" + path


#: What an HTTP header can carry (no line breaks: no client can send them).
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=100)

headers_strategy = st.fixed_dictionaries(
    {},
    optional={
        "Authorization": st.sampled_from([f"role:{r}" for r in ROLES])
        | header_text.map(lambda t: "Bearer " + t)
        | st.sampled_from(["", "Bearer", "Basic abc"]),
        "Idempotency-Key": header_text | st.sampled_from(["k1", "k2", "\u00e9"]),
        "Content-Type": st.sampled_from(
            ["application/json", "text/plain", "text/csv", "multipart/form-data", "", "x/y"]
        ),
    },
)


def send(client, world, method, path, headers, data):
    sent = dict(headers)
    auth = sent.get("Authorization", "role:coordinator")
    if auth.startswith("role:"):
        sent["Authorization"] = f"Bearer {world.tokens[auth[5:]]}"
    content_type = sent.pop("Content-Type", "application/json")
    try:
        answer = client.open(
            path, method=method, data=data, headers=sent, content_type=content_type
        )
    except UnicodeEncodeError:
        return  # the test client cannot send it; no real client could either
    check_answer(answer)
    event(f"status {answer.status_code}")  # pytest --hypothesis-show-statistics


WRITES = [r for r in ROUTES if r.method in ("POST", "PATCH") and r.body is not None]

#: Mostly a real token and JSON, so most requests get past the door to the rules.
usual_headers = st.fixed_dictionaries(
    {
        "Authorization": st.sampled_from(
            ["role:coordinator"] * 6 + [f"role:{r}" for r in ROLES] + ["Bearer nope"]
        )
    },
    optional={"Idempotency-Key": st.sampled_from(["k1", "k2", "k3"])},
)


@FUZZ
@given(data=st.data())
def test_spoiled_valid_requests_never_fail_the_server(client, world, data):
    template_for = templates(world)
    route = data.draw(st.sampled_from([r for r in WRITES if (r.method, r.rule) in template_for]))
    body = dict(template_for[(route.method, route.rule)])
    for key in data.draw(st.lists(st.sampled_from([*body, *FIELDS]), max_size=3)):
        if data.draw(st.booleans()) and key in body:
            del body[key]
        else:
            body[key] = data.draw(json_values)
    if "records" in body and isinstance(body["records"], list) and data.draw(st.booleans()):
        body["records"].append(data.draw(st.dictionaries(st.sampled_from(FIELDS), json_values)))
    path = fill(route.rule, ["VSLA1", world.members[0].phone])
    headers = data.draw(usual_headers | headers_strategy)
    send(client, world, route.method, path, headers, json.dumps(body))


@FUZZ
@given(
    route=st.sampled_from([(r.method, r.rule) for r in ROUTES] * 3)
    | st.tuples(
        st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE"]),
        st.sampled_from([r.rule for r in ROUTES] + ["/", "/members/<phone>/x", "/<code>"]),
    ),
    values=st.lists(path_values, max_size=2),
    query=st.dictionaries(
        st.sampled_from(
            ["phone", "member_id", "cooperative", "since", "until", "as_of", "format", "x"]
        ),
        st.sampled_from(ODD_TEXT[:30] + EXTREME_DATES) | st.text(max_size=12),
        max_size=3,
    ),
    headers=usual_headers | headers_strategy,
    body=json_values.map(json.dumps) | st.binary(max_size=200) | st.just(""),
)
def test_wild_requests_never_fail_the_server(client, world, route, values, query, headers, body):
    method, rule = route
    path = fill(rule, list(values))
    if query:
        from urllib.parse import urlencode

        try:
            path += "?" + urlencode(query)
        except UnicodeEncodeError:
            return
    send(client, world, method, path, headers, body)


# -- extreme dates at every date field ---------------------------------------------------------


def date_fields() -> list[tuple[str, str, str, str]]:
    """Every date field of the API: (method, rule, "query" or "body", name), read from the
    route table (query descriptions say YYYY-MM-DD; body schemas say format: date)."""
    found = []
    for route in ROUTES:
        for name, description in route.query:
            if "YYYY-MM-DD" in description:
                found.append((route.method, route.rule, "query", name))
        for name, schema in ((route.body or {}).get("properties") or {}).items():
            if schema.get("format") == "date":
                found.append((route.method, route.rule, "body", name))
    return found


def test_the_date_fields_are_found():
    names = {(rule, name) for _m, rule, _w, name in date_fields()}
    assert {
        ("/groups", "cycle_start"),
        ("/groups/<code>/meetings", "date"),
        ("/groups/<code>/share-out", "date"),
        ("/flags", "since"),
        ("/flags", "until"),
        ("/indicators", "since"),
        ("/indicators", "until"),
        ("/indicators", "as_of"),
        ("/groups/<code>/indicators", "as_of"),
    } <= names


@pytest.mark.parametrize(("method", "rule", "where", "name"), date_fields())
def test_extreme_dates_are_refused_with_their_field(client, world, method, rule, where, name):
    """Every date field, with the request's other date fields at an extreme or at a plain
    day: 422 naming the field for a date out of range or malformed, never a 5xx; a date in
    range is not refused as a date."""
    template = templates(world).get((method, rule), {})
    code = "SITE1" if rule.startswith("/sites/") else "VSLA1"
    path = fill(rule, [*([code] if "<code>" in rule else []), world.members[0].phone])
    siblings = [o for m, r, w, o in date_fields() if (m, r) == (method, rule) and w == where]
    for value in [*EXTREME_DATES, "2025-01-06"]:
        for others in ("9999-12-31", "2000-01-01"):
            query, body = {}, dict(template)
            for m, r, w, other in date_fields():
                if (m, r) == (method, rule) and other != name:
                    (query if w == "query" else body)[other] = others
            (query if where == "query" else body)[name] = value
            answer = client.open(
                path,
                method=method,
                query_string=query,
                data=json.dumps(body) if method != "GET" else None,
                headers={"Authorization": f"Bearer {world.tokens['coordinator']}"},
                content_type="application/json",
            )
            check_answer(answer)
            error = answer.get_json()
            if value == "2025-01-06":  # in range: never refused as a date (rules may refuse)
                if error.get("field") == name:
                    assert error["code"] not in ("bad_date", "out_of_range"), error
                continue
            assert answer.status_code == 422, (value, others, error)
            assert error["field"] in {name} | {
                o for m, r, _w, o in date_fields() if (m, r) == (method, rule)
            }, (value, error)
            # With other date fields of the body at an extreme too, any of them may be named.
            if others == "2000-01-01" or (where == "body" and len(siblings) == 1):
                assert error["field"] == name, (value, others, error)
