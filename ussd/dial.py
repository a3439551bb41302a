"""A phone that talks to ``/ussd`` the way the gateway does: one ``sessionId`` per dial,
``text`` empty first, then every reply so far joined by ``*``."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable

#: Posts a gateway form and returns (HTTP status, body).
Transport = Callable[[dict[str, str]], tuple[int, str]]


class Phone:
    def __init__(self, post: Transport, phone: str, code: str = "*384*1#", network: str = "63902"):
        self.post = post
        self.phone = phone
        self.code = code
        self.network = network
        self.session_id = f"dial-{uuid.uuid4().hex}"
        self.replies: list[str] = []
        self.last: str = ""

    @property
    def text(self) -> str:
        return "*".join(self.replies)

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
        if status != 200:
            raise RuntimeError(f"/ussd answered HTTP {status}: {body[:200]}")
        self.last = body
        return body

    def dial(self) -> str:
        """Start the session: the first screen."""
        self.replies = []
        return self._send()

    def reply(self, value: str) -> str:
        self.replies.append(value)
        return self._send()

    def resend(self) -> str:
        """The gateway repeating the last request."""
        return self._send()

    @property
    def ended(self) -> bool:
        return self.last.startswith("END")


#: The token travels in a header, not in the URL (which proxies write to their logs).
TOKEN_HEADER = "X-Callback-Token"


def http_transport(url: str, token: str | None = None, timeout: float = 15) -> Transport:
    headers = {TOKEN_HEADER: token} if token else {}

    def post(form: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    return post


def client_transport(client, token: str | None = None) -> Transport:
    """Through a Flask test client: the app in this process, no server needed."""
    headers = {TOKEN_HEADER: token} if token else {}

    def post(form: dict[str, str]) -> tuple[int, str]:
        response = client.post("/ussd", data=form, headers=headers)
        return response.status_code, response.get_data(as_text=True)

    return post
