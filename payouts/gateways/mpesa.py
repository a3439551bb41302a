"""Vodacom M-Pesa OpenAPI (the DRC market, ``vodacomDRC``): business-to-customer payouts.

How it is called (from the public client libraries; see the README for what was and was
not verified against Vodacom's own documentation):

- ``GET {MPESA_API_URL}/getSession/`` with ``Authorization: Bearer <API key encrypted with
  the portal's RSA public key, base64>`` and ``Origin``: answers ``output_SessionID``. The
  session is kept and asked for again when a call says it is no longer valid.
- ``POST {MPESA_API_URL}/b2cPayment/singleStage/`` with the *session* encrypted the same way,
  a JSON body ``input_Amount, input_Country, input_Currency, input_CustomerMSISDN,
  input_ServiceProviderCode, input_ThirdPartyConversationID, input_TransactionReference,
  input_PaymentItemsDesc``. Our payout reference is both the third-party conversation id and
  the transaction reference, so the provider sees one payout as one request however often a
  worker calls (a repeat is refused as a duplicate, ``INS-10``).
- ``GET {MPESA_API_URL}/queryTransactionStatus/?input_QueryReference=<reference>&...``:
  ``output_ResponseTransactionStatus`` settles a payout whose answer was lost.

Answers: ``output_ResponseCode`` ``INS-0`` is success; ``INS-1`` (internal error), ``INS-9``
(request timeout) and ``INS-16``/``INS-23`` (overload, unknown status) are asked about again;
``INS-10`` (duplicate) means the provider already has this payout: its status is asked. Any
other ``INS-`` code is a refusal for good. HTTP 5xx and an unreachable provider are retried;
a read timeout leaves the payout ``unknown``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

import requests

from payouts.gateways import Callback, Outcome, Request, Result
from payouts.gateways.rsa import encrypt
from payouts.settings import Settings

log = logging.getLogger("sanduku.payouts")

SUCCESS = "INS-0"
#: Asked about again later (``unknown``): the payout may or may not have gone through.
ASK_AGAIN = {"INS-1", "INS-9", "INS-16", "INS-23"}
DUPLICATE = "INS-10"
#: Session codes: the key is asked for again and the call retried.
SESSION_EXPIRED = {"INS-2", "INS-25", "INS-26"}
#: Query answers (``output_ResponseTransactionStatus``).
DONE_STATUSES = {"completed", "success", "successful"}
FAILED_STATUSES = {"failed", "cancelled", "canceled", "expired", "declined", "reversed"}


class MpesaGateway:
    name = "mpesa"

    def __init__(self, settings: Settings, http: requests.Session | None = None):
        self.settings = settings
        self.http = http or requests.Session()
        self._session_id: str | None = None

    # -- the session ---------------------------------------------------------------------

    def _headers(self, secret: str) -> dict[str, str]:
        return {
            "Authorization": "Bearer " + encrypt(secret.encode(), self.settings.mpesa_public_key),
            "Origin": self.settings.mpesa_origin,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def session_id(self, fresh: bool = False) -> str:
        if self._session_id and not fresh:
            return self._session_id
        answer = self.http.get(
            f"{self.settings.mpesa_api_url}/getSession/",
            headers=self._headers(self.settings.mpesa_api_key),
            timeout=self.settings.timeout,
        )
        body = _json(answer)
        if answer.status_code >= 400 or body.get("output_ResponseCode") != SUCCESS:
            raise requests.ConnectionError(f"no session: HTTP {answer.status_code}")
        self._session_id = str(body["output_SessionID"])
        return self._session_id

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        """One call with the session; a session the provider no longer knows is renewed
        once. Raises requests' exceptions (the caller tells a timeout from the rest)."""
        for fresh in (False, True):
            answer = self.http.request(
                method,
                f"{self.settings.mpesa_api_url}/{path}",
                headers=self._headers(self.session_id(fresh)),
                timeout=self.settings.timeout,
                **kwargs,
            )
            code = _json(answer).get("output_ResponseCode")
            if answer.status_code == 401 or code in SESSION_EXPIRED:
                continue
            return answer
        return answer

    # -- the Protocol ------------------------------------------------------------------------

    def send(self, request: Request) -> Result:
        body = {
            "input_Amount": str(Decimal(request.amount).scaleb(-2)),
            "input_Country": self.settings.mpesa_country,
            "input_Currency": request.currency,
            "input_CustomerMSISDN": request.msisdn,
            "input_ServiceProviderCode": self.settings.mpesa_service_provider_code,
            "input_ThirdPartyConversationID": request.reference,
            "input_TransactionReference": request.reference,
            "input_PaymentItemsDesc": request.description,
        }
        try:
            answer = self._call("POST", "b2cPayment/singleStage/", json=body)
        except requests.Timeout as exc:
            if isinstance(exc, requests.ConnectTimeout):
                return Result(Outcome.RETRY, reason="connect timeout")
            return Result(Outcome.UNKNOWN, reason="read timeout")
        except requests.RequestException as exc:
            return Result(Outcome.RETRY, reason=f"unreachable: {type(exc).__name__}")
        return self._read_send(answer)

    def _read_send(self, answer: requests.Response) -> Result:
        if answer.status_code >= 500:
            return Result(Outcome.RETRY, reason=f"HTTP {answer.status_code}")
        body = _json(answer)
        code = str(body.get("output_ResponseCode") or "")
        provider_id = body.get("output_TransactionID") or None
        if code == SUCCESS:
            return Result(Outcome.PAID, provider_id=provider_id)
        if code in ASK_AGAIN or code == DUPLICATE:
            return Result(Outcome.UNKNOWN, reason=code)
        if answer.status_code == 429:
            return Result(Outcome.RETRY, reason="HTTP 429")
        return Result(Outcome.FAILED, reason=(code or f"HTTP {answer.status_code}")[:80])

    def query(self, request: Request) -> Result:
        params = {
            "input_QueryReference": request.reference,
            "input_ServiceProviderCode": self.settings.mpesa_service_provider_code,
            "input_ThirdPartyConversationID": request.reference + "Q",
            "input_Country": self.settings.mpesa_country,
        }
        try:
            answer = self._call("GET", "queryTransactionStatus/", params=params)
        except requests.RequestException:
            return Result(Outcome.UNKNOWN, reason="query unreachable")
        if answer.status_code >= 500:
            return Result(Outcome.UNKNOWN, reason=f"query HTTP {answer.status_code}")
        body = _json(answer)
        status = str(body.get("output_ResponseTransactionStatus") or "").strip().lower()
        code = str(body.get("output_ResponseCode") or "")
        provider_id = body.get("output_TransactionID") or None
        if code == SUCCESS and status in DONE_STATUSES:
            return Result(Outcome.PAID, provider_id=provider_id)
        if code == SUCCESS and status in FAILED_STATUSES:
            return Result(Outcome.FAILED, reason=f"status {status}"[:80])
        if answer.status_code == 404 or status == "not found":
            return Result(Outcome.RETRY, reason="the provider never got it")
        return Result(Outcome.UNKNOWN, reason=(code or status or "no status")[:80])

    def parse_callback(self, data: Mapping) -> Callback | None:
        """A result posted to us (``input_ThirdPartyConversationID``, ``input_ResultCode``,
        ``input_TransactionID``). Not every market posts one; the status query suffices."""
        reference = data.get("input_ThirdPartyConversationID")
        code = data.get("input_ResultCode")
        if not isinstance(reference, str) or not isinstance(code, str):
            return None
        if code == SUCCESS:
            result = Result(Outcome.PAID, provider_id=data.get("input_TransactionID") or None)
        else:
            result = Result(Outcome.FAILED, reason=code[:80])
        return Callback(reference[:32], result)


def _json(answer: requests.Response) -> dict:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
