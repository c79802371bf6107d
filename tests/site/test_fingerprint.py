"""Page keys (`value_fingerprint`): equal exactly when what a page shows is."""

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.site.fingerprint import value_fingerprint


@dataclass(frozen=True)
class Card:
    """Stands for itself by its fingerprint, as a story card does."""

    id: str
    fingerprint: str


@dataclass(frozen=True)
class Box:
    heading: str
    items: tuple[object, ...]


cards = st.builds(Card, st.sampled_from("abc"), st.sampled_from(["f1", "f2", "f3"]))
values = st.recursive(
    st.one_of(cards, st.integers(-2, 2), st.text("ab#[]", max_size=3), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.builds(Box, st.text("ab", max_size=2), st.lists(inner, max_size=3).map(tuple)),
    ),
    max_leaves=12,
)


def shown(value: object) -> object:
    """What a page would show of a value: a card by its fingerprint (not its id)."""
    if isinstance(value, Card):
        return ("card", value.fingerprint)
    if isinstance(value, Box):
        return ("box", value.heading, shown(list(value.items)))
    if isinstance(value, list | tuple):
        return [shown(item) for item in value]
    return (type(value).__name__, value)


@given(values, values)
def test_keys_are_equal_exactly_when_the_shown_values_are(a: object, b: object) -> None:
    assert (value_fingerprint(a) == value_fingerprint(b)) == (shown(a) == shown(b))


def test_lists_of_stories_keep_their_order_and_boundaries() -> None:
    one, two = Card("a", "f1"), Card("b", "f2")
    assert value_fingerprint([one, two]) != value_fingerprint([two, one])
    assert value_fingerprint([[one], [two]]) != value_fingerprint([[one, two], []])
    assert value_fingerprint([one, two]) != value_fingerprint([one, Card("b", "f3")])
    assert value_fingerprint([one, "#f2"]) != value_fingerprint([one, two])
    assert value_fingerprint({"day": date(2025, 6, 1)}) != value_fingerprint({"day": "2025-06-01"})


def test_a_value_it_cannot_see_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot fingerprint object"):
        value_fingerprint([Card("a", "f1"), object()])
