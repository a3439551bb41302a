"""Thousands of random gateway requests: real phones and strangers, sessions that follow on,
retries, and text that does not. Every answer is a CON or END screen; none is a 5xx."""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ussd.conftest import PIN, check_answer

MENU_KEYS = ["", "0", "00", "98", *map(str, range(1, 12)), PIN, "1111", "1357"]


def test_random_traffic_gets_only_screens(app, client, world):
    known = [world.member, world.officer, world.buyer, world.coordinator, world.wife]
    ours = [p.phone for p in known] + [world.shared]
    phones = st.sampled_from(ours) | st.sampled_from(ours) | st.sampled_from(ours)
    phones |= st.sampled_from(["+243819999999", "0812345678", "", "x"]) | st.text(max_size=16)
    tokens = st.one_of(
        st.sampled_from(MENU_KEYS + ours + ["12#5", "95", "270000", "*", "#", "1*2580"]),
        st.text(alphabet="0123456789*#", max_size=12),
        st.text(max_size=8),
    )
    seen: Counter = Counter()

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def run(data):
        app.extensions["redis"].flushdb()  # each example starts with no sessions
        texts: dict[tuple[str, str], str] = {}
        for _ in range(data.draw(st.integers(1, 25))):
            phone = data.draw(phones)
            session_id = data.draw(st.sampled_from(["a", "b"]))
            if data.draw(st.sampled_from([True, True, True, False])):
                session_id += phone  # mostly a session per phone, sometimes a shared id
            how = data.draw(st.sampled_from(["follow"] * 6 + ["retry", "any"]))
            token = data.draw(tokens)
            previous = texts.get((session_id, phone))
            if previous is None:  # a new session starts empty, or a stranger's text arrives
                text = token if how == "any" else ""
            elif how == "any":
                text = token
            elif how == "retry":
                text = previous
            else:
                text = f"{previous}*{token}" if previous else token
            response = client.post(
                "/ussd",
                data={
                    "sessionId": session_id,
                    "serviceCode": "*384*1#",
                    "phoneNumber": phone,
                    "networkCode": "63902",
                    "text": text,
                },
            )
            assert response.status_code == 200, response.status_code
            answer = check_answer(response.get_data(as_text=True))
            texts[(session_id, phone)] = text
            seen["requests"] += 1
            seen[answer[:3]] += 1

    run()
    assert seen["requests"] >= 2000, seen
    assert seen["CON"] > 300 and seen["END"] > 300, seen
