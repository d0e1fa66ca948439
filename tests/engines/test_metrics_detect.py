"""The KPI detectors: they find the shocks a leader must hear about and stay quiet on ordinary weeks.

Rates are measured over many seeded series, so a threshold change that trades false alarms for misses
shows up as a failing number, not as a flaky test.
"""

from __future__ import annotations

import numpy as np
import pytest

from northstar.engines.metrics.detect import DetectorSettings, FlagKind, analyse
from northstar.engines.metrics.trend import trend

NOISE = 20.0
SEEDS = range(200)


def seasonal_series(seed: int, n: int = 104) -> np.ndarray:
    """Two years of weekly values: a growing level, a yearly wave with a second harmonic, and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    level = 1000 + rng.uniform(-2, 5) * t
    wave = rng.uniform(50, 150) * np.sin(2 * np.pi * t / 52 + rng.uniform(0, 2 * np.pi))
    wave += rng.uniform(0, 40) * np.cos(4 * np.pi * t / 52)
    return level + wave + rng.normal(0, NOISE, n)


def test_clean_seasonal_noise_stays_quiet():
    flagged_series = [seed for seed in SEEDS if analyse(seasonal_series(seed)).flags]
    shifted_series = [seed for seed in SEEDS if analyse(seasonal_series(seed)).shifts]
    assert len(flagged_series) / len(SEEDS) <= 0.05, flagged_series
    assert len(shifted_series) / len(SEEDS) <= 0.01, shifted_series


def test_an_injected_one_week_drop_is_found_with_its_size():
    found = 0
    for seed in SEEDS:
        values = seasonal_series(seed)
        week = 10 + seed % 80
        values[week] -= 8 * NOISE
        spikes = [f for f in analyse(values).spikes if f.index == week]
        if spikes:
            found += 1
            assert spikes[0].change == pytest.approx(-8 * NOISE, abs=4 * NOISE)
            assert spikes[0].relative < 0
    assert found / len(SEEDS) >= 0.95


def test_an_injected_level_shift_is_found_where_it_starts():
    found = extra = 0
    for seed in SEEDS:
        values = seasonal_series(seed)
        start = 12 + (seed * 7) % 80
        values[start:] += 5 * NOISE
        shifts = analyse(values).shifts
        near = [f for f in shifts if abs(f.index - start) <= 2]
        found += bool(near)
        extra += len(shifts) - len(near)
        if near:
            assert near[0].change == pytest.approx(5 * NOISE, abs=2.5 * NOISE)
    assert found / len(SEEDS) >= 0.95
    assert extra / len(SEEDS) <= 0.02


def test_spike_and_shift_together_are_told_apart():
    values = seasonal_series(3)
    values[30] += 10 * NOISE
    values[70:] -= 6 * NOISE
    result = analyse(values)
    assert [f.index for f in result.spikes] == [30]
    assert [(f.kind, abs(f.index - 70) <= 2) for f in result.shifts] == [(FlagKind.SHIFT, True)]
    assert result.shifts[0].change < 0


def test_without_two_cycles_the_detectors_still_work_on_trend_alone():
    for seed in (2, 3, 4, 5):
        rng = np.random.default_rng(seed)
        values = 500 + 2 * np.arange(40) + rng.normal(0, 5, 40)
        assert analyse(values).flags == ()
        values[25] += 60
        assert [f.index for f in analyse(values).flags] == [25]


def test_short_flat_or_broken_series_are_not_judged():
    assert analyse([1.0, 2.0, 3.0]).flags == ()
    assert analyse([5.0] * 60).flags == ()
    assert analyse([1.0] * 20 + [float("nan")] + [1.0] * 20).flags == ()


def test_settings_are_honoured():
    values = seasonal_series(5)
    values[50] += 5 * NOISE
    assert not analyse(values, DetectorSettings(z_threshold=50)).spikes


def test_trend_compares_with_a_year_ago_when_it_can():
    weekly = [100.0] * 52 + [110.0] * 52
    summary = trend(weekly)
    assert summary.lag == 52
    assert summary.relative == pytest.approx(0.10)
    assert summary.direction == "up"
    short = trend([100.0] * 10 + [90.0] * 10)
    assert short.lag == 13 and short.direction == "down"
    assert trend([1.0, 2.0]) is None
    assert trend([100.0] * 60).direction == "flat"


def test_points_next_to_a_shift_are_not_called_spikes_and_small_flags_can_be_ignored():
    values = seasonal_series(11)
    values[50:] += 6 * NOISE
    result = analyse(values)
    assert [abs(f.index - 50) <= 2 for f in result.shifts] == [True]
    assert not [f for f in result.spikes if abs(f.index - 50) <= 2]
    values = seasonal_series(12)
    values[40] += 8 * NOISE  # ~15% of a level near 1,100
    assert [f.index for f in analyse(values).spikes] == [40]
    assert analyse(values, DetectorSettings(min_relative=0.5)).flags == ()
