"""The execution contract, checked on small cases computed by hand."""

import numpy as np
import pytest

from trading import engine
from trading.engine import BacktestError, Candles, Signals, builtin_signals, rsi, run_backtest, sma

HOUR = 3_600_000


def candles(open_, high, low, close):
    n = len(open_)
    return Candles(
        np.arange(n, dtype=np.int64) * HOUR,
        np.array(open_, float),
        np.array(high, float),
        np.array(low, float),
        np.array(close, float),
        np.ones(n),
    )


def signals(values):
    return Signals(np.array(values, dtype=np.int8))


def test_enter_at_the_next_open_and_exit_at_the_open_after_the_signal_drops():
    data = candles([10, 10, 11, 12, 12], [10, 11, 12, 12.5, 13], [10, 10, 11, 12, 12], [10, 11, 12, 12, 13])
    result = run_backtest(data, signals([1, 1, 0, 0, 0]), cash=1000, commission=0.001)
    # Bar 1: buy at 10 with 1000 -> 99.9 units (fee 1). Bar 3: sell 99.9 at 12 -> 1197.6012 (fee 1.1988).
    assert result.equity == pytest.approx([1000, 99.9 * 11, 99.9 * 12, 1197.6012, 1197.6012])
    m = result.metrics
    assert m["final_equity"] == pytest.approx(1197.6012)
    assert m["total_return_pct"] == pytest.approx(19.76012)
    assert m["num_trades"] == 1 and m["win_rate_pct"] == 100
    assert m["fees_paid"] == pytest.approx(2.1988)
    assert m["max_drawdown_pct"] == pytest.approx((1 - 1197.6012 / 1198.8) * 100)
    assert m["buy_and_hold_return_pct"] == pytest.approx(30)
    assert m["exposure_pct"] == pytest.approx(40)  # bars 1 and 2 of 5 held at the close
    rows = result.trade_rows()
    assert rows[0]["exit_reason"] == "signal" and rows[0]["entry_time"] == HOUR and rows[0]["exit_time"] == 3 * HOUR


def test_stop_loss_sells_at_the_stop_and_blocks_re_entry_until_the_target_is_zero():
    data = candles(
        [100, 100, 95, 80, 90, 100, 100],
        [100, 101, 96, 86, 96, 101, 101],
        [99, 96, 85, 78, 88, 99, 99],
        [100, 96, 90, 85, 95, 100, 100],
    )
    result = run_backtest(
        data, signals([1, 1, 1, 1, 0, 1, 1]), cash=1000, position_pct=50, stop_loss_pct=10, commission=0
    )
    # Bar 1: buy 5 units at 100 (half the cash); stop at 90. Bar 2: low 85 <= 90 -> sell at min(95, 90) = 90.
    # Bars 3-4: target still 1 but blocked. Bar 5: target 0 unblocks. Bar 6: buy again at 100 with 950 x 50 %.
    assert result.equity[:6] == pytest.approx([1000, 500 + 5 * 96, 950, 950, 950, 950])
    t = result.trades
    assert list(t.reason) == ["stop", "end"]
    assert t.exit_price[0] == 90 and t.entry_bar[1] == 6
    assert t.quantity[1] == pytest.approx(4.75)
    assert result.metrics["final_equity"] == pytest.approx(950)  # sold at the last close 100
    assert result.metrics["num_trades"] == 2 and result.metrics["win_rate_pct"] == 0


def test_a_gap_below_the_stop_fills_at_the_open():
    data = candles([100, 100, 80, 80], [100, 101, 82, 82], [99, 95, 75, 75], [100, 97, 78, 78])
    result = run_backtest(data, signals([1, 1, 1, 1]), cash=1000, stop_loss_pct=10, commission=0)
    assert result.trades.exit_price[0] == 80  # min(open 80, stop 90)
    assert result.metrics["final_equity"] == pytest.approx(800)


def test_the_stop_can_hit_on_the_entry_bar():
    data = candles([100, 100, 100], [100, 101, 101], [100, 85, 99], [100, 95, 100])
    result = run_backtest(data, signals([1, 1, 1]), cash=1000, stop_loss_pct=10, commission=0)
    assert result.trades.exit_bar[0] == 1 and result.trades.exit_price[0] == 90
    assert result.equity[1] == pytest.approx(900)


def test_an_open_position_is_sold_at_the_last_close_with_commission():
    data = candles([10, 10, 10], [10, 12, 13], [10, 10, 10], [10, 11, 12])
    result = run_backtest(data, signals([1, 1, 1]), cash=100, commission=0.01)
    quantity = 100 * 0.99 / 10
    assert result.equity[1] == pytest.approx(quantity * 11)
    assert result.equity[-1] == pytest.approx(quantity * 12 * 0.99)
    assert result.trades.reason[0] == "end"


def test_a_signal_on_the_last_bar_never_trades():
    data = candles([10, 10, 10], [10, 10, 10], [10, 10, 10], [10, 10, 10])
    result = run_backtest(data, signals([0, 0, 1]), cash=100)
    assert result.metrics["num_trades"] == 0 and result.metrics["final_equity"] == 100


def test_sharpe_and_drawdown_follow_their_definitions():
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    open_ = np.r_[100, close[:-1]]
    data = candles(open_, np.maximum(open_, close) + 1, np.minimum(open_, close) - 1, close)
    target = (np.arange(300) % 20 < 10).astype(np.int8)
    result = run_backtest(data, Signals(target), cash=1000)
    equity = result.equity
    r = equity[1:] / equity[:-1] - 1
    assert result.metrics["sharpe_ratio"] == pytest.approx(r.mean() / r.std(ddof=1) * np.sqrt(8760))
    peak = np.maximum.accumulate(equity)
    assert result.metrics["max_drawdown_pct"] == pytest.approx(((1 - equity / peak) * 100).max())
    assert result.metrics["volatility_ann_pct"] == pytest.approx(r.std(ddof=1) * np.sqrt(8760) * 100)
    assert result.metrics["num_trades"] == 15


def test_sma_crossover_needs_both_averages_defined():
    close = np.array([1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3], float)
    data = candles(close, close, close, close)
    out = builtin_signals("sma_crossover", data, {"fast": 2, "slow": 4})
    fast, slow = sma(close, 2), sma(close, 4)
    expected = [int(not np.isnan(s) and f > s) for f, s in zip(fast, slow, strict=True)]
    assert list(out.target) == expected
    assert list(out.target[:3]) == [0, 0, 0]


def test_rsi_matches_a_plain_loop():
    rng = np.random.default_rng(5)
    close = 100 + np.cumsum(rng.normal(0, 1, 2000))
    period = 14
    gains = np.clip(np.diff(close), 0, None)
    losses = np.clip(-np.diff(close), 0, None)
    avg_g, avg_l = gains[:period].mean(), losses[:period].mean()
    expected = [100 - 100 / (1 + avg_g / avg_l)]
    for g, loss in zip(gains[period:], losses[period:], strict=True):
        avg_g = (avg_g * (period - 1) + g) / period
        avg_l = (avg_l * (period - 1) + loss) / period
        expected.append(100 - 100 / (1 + avg_g / avg_l))
    values = rsi(close, period)
    assert np.isnan(values[:period]).all()
    assert values[period:] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("name", ["rsi_reversion", "breakout", "buy_and_hold"])
def test_other_strategies_give_one_target_per_bar(name):
    rng = np.random.default_rng(1)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 500)))
    data = candles(close, close * 1.01, close * 0.99, close)
    out = builtin_signals(name, data, {})
    assert out.target.shape == (500,) and set(np.unique(out.target)) <= {0, 1}
    assert run_backtest(data, out).metrics["num_trades"] >= 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"position_pct": 0}, "position size"),
        ({"position_pct": 101}, "position size"),
        ({"stop_loss_pct": -1}, "stop loss"),
        ({"commission": 1.5}, "commission"),
        ({"cash": 0}, "cash"),
    ],
)
def test_bad_settings_are_refused_with_a_message(kwargs, message):
    data = candles([1, 1], [1, 1], [1, 1], [1, 1])
    with pytest.raises(BacktestError, match=message):
        run_backtest(data, signals([0, 0]), **kwargs)


def test_bad_targets_and_parameters_are_refused():
    data = candles([1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1])
    with pytest.raises(BacktestError, match="returned 2 targets for 3 bars"):
        run_backtest(data, signals([0, 1]))
    with pytest.raises(BacktestError, match="0 \\(flat\\) or 1"):
        run_backtest(data, Signals(np.array([0, 2, 1])))
    with pytest.raises(BacktestError, match="fast must be shorter"):
        builtin_signals("sma_crossover", data, {"fast": 5, "slow": 3})
    with pytest.raises(BacktestError, match="whole number"):
        builtin_signals("sma_crossover", data, {"fast": "ten"})
    with pytest.raises(BacktestError, match="no parameter"):
        builtin_signals("sma_crossover", data, {"speed": 3})


def test_the_fill_rules_give_the_same_numbers_on_scalars_and_arrays():
    # The engine calls them on arrays of trades, the paper replay on one bar's floats.
    cash, price = np.array([1000.0, 500.0]), np.array([10.0, 20.0])
    quantity, left = engine.buy_fill(cash=cash, pct=40, price=price, commission=0.001)
    assert quantity == pytest.approx([39.96, 9.99]) and left == pytest.approx([600, 300])
    for i in range(2):
        one = engine.buy_fill(cash=float(cash[i]), pct=40, price=float(price[i]), commission=0.001)
        assert one == (quantity[i], left[i])
    assert engine.sale_proceeds(quantity=99.9, price=12.0, commission=0.001) == pytest.approx(1197.6012)
    stop = engine.stop_price(entry=np.array([100.0, 50.0]), stop_loss_pct=10)
    assert stop == pytest.approx([90, 45]) and engine.stop_price(entry=100.0, stop_loss_pct=10) == pytest.approx(90)
    assert list(engine.stop_hit(low=np.array([90.0, 46.0]), stop=stop)) == [True, False]
    assert engine.stop_hit(low=90.0, stop=90.0) and not engine.stop_hit(low=90.5, stop=90.0)
    assert list(engine.stop_fill(open_=np.array([95.0, 40.0]), stop=stop)) == [90, 40]  # a gap fills at the open
    assert engine.stop_fill(open_=80.0, stop=90.0) == 80
    assert engine.mark_to_market(cash=300.0, quantity=9.99, price=21.0) == pytest.approx(300 + 9.99 * 21)
