"""Bytes handed to Arrow's string kernels as one value, without a copy."""

from __future__ import annotations

import pytest

from handler.blob import found, line_count, one_value


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"", 0),
        (b"\n", 1),
        (b"\n\n", 2),
        (b"{}", 1),
        (b"{}\n", 1),
        (b"{}\n{}", 2),
        (b"{}\n\n{}\n", 3),
        (b"a\r\nb\rc\n" * 3, 6),
    ],
)
def test_line_count_counts_the_last_line_with_or_without_its_break(data, lines):
    assert line_count(data) == lines


def test_one_value_is_a_view_of_the_bytes_between_start_and_end():
    data = bytearray(b"0123456789")
    value = one_value(data, 2, 7)
    assert value.to_pylist() == [b"23456"]
    data[3:4] = b"X"  # the same memory, not a copy
    assert value.to_pylist() == [b"2X456"]
    assert found(r"X4", data) and not found(r"X4", b"0123")
