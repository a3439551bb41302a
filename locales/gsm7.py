"""GSM 03.38: what a phone shows without switching to UCS-2, and how long a text is.

USSD screens and SMS both go through ``to_gsm7`` so telcos never meet a character they
cannot render and one stray ’ or ç never turns a 160-character SMS into a 70-character one.
"""

from __future__ import annotations

import unicodedata

#: The GSM 03.38 basic character set (one septet each).
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: each costs two septets (escape + character).
EXTENDED = "^{}\\[~]|€\f"
_BASIC = frozenset(BASIC) - {"\x1b"}
_EXTENDED = frozenset(EXTENDED)

#: Replacements before accents are stripped: letters of Lingala, typographic punctuation,
#: the spaces Babel puts in numbers.
_REPLACE = str.maketrans(
    {
        "ɛ": "e",
        "Ɛ": "E",
        "ɔ": "o",
        "Ɔ": "O",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "“": '"',
        "”": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "•": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "œ": "oe",
        "Œ": "OE",
        "ç": "c",
    }
)

SINGLE_SEGMENT_SEPTETS = 160
MULTIPART_SEPTETS = 153
SINGLE_SEGMENT_UCS2 = 70
MULTIPART_UCS2 = 67


def to_gsm7(text: str) -> str:
    """Text a GSM-7 phone can show: known replacements, then accents stripped from what is
    still outside the set (é, è, à... stay: they are in it), then ``?`` for the rest."""
    out = []
    for char in unicodedata.normalize("NFC", text).translate(_REPLACE):
        if char in _BASIC or char in _EXTENDED:
            out.append(char)
            continue
        plain = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        ).translate(_REPLACE)
        if all(c in _BASIC for c in plain):
            out.append(plain)  # "" for a lone tone mark
        else:
            out.append("?")
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(c in _BASIC or c in _EXTENDED for c in text)


def septets(text: str) -> int:
    """Length in septets (extension characters count two). Text must be GSM-7."""
    return sum(2 if c in _EXTENDED else 1 for c in text)


def encoding_and_segments(text: str) -> tuple[str, int]:
    """("GSM-7" | "UCS-2", number of SMS segments) for ``text`` as it will be sent."""
    if is_gsm7(text):
        length = septets(text)
        if length <= SINGLE_SEGMENT_SEPTETS:
            return "GSM-7", 1
        return "GSM-7", -(-length // MULTIPART_SEPTETS)
    units = len(text.encode("utf-16-le")) // 2
    if units <= SINGLE_SEGMENT_UCS2:
        return "UCS-2", 1
    return "UCS-2", -(-units // MULTIPART_UCS2)
