"""A phone for fault tests: it talks to a real server and fails the test on anything but a
200 with a ``CON``/``END`` screen."""

from __future__ import annotations

from ussd.dial import Phone

PIN = "2580"


class Caller(Phone):
    """``ussd.dial.Phone`` asserting on every answer instead of raising on a non-200."""

    def _send(self) -> str:
        status, body = self.post(
            {
                "sessionId": self.session_id,
                "serviceCode": self.code,
                "phoneNumber": self.phone,
                "networkCode": self.network,
                "text": self.text,
            }
        )
        assert status == 200, (status, body[:200])
        assert body.startswith(("CON ", "END ")), body
        self.last = body
        return body
