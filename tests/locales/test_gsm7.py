import gsm0338  # noqa: F401  (registers the reference codec)
import pytest
from hypothesis import given
from hypothesis import strategies as st

from locales.gsm7 import encoding_and_segments, is_gsm7, septets, to_gsm7


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mbɔ́tɛ", "Mbote"),
        ("ça coûte l’or", "ca coute l'or"),
        ("12\u202f500\u00a0FC", "12 500 FC"),
        ("élève à Bunia", "élève à Bunia"),  # é, è, à are GSM-7: kept
        ("mokɔlɔ ya mítáno", "mokolo ya mitano"),
        ("prix «or»", 'prix "or"'),
    ],
)
def test_transliteration(raw, expected):
    assert to_gsm7(raw) == expected
    assert is_gsm7(to_gsm7(raw))


@given(st.text(max_size=200))
def test_any_text_becomes_encodable_gsm7(text):
    gsm = to_gsm7(text)
    assert is_gsm7(gsm)
    encoded = gsm.encode("gsm03.38")  # the reference codec agrees
    assert len(encoded) == septets(gsm)


def test_segments():
    assert encoding_and_segments("a" * 160) == ("GSM-7", 1)
    assert encoding_and_segments("a" * 161) == ("GSM-7", 2)
    assert encoding_and_segments("€" * 80) == ("GSM-7", 1)
    assert encoding_and_segments("€" * 81) == ("GSM-7", 2)
    assert encoding_and_segments("ç" * 70) == ("UCS-2", 1)
    assert encoding_and_segments("ç" * 71) == ("UCS-2", 2)
