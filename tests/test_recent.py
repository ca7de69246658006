"""The bounded cache the checks and the portal share: the least recently used goes first, an error
is never kept."""

import pytest

from reportpub.recent import Recent


def test_the_least_recently_used_goes_first_and_errors_are_not_kept():
    made: list[str] = []
    cache: Recent[str] = Recent(2)

    def make(key):
        return lambda: made.append(key) or key.upper()

    assert [cache.get(k, make(k)) for k in ("a", "b", "a", "c", "a", "b")] == ["A", "B", "A", "C", "A", "B"]
    assert made == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came

    def broken():
        raise ValueError("unreadable")

    with pytest.raises(ValueError):
        cache.get("d", broken)
    assert cache.get("d", make("d")) == "D" and made[-1] == "d"


def test_find_looks_without_making_and_put_replaces():
    cache: Recent[str] = Recent(2)
    assert cache.find("a") is None
    cache.put("a", "A1")
    cache.put("b", "B")
    assert cache.find("a") == "A1"  # now the most recently used: "b" goes first
    cache.put("a", "A2")
    cache.put("c", "C")
    assert (cache.find("a"), cache.find("b"), cache.find("c")) == ("A2", None, "C")
    assert cache.get("a", lambda: "never made") == "A2"
