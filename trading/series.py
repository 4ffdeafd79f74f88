"""Pure helpers on time series, shared by the services and the charts (no Django, no SVG)."""

from __future__ import annotations

import numpy as np


def downsample(times: np.ndarray, *series: np.ndarray, points: int = 600) -> tuple[np.ndarray, ...]:
    """Keep at most `points` samples per series (evenly spaced, always the first and last)."""
    n = len(times)
    index = np.arange(n) if n <= points else np.unique(np.r_[np.linspace(0, n - 1, points).astype(int), n - 1])
    return times[index], *(s[index] for s in series)
