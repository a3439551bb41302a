"""RSA PKCS#1 v1.5 encryption with a public key, as the M-Pesa OpenAPI asks of the API key
and the session key (its portal's public key, base64 DER ``SubjectPublicKeyInfo``).

Only encryption with a public key, which is a modular power over public numbers: no private
key is ever handled, so nothing here needs a constant-time implementation, and the books need
no cryptography package for it.
"""

from __future__ import annotations

import base64
import secrets


def _read(der: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at ``at``."""
    tag, length = der[at], der[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[at : at + count], "big")
        at += count
    return tag, at, at + length


def public_numbers(key_b64: str) -> tuple[int, int]:
    """``(n, e)`` of a base64 ``SubjectPublicKeyInfo`` (PEM armour and spaces allowed)."""
    body = "".join(line for line in key_b64.strip().splitlines() if not line.startswith("-----"))
    der = base64.b64decode("".join(body.split()))
    _, start, _ = _read(der, 0)  # SubjectPublicKeyInfo ::= SEQUENCE
    _, _, after_algorithm = _read(der, start)  # AlgorithmIdentifier
    tag, bits, _ = _read(der, after_algorithm)  # BIT STRING holding RSAPublicKey
    if tag != 0x03:
        raise ValueError("not an RSA public key")
    rsa = der[bits + 1 :]  # skip the unused-bits byte
    _, seq, _ = _read(rsa, 0)
    tag, n_start, n_end = _read(rsa, seq)
    tag, e_start, e_end = _read(rsa, n_end)
    n = int.from_bytes(rsa[n_start:n_end], "big")
    e = int.from_bytes(rsa[e_start:e_end], "big")
    return n, e


def encrypt(message: bytes, key_b64: str) -> str:
    """``message`` encrypted with the public key (PKCS#1 v1.5 type 2 padding), base64."""
    n, e = public_numbers(key_b64)
    size = (n.bit_length() + 7) // 8
    if len(message) > size - 11:
        raise ValueError("message too long for the key")
    padding = bytearray()
    while len(padding) < size - len(message) - 3:
        byte = secrets.randbelow(255) + 1  # non-zero
        padding.append(byte)
    block = b"\x00\x02" + bytes(padding) + b"\x00" + message
    cipher = pow(int.from_bytes(block, "big"), e, n)
    return base64.b64encode(cipher.to_bytes(size, "big")).decode("ascii")
