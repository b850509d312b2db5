"""The suite starts its longest files first, so two workers finish together."""

import pytest

from tests.support.file_order import start_order


def test_longest_files_start_first_and_unmeasured_ones_before_them() -> None:
    seconds = {"tests/a/test_short.py": 2.0, "tests/b/test_long.py": 300.0, "tests/c/test_mid.py": 40.0}
    paths = [*seconds, "tests/d/test_new.py"]
    assert start_order(paths, seconds) == [
        "tests/d/test_new.py",
        "tests/b/test_long.py",
        "tests/c/test_mid.py",
        "tests/a/test_short.py",
    ]


def test_xdist_keeps_the_collection_order(pytestconfig: pytest.Config) -> None:
    # xdist's default reorders files by their number of tests, which undoes the order above.
    assert pytestconfig.getoption("loadscopereorder") is False
