"""Golden trajectories (tests/golden.py): short runs at a fixed seed reproduce their pinned
values, integers exactly and floats within RTOL/ATOL. When a rule or the order of draws changes
on purpose, regenerate with ``python -m tests.golden --regenerate`` and say why in the commit."""

from __future__ import annotations

import golden
import numpy as np
import pytest

HOW = ("if this change of trajectory is intended, regenerate the pinned values with "
       "`python -m tests.golden --regenerate` and say why in the commit message")


@pytest.mark.parametrize("case", list(golden.CASES))
def test_golden_trajectory(case):
    path = golden.path_of(case)
    assert path.is_file(), f"{path} is missing: {HOW}"
    pinned = golden.load(case)
    for key in ("scenario", "seed", "days", "overrides"):
        assert pinned[key] == golden.CASES[case][key], f"{case}: the case changed: {HOW}"
    assert pinned["read_on_days"] == list(golden.DAYS), HOW
    now = golden.compute(case)["values"]
    assert set(now) == set(pinned["values"]), f"{case}: brands differ: {HOW}"
    for brand, columns in pinned["values"].items():
        for column, exact in golden.COLUMNS.items():
            got, want = now[brand][column], columns[column]
            where = f"{case}, {brand}, {column} on days {golden.DAYS}: {HOW}"
            if exact:
                np.testing.assert_array_equal(got, want, err_msg=where)
            else:
                np.testing.assert_allclose(got, want, rtol=golden.RTOL, atol=golden.ATOL,
                                           err_msg=where)
