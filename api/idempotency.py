"""``Idempotency-Key``: a retried POST gets the first answer back and writes nothing twice.

The first successful answer is stored in the same transaction as the writes it reports,
under (token, key). A unique constraint decides between two attempts racing with the same
key: the loser's writes roll back and it answers with the winner's stored answer. Refusals
(4xx) write nothing and are not stored, so a corrected retry can still succeed. The same
key with another method, path or body is refused (422).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from flask import Response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.defaults import IDEMPOTENCY_TTL_DAYS, MAX_IDEMPOTENCY_KEY_LENGTH
from api.errors import ApiError, dumps
from ledger import db
from ledger.models import ApiToken, IdempotentRequest, utcnow

HEADER = "Idempotency-Key"

log = logging.getLogger("sanduku.api")

Outcome = tuple[int, object]


def _key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ApiError(
            400,
            "bad_idempotency_key",
            f"{HEADER} is 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters",
            HEADER,
        )
    return key


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    if request.mimetype == "multipart/form-data":
        # A client's multipart boundary changes on every attempt; the files do not.
        for name, upload in sorted(request.files.items(multi=True), key=lambda kv: kv[0]):
            digest.update(f"{name}:{upload.filename}\n".encode())
            digest.update(upload.read())
            upload.seek(0)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _stored(token: ApiToken, key: str) -> IdempotentRequest | None:
    return db.session().scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.token_id == token.id, IdempotentRequest.key == key
        )
    )


def _replay(stored: IdempotentRequest, fingerprint: str) -> Response:
    if stored.request_hash != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"this {HEADER} was used for another request",
            HEADER,
        )
    return Response(
        stored.body,
        status=stored.status_code,
        mimetype="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


def run(token: ApiToken, view: Callable[[], Outcome]) -> Response:
    """Run a writing view once per key; commit its writes and its stored answer together.

    A write that clashes with a concurrent one (two first purchases creating the same
    journal account, two retries racing) is rolled back and tried once more: by then the
    other has committed, so the second try sees it (and replays it, for the same key).
    """
    session = db.session()
    key = _key()
    fingerprint = _fingerprint() if key is not None else ""
    for attempt in (1, 2):
        if key is not None:
            stored = _stored(token, key)
            if stored is not None and stored.created_at < utcnow() - dt.timedelta(
                days=IDEMPOTENCY_TTL_DAYS
            ):
                session.delete(stored)
                session.flush()
                stored = None
            if stored is not None:
                return _replay(stored, fingerprint)
        try:
            status, payload = view()
            body = dumps(payload)
            if key is not None and 200 <= status < 300:
                session.add(
                    IdempotentRequest(
                        token_id=token.id,
                        key=key,
                        path=request.path[:200],
                        request_hash=fingerprint,
                        status_code=status,
                        body=body,
                        created_at=utcnow(),
                    )
                )
            session.commit()
        except IntegrityError:
            session.rollback()
            if attempt == 2:
                raise
            log.info("a write clashed with a concurrent one: trying once more")
            continue
        return Response(body, status=status, mimetype="application/json")
    raise AssertionError("unreachable")  # pragma: no cover
