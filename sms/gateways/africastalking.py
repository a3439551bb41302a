"""Africa's Talking, through the official SDK (``SMSService``), with our own base URL."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal

import requests
from africastalking.Service import AfricasTalkingException, validate_phone
from africastalking.SMS import SMSService
from urllib3.exceptions import NewConnectionError

from ledger.models import MessageStatus
from sms.gateways import GatewayError, Inbound, Outcome, SendResult, StatusReport, redact
from sms.settings import Settings

log = logging.getLogger(__name__)

#: AT's per-recipient ``statusCode`` in a send answer -> what it means for us. Codes not
#: listed: 5xx are retried, anything else is a refusal.
SEND_CODES: dict[int, Outcome] = {
    100: Outcome.ACCEPTED,  # Processed
    101: Outcome.ACCEPTED,  # Sent
    102: Outcome.ACCEPTED,  # Queued
    401: Outcome.REJECTED,  # RiskHold
    402: Outcome.RETRY,  # InvalidSenderId: an account setting, fixed by an operator
    403: Outcome.REJECTED,  # InvalidPhoneNumber
    404: Outcome.REJECTED,  # UnsupportedNumberType
    405: Outcome.RETRY,  # InsufficientBalance: retried once the account is topped up
    406: Outcome.REJECTED,  # UserInBlacklist
    407: Outcome.REJECTED,  # CouldNotRoute
    500: Outcome.RETRY,  # InternalServerError
    501: Outcome.RETRY,  # GatewayError
    502: Outcome.RETRY,  # RejectedByGateway
}

#: AT's delivery-report ``status`` -> ours. Sent/Submitted/Buffered are on the way; the
#: others are final.
REPORT_STATUSES: dict[str, MessageStatus] = {
    "Sent": MessageStatus.SENT,
    "Submitted": MessageStatus.SENT,
    "Buffered": MessageStatus.SENT,
    "Success": MessageStatus.DELIVERED,
    "Rejected": MessageStatus.REJECTED,
    "Failed": MessageStatus.FAILED,
    "Expired": MessageStatus.FAILED,
}


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def _connection_refused(exc: requests.ConnectionError) -> bool:
    """True when the request never reached the gateway (so nothing can have gone out)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    return isinstance(getattr(reason, "reason", reason), NewConnectionError)


class AfricasTalkingGateway:
    name = "africastalking"

    def __init__(self, settings: Settings):
        if not settings.at_username or not settings.at_api_key:
            raise ValueError("SMS_BACKEND=africastalking needs AT_USERNAME and AT_API_KEY")
        self.sender_id = settings.at_sender_id
        self.timeout = settings.timeout
        self.service = SMSService(settings.at_username, settings.at_api_key)
        # The SDK hard-codes its host; this is the one place it is pointed at AT_API_URL
        # (live, sandbox, or a local fake), so messages go to {AT_API_URL}/messaging.
        self.service._baseUrl = settings.at_api_url
        self.api_url = settings.at_api_url
        self.username = settings.at_username
        self.api_key = settings.at_api_key

    def balance(self) -> tuple[Decimal, str]:
        """The account's balance from AT's application data (``GET {AT_API_URL}/user``):
        ``{"UserData": {"balance": "USD 12.5000"}}``."""
        try:
            answer = requests.get(
                f"{self.api_url}/user",
                params={"username": self.username},
                headers={"apiKey": self.api_key, "Accept": "application/json"},
                timeout=self.timeout,
            )
            answer.raise_for_status()
            currency, amount = answer.json()["UserData"]["balance"].split()
            return Decimal(amount), currency
        except (requests.RequestException, ValueError, KeyError, TypeError, ArithmeticError) as exc:
            raise GatewayError(f"balance not read: {redact(exc)}"[:200]) from None

    @property
    def url(self) -> str:
        return self.service._make_url("/messaging")

    def send(self, text: str, phones: Sequence[str]) -> list[SendResult]:
        bad = [p for p in phones if not validate_phone(p)]
        good = [p for p in phones if validate_phone(p)]
        results = [SendResult(p, Outcome.REJECTED, reason="InvalidPhoneNumber") for p in bad]
        if good:
            results += self._send(text, good)
        return results

    def _send(self, text: str, phones: list[str]) -> list[SendResult]:
        def everyone(outcome: Outcome, reason: str) -> list[SendResult]:
            return [SendResult(p, outcome, reason=reason[:80]) for p in phones]

        try:
            answer = self.service.send(
                text,
                phones,
                sender_id=self.sender_id,
                enqueue=len(phones) > 1,
                timeout=self.timeout,
            )
        except requests.ConnectionError as exc:  # includes ConnectTimeout
            if _connection_refused(exc):
                log.warning("gateway unreachable: %s", redact(exc))
                return everyone(Outcome.RETRY, "gateway unreachable")
            log.warning("gateway connection lost mid-request: %s", redact(exc))
            return everyone(Outcome.UNKNOWN, "connection lost")
        except requests.Timeout as exc:  # ReadTimeout: it may have been processed
            log.warning("gateway timed out: %s", redact(exc))
            return everyone(Outcome.UNKNOWN, "timeout")
        except AfricasTalkingException as exc:  # a non-2xx answer: nothing was accepted
            log.warning("gateway error: %s", redact(exc))
            return everyone(Outcome.RETRY, f"gateway error {str(exc)[:60]}")
        if isinstance(answer, str):
            try:
                answer = json.loads(answer)
            except ValueError:
                log.error("unreadable gateway answer: %r", redact(answer))
                return everyone(Outcome.UNKNOWN, "unreadable answer")
        try:
            recipients = answer["SMSMessageData"]["Recipients"]
        except (KeyError, TypeError):
            log.error("gateway answer without recipients: %r", redact(answer))
            return everyone(Outcome.UNKNOWN, "no recipients in answer")
        by_number = {_digits(str(r.get("number", ""))): r for r in recipients}
        results = []
        for phone in phones:
            r = by_number.get(_digits(phone))
            if r is None:
                results.append(SendResult(phone, Outcome.UNKNOWN, reason="missing from answer"))
                continue
            try:
                code = int(r.get("statusCode"))
            except (TypeError, ValueError):
                code = 0
            outcome = SEND_CODES.get(code, Outcome.RETRY if code >= 500 else Outcome.REJECTED)
            gateway_id = r.get("messageId") if outcome == Outcome.ACCEPTED else None
            results.append(
                SendResult(
                    phone,
                    outcome,
                    gateway_id=str(gateway_id) if gateway_id else None,
                    cost=str(r.get("cost"))[:24] if r.get("cost") else None,
                    reason=None if outcome == Outcome.ACCEPTED else str(r.get("status"))[:80],
                )
            )
        return results

    def parse_status(self, form: Mapping[str, str]) -> StatusReport | None:
        return parse_status(form)

    def parse_inbound(self, form: Mapping[str, str]) -> Inbound | None:
        return parse_inbound(form)


def parse_status(form: Mapping[str, str]) -> StatusReport | None:
    """AT's delivery report: ``id, status, phoneNumber, networkCode, failureReason``."""
    gateway_id = (form.get("id") or "").strip()
    status = REPORT_STATUSES.get((form.get("status") or "").strip())
    if not gateway_id or status is None:
        return None
    return StatusReport(
        gateway_id=gateway_id[:64],
        status=status,
        phone=(form.get("phoneNumber") or "").strip() or None,
        reason=(form.get("failureReason") or "").strip()[:80] or None,
    )


def _parse_date(raw: str | None) -> dt.datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime((raw or "").strip(), fmt)
        except ValueError:
            continue
    return None


def parse_inbound(form: Mapping[str, str]) -> Inbound | None:
    """AT's incoming SMS: ``from, to, text, date, id, linkId`` (dates in UTC)."""
    gateway_id = (form.get("id") or "").strip()
    phone = "".join((form.get("from") or "").split())
    if not gateway_id or not phone:
        return None
    return Inbound(
        gateway_id=gateway_id[:64],
        phone=phone[:32],
        text=(form.get("text") or "")[:1000],
        to=(form.get("to") or "").strip()[:32] or None,
        link_id=(form.get("linkId") or "").strip()[:64] or None,
        received_at=_parse_date(form.get("date")),
    )
