"""A fake Vodacom M-Pesa OpenAPI (the B2C part) on 127.0.0.1: a real HTTP server on a thread.

It holds an RSA key pair of its own (the tests' "portal public key"), decrypts the bearer of
every call, and refuses a wrong API key or an unknown session. It records every payment by
its third-party conversation id and pays each once (a repeat is ``INS-10``, duplicate).
Scriptable faults: the next calls answered 5xx without paying, a payment made but its answer
late (past the client's read timeout) or held until released, a refusal code per MSISDN.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

API_KEY = "test-api-key-0123456789"


def _probable_prime(bits: int) -> int:
    while True:
        n = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        if all(n % p for p in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)) and _miller_rabin(n):
            return n


def _miller_rabin(n: int, rounds: int = 24) -> bool:
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _der_int(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big")
    return b"\x02" + _der_len(len(raw)) + raw


def _der_len(n: int) -> bytes:
    if n < 128:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _seq(body: bytes) -> bytes:
    return b"\x30" + _der_len(len(body)) + body


class KeyPair:
    def __init__(self, bits: int = 1024):
        e = 65537
        while True:
            p, q = _probable_prime(bits // 2), _probable_prime(bits // 2)
            phi = (p - 1) * (q - 1)
            if p != q and phi % e:
                break
        self.n, self.e, self.d = p * q, e, pow(e, -1, phi)
        rsa_key = _seq(_der_int(self.n) + _der_int(e))
        algorithm = _seq(b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00")
        bit_string = b"\x03" + _der_len(len(rsa_key) + 1) + b"\x00" + rsa_key
        self.public_b64 = base64.b64encode(_seq(algorithm + bit_string)).decode()

    def decrypt(self, b64: str) -> str | None:
        try:
            cipher = int.from_bytes(base64.b64decode(b64), "big")
        except ValueError:
            return None
        size = (self.n.bit_length() + 7) // 8
        block = pow(cipher, self.d, self.n).to_bytes(size, "big")
        if block[:2] != b"\x00\x02" or b"\x00" not in block[2:]:
            return None
        return block[block.index(b"\x00", 2) + 1 :].decode(errors="replace")


_KEYS: KeyPair | None = None


def keys() -> KeyPair:
    global _KEYS
    if _KEYS is None:
        _KEYS = KeyPair()
    return _KEYS


class FakeMpesa:
    def __init__(self) -> None:
        self.keys = keys()
        self.sessions: set[str] = set()
        #: third-party conversation id -> (msisdn, amount, currency, transaction id)
        self.paid: dict[str, tuple[str, str, str, str]] = {}
        self.calls: Counter[str] = Counter()  # b2c calls per reference
        self.changed = threading.Condition()
        self._errors: list[int] = []
        self._late: list[float] = []
        self._codes: dict[str, str] = {}
        self._hold = threading.Event()
        self._holding = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def _bearer(self) -> str | None:
                value = self.headers.get("Authorization", "")
                return fake.keys.decrypt(value[7:]) if value.startswith("Bearer ") else None

            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path.endswith("/getSession/"):
                    if self._bearer() != API_KEY:
                        return self._send(401, {"output_ResponseCode": "INS-2"})
                    session = uuid.uuid4().hex
                    fake.sessions.add(session)
                    return self._send(
                        201, {"output_ResponseCode": "INS-0", "output_SessionID": session}
                    )
                if url.path.endswith("/queryTransactionStatus/"):
                    if self._bearer() not in fake.sessions:
                        return self._send(401, {"output_ResponseCode": "INS-2"})
                    reference = parse_qs(url.query).get("input_QueryReference", [""])[0]
                    found = fake.paid.get(reference)
                    if found is None:
                        return self._send(
                            404,
                            {
                                "output_ResponseCode": "INS-0",
                                "output_ResponseTransactionStatus": "Not found",
                            },
                        )
                    return self._send(
                        200,
                        {
                            "output_ResponseCode": "INS-0",
                            "output_ResponseTransactionStatus": "Completed",
                            "output_TransactionID": found[3],
                        },
                    )
                self._send(404, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/b2cPayment/singleStage/"):
                    return self._send(404, {})
                if self._bearer() not in fake.sessions:
                    return self._send(401, {"output_ResponseCode": "INS-2"})
                status, answer, late = fake._b2c(body)
                if late == "hold":
                    fake._hold.wait(60)
                elif late:
                    time.sleep(late)
                self._send(status, answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- scripting -------------------------------------------------------------------------

    def fail_next(self, *statuses: int) -> None:
        self._errors.extend(statuses)

    def answer_late(self, *seconds: float) -> None:
        """The next payments are made, their answers sent this late."""
        self._late.extend(seconds)

    def hold_next(self) -> None:
        """The next payment is made and its answer held until ``release``."""
        self._holding = True

    def release(self) -> None:
        self._hold.set()

    def refuse(self, msisdn: str, code: str) -> None:
        self._codes[msisdn] = code

    # -- the API ------------------------------------------------------------------------------

    def _b2c(self, body: dict) -> tuple[int, dict, float | str]:
        reference = body.get("input_ThirdPartyConversationID", "")
        with self.changed:
            self.calls[reference] += 1
            self.changed.notify_all()
            if self._errors:
                return self._errors.pop(0), {"output_ResponseCode": "INS-1"}, 0
            code = self._codes.get(body.get("input_CustomerMSISDN", ""))
            if code:
                return 400, {"output_ResponseCode": code}, 0
            if reference in self.paid:
                return 409, {"output_ResponseCode": "INS-10"}, 0
            transaction = "T" + uuid.uuid4().hex[:10].upper()
            self.paid[reference] = (
                body.get("input_CustomerMSISDN", ""),
                body.get("input_Amount", ""),
                body.get("input_Currency", ""),
                transaction,
            )
            self.changed.notify_all()
            late: float | str = (
                "hold" if self._holding else (self._late.pop(0) if self._late else 0)
            )
            self._holding = False
        answer = {
            "output_ResponseCode": "INS-0",
            "output_ResponseDesc": "Request processed successfully",
            "output_TransactionID": transaction,
            "output_ThirdPartyConversationID": reference,
        }
        return 201, answer, late

    def wait_for_call(self, timeout: float = 20) -> None:
        with self.changed:
            self.changed.wait_for(lambda: sum(self.calls.values()) > 0, timeout)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sandbox/ipg/v2/vodacomDRC"

    def start(self) -> FakeMpesa:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._hold.set()
        self.server.shutdown()
        self.server.server_close()
