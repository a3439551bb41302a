"""Any premium amount over any set of sales is split exactly, in proportion, by the rule."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ledger.defaults import MAX_AMOUNT_MINOR
from ledger.models import PremiumBasis
from ledger.premiums.plan import Sale, average_fineness, counted_units, split

sale = st.builds(
    Sale,
    member_id=st.integers(1, 40),
    lot_number=st.sampled_from(["L-A", "L-B"]),
    weight_mg=st.integers(1, 10_000_000),
    fineness_ppm=st.one_of(st.none(), st.integers(1, 1_000_000)),
)


@given(
    amount=st.integers(1, MAX_AMOUNT_MINOR),
    sales=st.lists(sale, min_size=1, max_size=60),
    basis=st.sampled_from(list(PremiumBasis)),
)
def test_any_amount_and_any_sales_distribute_exactly(amount, sales, basis):
    counted = counted_units(sales, basis)
    shares = split(amount, counted)
    assert sum(shares.values()) == amount
    assert set(shares) == {s.member_id for s in sales}
    total = sum(counted.values())
    for member_id, share in shares.items():
        exact = Fraction(amount * counted[member_id], total)
        assert share >= 0
        assert exact - 1 < share < exact + 1  # floor, or floor + 1 for the largest remainders


@given(amount=st.integers(1, 1000), n=st.integers(2, 30))
def test_equal_sales_differ_by_at_most_a_unit_and_ties_go_to_the_lower_id(amount, n):
    shares = split(amount, {member_id: 7 for member_id in range(1, n + 1)})
    values = [shares[m] for m in range(1, n + 1)]
    assert max(values) - min(values) <= 1
    assert values == sorted(values, reverse=True)  # the extra units went to the lower ids


def test_unknown_fineness_counts_at_the_plans_average():
    sales = [
        Sale(1, "L", 10_000, 900_000),
        Sale(2, "L", 30_000, 700_000),
        Sale(3, "L", 20_000, None),
    ]
    assert average_fineness(sales) == 750_000  # (10 x 0.9 + 30 x 0.7) / 40
    counted = counted_units(sales, PremiumBasis.FINE_GRAMS)
    assert counted == {1: 10_000 * 900_000, 2: 30_000 * 700_000, 3: 20_000 * 750_000}
    assert counted_units(sales, PremiumBasis.GRAMS) == {1: 10_000, 2: 30_000, 3: 20_000}


def test_no_known_fineness_counts_by_weight():
    sales = [Sale(1, "L", 10_000, None), Sale(2, "L", 30_000, None)]
    assert counted_units(sales, PremiumBasis.FINE_GRAMS) == {1: 10_000, 2: 30_000}
