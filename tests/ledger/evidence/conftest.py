"""A cooperative and a small site (100 g a month), for the flag tests."""

import pytest

from tests import factories


@pytest.fixture
def coop(session):
    return factories.cooperative(session)


@pytest.fixture
def site(session, coop):
    return factories.site(session, coop, "MAMBASA", capacity_grams=100)
