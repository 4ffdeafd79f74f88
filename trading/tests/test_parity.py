"""One execution contract: a paper session that follows only its strategy, at full size, trades
exactly as the backtest engine does on the same stored candles and signals.

The session runs for real (paper_session_start, the task on commit, the immediate task backend)
against candles in the database; the engine runs on the same candles read back with candles_load.
"""

from decimal import Decimal

import numpy as np
import pytest

from trading.engine import Candles, builtin_signals, run_backtest, sale_proceeds, stop_price
from trading.market_data import synthetic_candles
from trading.models import PaperStatus
from trading.paper import COMMISSION, paper_session_start
from trading.selectors import candles_load
from trading.series import downsample
from trading.services import candles_import
from trading.tests.factories import BotConfigurationFactory, TradingStrategyFactory

pytestmark = pytest.mark.django_db
SYMBOL, TIMEFRAME, BARS = "PARITY/USDT", "1h", 1500
REL = 1e-9  # both sides do the same float arithmetic, only in a different order
MONEY = 1e-6  # absolute slack for amounts near zero (a P&L close to break-even)
STORED = 1e-4  # the session stores its equity curve rounded to 4 decimals


def with_gaps(candles: Candles, *, seed: int) -> Candles:
    """The synthetic walk opens every bar at the previous close. Open each bar a little away from
    it, and every 37th bar 3 % lower, so that a fill at the open differs from one at the previous
    close and some stops are hit by a gap (filled at the open, below the stop price)."""
    rng = np.random.default_rng(seed)
    moved = candles.close[:-1] * (1 + rng.normal(0, 0.002, len(candles) - 1))
    moved[36::37] *= 0.97
    o = np.round(np.concatenate([candles.open[:1], moved]), 2)
    return Candles(
        candles.timestamp, o, np.maximum(candles.high, o), np.minimum(candles.low, o), candles.close, candles.volume
    )


def approx(value, tolerance=MONEY):
    return pytest.approx(value, rel=REL, abs=tolerance)


@pytest.mark.parametrize(
    ("seed", "stop_loss_pct", "open_at_end"),
    [
        (3, 0, True),  # signal exits only; still long at the end
        (4, 0, False),  # signal exits only; flat at the end
        (3, 2, False),  # stops (some through gaps) and the re-entry block
        (2, 2, True),  # stops, and still long at the end
    ],
)
def test_a_paper_session_trades_as_the_engine(django_capture_on_commit_callbacks, seed, stop_loss_pct, open_at_end):
    generated = with_gaps(synthetic_candles(bars=BARS, seed=seed, timeframe=TIMEFRAME), seed=seed)
    candles_import(symbol=SYMBOL, timeframe=TIMEFRAME, candles=generated, synthetic=True)
    candles, _ = candles_load(symbol=SYMBOL, timeframe=TIMEFRAME)
    # No LLM (weight 0, so it is never asked), the strategy alone (weight 1), and a threshold of 1:
    # a target of 1 asks for 100 % of cash, which the 100 % maximum position size does not clamp.
    bot = BotConfigurationFactory(
        max_position_size_percent=Decimal("100"),
        stop_loss_percent=Decimal(stop_loss_pct),
        config_json={
            "symbol": SYMBOL,
            "timeframe": TIMEFRAME,
            "signal_weights": {"strategy": 1.0, "llm": 0.0},
            "entry_threshold": 1.0,
            "llm_every_bars": 24,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):  # the task is enqueued on commit
        session = paper_session_start(user=bot.user, bot=bot)
    session.refresh_from_db()
    assert session.status == PaperStatus.FINISHED, session.error
    assert session.llm_calls == 0 and not session.events.filter(kind="clamp").exists()

    # A bot without a strategy of its own trades the built-in SMA crossover with its defaults.
    signals = builtin_signals("sma_crossover", candles, {})
    result = run_backtest(
        candles,
        signals,
        cash=session.starting_cash,
        position_pct=100,
        stop_loss_pct=stop_loss_pct,
        commission=COMMISSION,
    )
    expected = result.trade_rows()
    close = candles.close

    # The one intended difference: the engine sells a position still open after the last bar at the
    # last close (exit reason "end"), while a paper session simply stops with the position open. So
    # the engine's "end" trade is compared with the session's open position, and the session's last
    # equity (marked to the close) plus what that sale would bring is the engine's last equity.
    if open_at_end:
        end = expected.pop()
        assert end["exit_reason"] == "end"
        assert session.entry_price == approx(end["entry_price"])
        assert session.quantity == approx(end["quantity"])
        assert session.equity == approx(session.cash + session.quantity * close[-1])
        with_sale = session.cash + sale_proceeds(quantity=session.quantity, price=close[-1], commission=COMMISSION)
        assert result.equity[-1] == approx(with_sale)
    else:
        assert expected[-1]["exit_reason"] != "end"
        assert session.quantity == 0 and session.entry_price is None
        assert session.equity == approx(result.equity[-1])

    trades = session.trades
    assert len(trades) == len(expected) > 5
    for paper, engine in zip(trades, expected, strict=True):
        assert paper["exit_reason"] == engine["exit_reason"]
        assert (paper["entry_time"], paper["exit_time"]) == (engine["entry_time"], engine["exit_time"])
        for name in ("entry_price", "exit_price", "quantity", "pnl"):
            assert paper[name] == approx(engine[name]), (name, paper, engine)
    reasons = [t["exit_reason"] for t in trades]
    if stop_loss_pct:
        stops = [t for t in trades if t["exit_reason"] == "stop"]
        assert stops and "signal" in reasons
        # Some stops are filled at a gapped open below the stop price: min(open, stop) is exercised.
        stop_prices = [stop_price(entry=t["entry_price"], stop_loss_pct=stop_loss_pct) for t in stops]
        assert any(t["exit_price"] < level - 0.01 for t, level in zip(stops, stop_prices, strict=True))
    else:
        assert set(reasons) == {"signal"}

    # The equity curve, downsampled the way the session stores it, bar for bar except the last.
    times, values = downsample(candles.timestamp, result.equity, points=400)
    stored = np.array(session.equity_curve)
    assert stored[:, 0].astype(np.int64).tolist() == times.tolist()
    assert stored[:-1, 1].tolist() == approx(values[:-1].tolist(), STORED)
    assert stored[-1, 1] == approx(session.equity, STORED)


def test_a_strategy_long_from_the_first_bar_buys_at_the_second_open(django_capture_on_commit_callbacks):
    # The engine acts on bar 0's target at bar 1's open; the session decides at bar 0's close too.
    generated = with_gaps(synthetic_candles(bars=200, seed=5, timeframe=TIMEFRAME), seed=5)
    candles_import(symbol=SYMBOL, timeframe=TIMEFRAME, candles=generated, synthetic=True)
    candles, _ = candles_load(symbol=SYMBOL, timeframe=TIMEFRAME)
    bot = BotConfigurationFactory(
        max_position_size_percent=Decimal("100"),
        config_json={"symbol": SYMBOL, "timeframe": TIMEFRAME, "signal_weights": {"strategy": 1.0, "llm": 0.0},
                     "entry_threshold": 1.0},
    )  # fmt: skip
    TradingStrategyFactory(
        bot_config=bot,
        is_active=True,
        strategy_code="import numpy as np\n\ndef signals(candles, params):\n"
        "    return np.ones(len(candles['close']), dtype=np.int8)\n",
    )
    with django_capture_on_commit_callbacks(execute=True):
        session = paper_session_start(user=bot.user, bot=bot)
    session.refresh_from_db()
    assert session.status == PaperStatus.FINISHED, session.error
    result = run_backtest(
        candles, builtin_signals("buy_and_hold", candles, {}), position_pct=100, commission=COMMISSION
    )
    (end,) = result.trade_rows()
    assert end["entry_time"] == int(candles.timestamp[1]) and session.trades == []
    assert session.entry_price == approx(end["entry_price"]) and session.quantity == approx(end["quantity"])
