"""`distinct_count` counts as `np.unique(values).size` does (it exists to skip numpy.ma's import)."""

from __future__ import annotations

import numpy as np

from engine.analysis.semantics.relations import distinct_count


def test_matches_np_unique_with_nans_signed_zeros_and_infinities() -> None:
    rng = np.random.default_rng(13)
    for trial in range(2000):
        values = rng.integers(-3, 4, int(rng.integers(0, 30))).astype(float)
        for share, special in ((0.2, np.nan), (0.2, -0.0), (0.1, np.inf), (0.1, -np.inf)):
            if trial % 2:
                values[rng.random(values.size) < share] = special
        assert distinct_count(values) == np.unique(values).size, values
