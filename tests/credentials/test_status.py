"""Bitstring Status List encoding."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hocvuso.credentials import status


@given(st.sets(st.integers(min_value=0, max_value=status.LIST_SIZE - 1), max_size=200))
def test_exactly_the_revoked_bits_are_set(revoked: set[int]) -> None:
    encoded = status.encode(revoked)
    probes = revoked | {0, 1, 7, 8, status.LIST_SIZE - 1}
    assert {i for i in probes if status.is_set(encoded, i)} == revoked & probes


def test_the_list_is_the_specifications_minimum_size_and_bit_order() -> None:
    encoded = status.encode({0, 9})
    assert encoded.startswith("u")
    bits = status.decode(encoded)
    assert len(bits) * 8 == 131_072
    assert bits[0] == 0b1000_0000 and bits[1] == 0b0100_0000  # index 0 is the first byte's MSB
    assert gzip.decompress(gzip.compress(bits)) == bits
    assert "=" not in encoded


def test_an_index_outside_the_list_is_refused() -> None:
    with pytest.raises(ValueError):
        status.encode({status.LIST_SIZE})
    with pytest.raises(ValueError):
        status.is_set(status.encode(()), status.LIST_SIZE)
