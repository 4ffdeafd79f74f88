import numpy as np

from trading.series import downsample


def test_downsample_keeps_the_first_and_last_points_and_at_most_the_limit():
    times = np.arange(1001)
    kept_times, kept_values = downsample(times, times * 2.0, points=100)
    assert len(kept_times) <= 100 and kept_times[0] == 0 and kept_times[-1] == 1000
    assert np.array_equal(kept_values, kept_times * 2.0)
    short, values = downsample(times[:50], times[:50] * 1.0, points=100)
    assert np.array_equal(short, times[:50]) and np.array_equal(values, times[:50])
