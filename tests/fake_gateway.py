"""A fake Africa's Talking SMS API on 127.0.0.1 (a real HTTP server on a thread), recording
every request. Scriptable: whole requests answered with an HTTP error, answered late, or
held until released; per-recipient status codes (405, 403...). It answers with
``Content-Type: application/json`` exactly, as the SDK requires to parse the answer.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

#: AT's names for the per-recipient codes the fake can answer.
STATUS_NAMES = {
    100: "Processed",
    101: "Success",
    102: "Queued",
    401: "RiskHold",
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    405: "InsufficientBalance",
    406: "UserInBlacklist",
    407: "CouldNotRoute",
    500: "InternalServerError",
    501: "GatewayError",
    502: "RejectedByGateway",
}
ACCEPTED = {100, 101, 102}


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    at: float
    http_status: int = 200
    #: phone -> (statusCode, messageId or None)
    answers: dict[str, tuple[int, str | None]] = field(default_factory=dict)

    @property
    def recipients(self) -> list[str]:
        return [p for p in self.form.get("to", "").split(",") if p]

    @property
    def message(self) -> str:
        return self.form.get("message", "")


class FakeGateway:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.changed = threading.Condition()
        self._http_errors: list[int] = []  # statuses for the next requests
        self._delays: list[float] = []  # seconds to wait before answering the next requests
        self._codes: dict[str, list[int]] = {}  # phone -> codes for its next requests
        self._hold_after: int | None = None
        self._released = threading.Event()
        self._held = 0
        #: What application data answers for the account's balance (``set_balance``).
        self.balance = "USD 100.0000"
        self.balance_requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                """Application data (``GET /version1/user?username=``): the balance."""
                with fake.changed:
                    fake.balance_requests.append(dict(self.headers))
                    ok = self.path.startswith("/version1/user?") and self.headers.get("apiKey")
                    payload = json.dumps({"UserData": {"balance": fake.balance}}).encode()
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                status, body, delay, hold = fake._answer(self.path, dict(self.headers), form)
                if hold:
                    fake._released.wait(60)
                if delay:
                    time.sleep(delay)
                payload = body.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout, killed worker)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        """What AT_API_URL is set to: the SDK then posts to ``{url}/messaging``."""
        return f"http://127.0.0.1:{self.port}/version1"

    # -- script ----------------------------------------------------------------------------

    def fail_requests(self, n: int, status: int = 500) -> None:
        with self.changed:
            self._http_errors += [status] * n

    def delay_requests(self, n: int, seconds: float) -> None:
        with self.changed:
            self._delays += [seconds] * n

    def recipient_codes(self, phone: str, *codes: int) -> None:
        """Answer ``phone`` with these codes on its next requests (the last one sticks)."""
        with self.changed:
            self._codes[phone] = list(codes)

    def hold_after(self, n: int) -> None:
        """Answer the first ``n`` requests, then hold every later one until ``release``."""
        with self.changed:
            self._hold_after = n
            self._released.clear()

    def release(self) -> None:
        with self.changed:
            self._hold_after = None
            self._released.set()

    # -- answers ---------------------------------------------------------------------------

    def _code_for(self, phone: str) -> int:
        codes = self._codes.get(phone)
        if not codes:
            return 101
        return codes.pop(0) if len(codes) > 1 else codes[0]

    def _answer(self, path: str, headers: dict, form: dict) -> tuple[int, str, float, bool]:
        with self.changed:
            request = Request(path=path, headers=headers, form=form, at=time.monotonic())
            hold = self._hold_after is not None and len(self.requests) >= self._hold_after
            delay = self._delays.pop(0) if self._delays else 0.0
            if self._http_errors:
                request.http_status = self._http_errors.pop(0)
                body = json.dumps({"error": "fake server error"})
            else:
                recipients = []
                for phone in request.recipients:
                    code = self._code_for(phone)
                    message_id = f"ATXid_{uuid.uuid4().hex}" if code in ACCEPTED else None
                    request.answers[phone] = (code, message_id)
                    recipients.append(
                        {
                            "statusCode": code,
                            "number": phone,
                            "status": STATUS_NAMES.get(code, "Unknown"),
                            "cost": "USD 0.0200" if code in ACCEPTED else "0",
                            "messageId": message_id or "None",
                        }
                    )
                sent = sum(1 for code, _ in request.answers.values() if code in ACCEPTED)
                body = json.dumps(
                    {
                        "SMSMessageData": {
                            "Message": f"Sent to {sent}/{len(recipients)} Total Cost: USD 0",
                            "Recipients": recipients,
                        }
                    }
                )
            self.requests.append(request)
            if hold:
                self._held += 1
            self.changed.notify_all()
        return request.http_status, body, delay, hold

    # -- what happened ---------------------------------------------------------------------

    @property
    def held(self) -> int:
        with self.changed:
            return self._held

    def accepted(self) -> Counter:
        """Phone -> how many times the gateway took a message for it."""
        with self.changed:
            return Counter(
                phone
                for r in self.requests
                for phone, (code, _) in r.answers.items()
                if code in ACCEPTED
            )

    def accepted_ids(self) -> list[tuple[str, str]]:
        """(messageId, phone) of every message the gateway took."""
        with self.changed:
            return [
                (message_id, phone)
                for r in self.requests
                for phone, (code, message_id) in r.answers.items()
                if code in ACCEPTED and message_id
            ]

    def texts_to(self, phone: str) -> list[str]:
        with self.changed:
            return [r.message for r in self.requests if phone in r.recipients]

    def wait_for(self, predicate, timeout: float = 10.0, what: str = "the fake gateway") -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
                self.changed.wait(min(left, 0.2))
