"""The backtest engine: vectorised NumPy, long-only, one position at a time.

Execution contract (docs/trading-lab.md has a worked example):

* target[t] = signal[t-1]: a decision made on bar t's close executes at bar t+1's open.
* For each bar t >= 1: (1) target 0 lifts the stop-out block; (2) in position and target 0: sell
  all at open[t]; (3) flat, target 1 and not blocked: buy at open[t] with
  notional = cash x position_pct/100, quantity = notional x (1 - commission) / open[t];
  (4) in position, stop_loss_pct > 0 and low[t] <= entry x (1 - stop_loss_pct/100): sell all at
  min(open[t], stop price) and block re-entry until the target has been 0; (5) equity[t] =
  cash + quantity x close[t]. A sale adds quantity x price x (1 - commission) to cash. A position
  open at the end is sold at the last close and the last equity point is the resulting cash.

The fill and stop rules are small functions below (buy_fill, sale_proceeds, stop_price, stop_hit,
stop_fill, mark_to_market) that work on arrays and scalars alike: paper trading (trading/paper.py)
replays bar by bar with the same functions, and trading/tests/test_parity.py checks they agree.

Because re-entry after a stop needs the target to fall to 0 first, every run of target == 1 holds
exactly one trade. The engine therefore works per run, never per bar in Python: runs are found
with diff, stop hits with one vectorised comparison, and cash after each trade is a cumulative
product of per-trade growth factors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ENGINE_VERSION = "1.0.0"
SECONDS_PER_YEAR = 365 * 24 * 3600


class BacktestError(ValueError):
    """Bad input to the engine: a clear message, never a traceback for the user."""


@dataclass
class Candles:
    """OHLCV columns as NumPy arrays; `timestamp` is epoch milliseconds (int64)."""

    timestamp: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return len(self.close)

    def as_dict(self) -> dict[str, np.ndarray]:
        return {
            "timestamp": self.timestamp,
            "open": self.open,
            "high": self.high,
            "low": self.low,
            "close": self.close,
            "volume": self.volume,
        }

    def head(self, n: int) -> Candles:
        return Candles(**{k: v[:n] for k, v in self.as_dict().items()})


@dataclass
class Signals:
    """A strategy's targets (0 or 1 per bar) and the indicator series behind them (for the why cards)."""

    target: np.ndarray
    indicators: dict[str, np.ndarray] = field(default_factory=dict)


# --- indicators and built-in strategies -----------------------------------------------------------


def sma(values: np.ndarray, window: int) -> np.ndarray:
    """Simple moving average; NaN until `window` values exist."""
    out = np.full(len(values), np.nan)
    if window <= len(values):
        csum = np.cumsum(values, dtype=np.float64)
        out[window - 1] = csum[window - 1] / window
        out[window:] = (csum[window:] - csum[:-window]) / window
    return out


def rsi(close: np.ndarray, period: int) -> np.ndarray:
    """Relative strength index with Wilder's smoothing; NaN for the first `period` bars."""
    out = np.full(len(close), np.nan)
    if len(close) <= period:
        return out
    change = np.diff(close)
    gain, loss = np.clip(change, 0, None), np.clip(-change, 0, None)
    alpha = 1.0 / period
    avg_gain, avg_loss = _wilder(gain, period, alpha), _wilder(loss, period, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        rs = avg_gain / avg_loss
        values = 100 - 100 / (1 + rs)
    values = np.where(avg_loss == 0, 100.0, values)
    out[period:] = values[period - 1 :]
    return out


def _wilder(x: np.ndarray, period: int, alpha: float) -> np.ndarray:
    """Wilder's running mean: seeded with the simple mean of the first `period` values."""
    out = np.empty(len(x))
    out[: period - 1] = np.nan
    seed = x[:period].mean()
    rest = x[period:]
    # y[k] = (1-alpha) y[k-1] + alpha x[k], solved in closed form with powers of (1-alpha).
    decay = 1.0 - alpha
    n = len(rest)
    if n == 0:
        out[period - 1] = seed
        return out
    # Work in blocks so powers of decay never underflow to zero over long series.
    block = 512
    values = np.empty(n + 1)
    values[0] = seed
    powers = decay ** np.arange(1, block + 1)
    inverse = decay ** -np.arange(1, block + 1)
    for start in range(0, n, block):
        chunk = rest[start : start + block]
        m = len(chunk)
        acc = np.cumsum(alpha * chunk * inverse[:m])
        values[start + 1 : start + 1 + m] = powers[:m] * (values[start] + acc)
    out[period - 1 :] = values
    return out


def rolling_max(values: np.ndarray, window: int) -> np.ndarray:
    out = np.full(len(values), np.nan)
    if window <= len(values):
        view = np.lib.stride_tricks.sliding_window_view(values, window)
        out[window - 1 :] = view.max(axis=1)
    return out


def rolling_min(values: np.ndarray, window: int) -> np.ndarray:
    out = np.full(len(values), np.nan)
    if window <= len(values):
        view = np.lib.stride_tricks.sliding_window_view(values, window)
        out[window - 1 :] = view.min(axis=1)
    return out


def _int_param(params: dict, name: str, default: int, low: int = 1, high: int = 100_000) -> int:
    value = params.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BacktestError(f"{name} must be a whole number, not {value!r}") from None
    if float(value) != number or not low <= number <= high:
        raise BacktestError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return number


def _float_param(params: dict, name: str, default: float, low: float, high: float) -> float:
    value = params.get(name, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BacktestError(f"{name} must be a number, not {value!r}") from None
    if not np.isfinite(number) or not low <= number <= high:
        raise BacktestError(f"{name} must be between {low} and {high}, not {value!r}")
    return number


def sma_crossover(candles: Candles, params: dict) -> Signals:
    """1 while both SMAs of the close are defined and SMA(fast) > SMA(slow), else 0."""
    fast = _int_param(params, "fast", 20)
    slow = _int_param(params, "slow", 50)
    if fast >= slow:
        raise BacktestError("fast must be shorter than slow")
    fast_sma, slow_sma = sma(candles.close, fast), sma(candles.close, slow)
    with np.errstate(invalid="ignore"):
        target = (fast_sma > slow_sma).astype(np.int8)  # NaN compares False
    return Signals(target, {f"sma_{fast}": fast_sma, f"sma_{slow}": slow_sma})


def rsi_reversion(candles: Candles, params: dict) -> Signals:
    """Buy the dip: becomes 1 when RSI(period) falls below `lower`, stays 1 until RSI rises above `upper`."""
    period = _int_param(params, "period", 14, 2, 1000)
    lower = _float_param(params, "lower", 30, 0, 100)
    upper = _float_param(params, "upper", 70, 0, 100)
    if lower >= upper:
        raise BacktestError("lower must be below upper")
    values = rsi(candles.close, period)
    # A state machine without a loop: the latest crossing event (enter=1 / exit=0) carries forward.
    events = np.full(len(values), -1, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        events[values < lower] = 1
        events[values > upper] = 0
    return Signals(_carry_forward(events), {f"rsi_{period}": values})


def breakout(candles: Candles, params: dict) -> Signals:
    """Donchian breakout: 1 after the close exceeds the previous `entry` bars' high, 0 after it falls
    below the previous `exit` bars' low."""
    entry = _int_param(params, "entry", 20)
    exit_ = _int_param(params, "exit", 10)
    upper = np.r_[np.nan, rolling_max(candles.high, entry)[:-1]]
    lower = np.r_[np.nan, rolling_min(candles.low, exit_)[:-1]]
    events = np.full(len(candles), -1, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        events[candles.close > upper] = 1
        events[candles.close < lower] = 0
    return Signals(_carry_forward(events), {f"high_{entry}": upper, f"low_{exit_}": lower})


def buy_and_hold(candles: Candles, params: dict) -> Signals:
    """Always 1: buys at the second bar's open and holds to the end."""
    return Signals(np.ones(len(candles), dtype=np.int8), {})


def _carry_forward(events: np.ndarray) -> np.ndarray:
    """Turn sparse events (-1 = no event) into a state that holds the latest event (0 before any)."""
    index = np.where(events >= 0, np.arange(len(events)), -1)
    np.maximum.accumulate(index, out=index)
    state = np.where(index >= 0, events[np.maximum(index, 0)], 0)
    return state.astype(np.int8)


STRATEGIES = {
    "sma_crossover": (sma_crossover, {"fast": 20, "slow": 50}),
    "rsi_reversion": (rsi_reversion, {"period": 14, "lower": 30, "upper": 70}),
    "breakout": (breakout, {"entry": 20, "exit": 10}),
    "buy_and_hold": (buy_and_hold, {}),
}


def builtin_signals(name: str, candles: Candles, params: dict) -> Signals:
    if name not in STRATEGIES:
        raise BacktestError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    function, defaults = STRATEGIES[name]
    unknown = set(params) - set(defaults)
    if unknown:
        raise BacktestError(f"{name} has no parameter {', '.join(sorted(unknown))}; it takes {', '.join(defaults)}")
    return function(candles, {**defaults, **params})


def builtin_check(name: str, params: dict) -> None:
    """Refuse an unknown built-in strategy or bad parameters before any data is read, so a request
    can answer at once and nothing is queued. Raises BacktestError with the same messages as a run."""
    flat = np.ones(3)
    builtin_signals(name, Candles(np.arange(3, dtype=np.int64), flat, flat, flat, flat, flat), params)


# --- execution ---------------------------------------------------------------------------------
# The fill and stop rules of the contract, shared with paper trading (trading/paper.py) so the two
# cannot drift apart. Plain arithmetic on floats (the paper replay, one bar at a time) or NumPy
# arrays (the vectorised engine, one element per trade or bar); N is one or the other.


def buy_fill[N: (float, np.ndarray)](*, cash: N, pct: float, price: N, commission: float) -> tuple[N, N]:
    """Spend `pct` % of `cash` at `price`, the commission paid out of that notional.
    Returns (quantity bought, cash left)."""
    notional = cash * (pct / 100)
    return notional * (1 - commission) / price, cash - notional


def sale_proceeds[N: (float, np.ndarray)](*, quantity: N, price: N, commission: float) -> N:
    """Cash received for selling `quantity` at `price`, after the commission."""
    return quantity * price * (1 - commission)


def stop_price[N: (float, np.ndarray)](*, entry: N, stop_loss_pct: float) -> N:
    """The price `stop_loss_pct` % below the entry price."""
    return entry * (1 - stop_loss_pct / 100)


def stop_hit[N: (float, np.ndarray)](*, low: N, stop: N) -> bool | np.ndarray:
    """A bar whose low reaches the stop price triggers the stop."""
    return low <= stop


def stop_fill[N: (float, np.ndarray)](*, open_: N, stop: N) -> N:
    """The stop sells at the stop price, or at the open when the bar gaps below it."""
    return np.minimum(open_, stop)


def mark_to_market[N: (float, np.ndarray)](*, cash: N, quantity: N, price: N) -> N:
    """Equity: cash plus the position valued at `price` (the bar's close)."""
    return cash + quantity * price


@dataclass
class Trades:
    """One row per trade, as parallel arrays (a million bars can hold thousands of trades)."""

    entry_bar: np.ndarray
    exit_bar: np.ndarray
    entry_price: np.ndarray
    exit_price: np.ndarray
    quantity: np.ndarray
    cash_before: np.ndarray
    cash_after: np.ndarray
    fees: np.ndarray
    reason: np.ndarray  # "signal", "stop" or "end"

    def __len__(self) -> int:
        return len(self.entry_bar)


@dataclass
class BacktestResult:
    metrics: dict
    equity: np.ndarray
    trades: Trades
    signals: Signals
    candles: Candles
    settings: dict

    def trade_rows(self, limit: int | None = None) -> list[dict]:
        """Trades with times, prices and the indicator values that caused entry and exit."""
        rows = []
        t, s = self.trades, self.signals
        ts = self.candles.timestamp
        count = len(t) if limit is None else min(limit, len(t))
        for i in range(count):
            entry, exit_ = int(t.entry_bar[i]), int(t.exit_bar[i])
            decided = entry - 1  # the bar whose close made the decision
            exit_decided = exit_ - 1 if t.reason[i] == "signal" else exit_
            rows.append(
                {
                    "number": i + 1,
                    "entry_time": int(ts[entry]),
                    "exit_time": int(ts[exit_]),
                    "entry_price": float(t.entry_price[i]),
                    "exit_price": float(t.exit_price[i]),
                    "quantity": float(t.quantity[i]),
                    "pnl": float(t.cash_after[i] - t.cash_before[i]),
                    "return_pct": float((t.cash_after[i] / t.cash_before[i] - 1) * 100) if t.cash_before[i] else 0.0,
                    "fees": float(t.fees[i]),
                    "exit_reason": str(t.reason[i]),
                    "entry_why": _why(s.indicators, self.candles, decided),
                    "exit_why": _why(s.indicators, self.candles, exit_decided)
                    | ({"stop_price": float(t.exit_price[i])} if t.reason[i] == "stop" else {}),
                }
            )
        return rows


def _why(indicators: dict[str, np.ndarray], candles: Candles, bar: int) -> dict:
    values: dict[str, float | None] = {"bar_time": int(candles.timestamp[bar]), "close": float(candles.close[bar])}
    for name, series in indicators.items():
        value = float(series[bar])
        values[name] = None if np.isnan(value) else round(value, 6)
    return values


def run_backtest(
    candles: Candles,
    signals: Signals,
    *,
    cash: float = 10_000.0,
    position_pct: float = 100.0,
    stop_loss_pct: float = 0.0,
    commission: float = 0.001,
) -> BacktestResult:
    n = len(candles)
    if n < 2:
        raise BacktestError("a backtest needs at least 2 candles")
    if not cash > 0:
        raise BacktestError("starting cash must be positive")
    if not 0 < position_pct <= 100:
        raise BacktestError("position size must be more than 0 and at most 100 percent")
    if not 0 <= stop_loss_pct < 100:
        raise BacktestError("stop loss must be from 0 (none) to below 100 percent")
    if not 0 <= commission < 1:
        raise BacktestError("commission must be a fraction from 0 to below 1 (0.001 = 0.1 %)")
    signal = np.asarray(signals.target)
    if signal.shape != (n,):
        raise BacktestError(f"the strategy returned {signal.shape[0] if signal.ndim else 0} targets for {n} bars")
    if not np.isin(signal, (0, 1)).all():
        raise BacktestError("targets must be 0 (flat) or 1 (long) for every bar")

    o, lo, c = candles.open, candles.low, candles.close
    target = np.empty(n, dtype=np.int8)
    target[0] = 0  # nothing executes at the first bar
    target[1:] = signal[:-1]
    edges = np.diff(target, prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)  # entry bars
    ends = np.flatnonzero(edges == -1)  # first bar back at 0 (n when the run reaches the end)
    k = len(starts)

    exit_bar = np.minimum(ends, n - 1)
    exit_price = np.where(ends < n, o[np.minimum(ends, n - 1)], c[n - 1])
    reason = np.where(ends < n, "signal", "end").astype(object)
    entry_price = o[starts]
    if stop_loss_pct > 0 and k:
        stop = stop_price(entry=entry_price, stop_loss_pct=stop_loss_pct)
        run_of_bar = np.cumsum(edges[:-1] == 1) - 1
        in_run = target == 1
        threshold = np.where(in_run, stop[np.maximum(run_of_bar, 0)], -np.inf)
        hit_bars = np.flatnonzero(in_run & stop_hit(low=lo, stop=threshold))
        if len(hit_bars):
            hit_runs = run_of_bar[hit_bars]
            first = np.r_[True, hit_runs[1:] != hit_runs[:-1]]
            runs, bars = hit_runs[first], hit_bars[first]
            exit_bar[runs] = bars
            exit_price[runs] = stop_fill(open_=o[bars], stop=stop[runs])
            reason[runs] = "stop"

    # Each trade multiplies cash by what one unit of cash becomes: the part kept back plus the
    # proceeds of the part invested. The cumulative product chains the trades without a loop.
    fee = commission
    unit_quantity, unit_left = buy_fill(cash=np.ones(k), pct=position_pct, price=entry_price, commission=fee)
    growth = unit_left + sale_proceeds(quantity=unit_quantity, price=exit_price, commission=fee)
    cash_after = cash * np.cumprod(growth)
    cash_before = np.r_[cash, cash_after[:-1]]
    quantity, cash_left = buy_fill(cash=cash_before, pct=position_pct, price=entry_price, commission=fee)
    fees = (cash_before - cash_left) * fee + quantity * exit_price * fee

    # Equity: flat bars hold the cash after the latest exit; holding bars [entry, exit) mark to close.
    # Trades never overlap (s0 <= x0 < s1 <= x1 ...), so running counts of entries and exits give,
    # for every bar, the current trade and the number of trades already closed.
    marks = np.zeros(n, dtype=np.int32)
    marks[exit_bar] = 1
    exits_done = np.cumsum(marks)
    equity = np.r_[cash, cash_after][exits_done]
    holding = np.zeros(n, dtype=bool)
    if k:
        marks[:] = 0
        marks[starts] = 1
        current = np.cumsum(marks) - 1
        # Holding bars [entry, exit): an entry has happened and its trade is not closed yet.
        holding = (current >= 0) & (exits_done == current)
        i = current[holding]
        equity[holding] = mark_to_market(cash=cash_left[i], quantity=quantity[i], price=c[holding])

    trades = Trades(starts, exit_bar, entry_price, exit_price, quantity, cash_before, cash_after, fees, reason)
    settings = {"cash": cash, "position_pct": position_pct, "stop_loss_pct": stop_loss_pct, "commission": commission}
    metrics = compute_metrics(candles, equity, trades, holding, cash)
    return BacktestResult(metrics, equity, trades, signals, candles, settings)


# --- metrics -----------------------------------------------------------------------------------


def compute_metrics(candles: Candles, equity: np.ndarray, trades: Trades, holding: np.ndarray, cash: float) -> dict:
    ts_seconds = candles.timestamp.astype(np.float64) / 1000
    n = len(equity)
    intervals = np.diff(ts_seconds)
    if len(intervals) and intervals.min() == intervals.max():
        median_interval = float(intervals[0])  # regular bars: skip the sort
    else:
        median_interval = float(np.median(intervals)) if len(intervals) else 0.0
    periods_per_year = SECONDS_PER_YEAR / median_interval if median_interval > 0 else 0.0
    returns = equity[1:] / equity[:-1] - 1
    mean = float(returns.mean()) if len(returns) else 0.0
    std = float(returns.std(ddof=1)) if len(returns) > 1 else 0.0
    annual = np.sqrt(periods_per_year)
    sharpe = mean / std * annual if std > 0 else 0.0
    downside = float(np.sqrt(np.mean(np.minimum(returns, 0) ** 2))) if len(returns) else 0.0
    sortino = mean / downside * annual if downside > 0 else 0.0

    peak = np.maximum.accumulate(equity)
    drawdown = 1 - equity / peak
    max_drawdown = float(drawdown.max()) * 100
    # Longest stretch below a previous peak, in seconds (peak bar to recovery bar, or to the end).
    at_peak = np.flatnonzero(equity >= peak)
    following = np.r_[at_peak[1:], n - 1]
    gap = following - at_peak
    underwater = np.r_[gap[:-1] > 1, gap[-1:] > 0]
    spans = ts_seconds[following] - ts_seconds[at_peak]
    max_dd_duration = float(spans[underwater].max()) if underwater.any() else 0.0

    final = float(equity[-1])
    years = (ts_seconds[-1] - ts_seconds[0]) / SECONDS_PER_YEAR
    cagr = 0.0
    if years > 0 and final > 0:
        with np.errstate(over="ignore"):  # a few hours "annualised" can overflow: reported as null
            cagr = float(np.expm1(np.log(final / cash) / years) * 100)
    pnl = trades.cash_after - trades.cash_before
    profit, loss = float(pnl[pnl > 0].sum()), float(-pnl[pnl < 0].sum())
    k = len(trades)
    trade_returns = (trades.cash_after / trades.cash_before - 1) * 100 if k else np.array([])
    durations = ts_seconds[trades.exit_bar] - ts_seconds[trades.entry_bar] if k else np.array([])
    return {
        "engine_version": ENGINE_VERSION,
        "bars": n,
        "start": int(candles.timestamp[0]),
        "end": int(candles.timestamp[-1]),
        "initial_cash": cash,
        "final_equity": final,
        "total_return_pct": (final / cash - 1) * 100,
        "num_trades": k,
        "win_rate_pct": float((trades.cash_after > trades.cash_before).mean() * 100) if k else 0.0,
        "max_drawdown_pct": max_drawdown,
        "sharpe_ratio": float(sharpe),
        "buy_and_hold_return_pct": float((candles.close[-1] / candles.close[0] - 1) * 100),
        "cagr_pct": float(cagr),
        "sortino_ratio": float(sortino),
        "calmar_ratio": float(cagr / max_drawdown) if max_drawdown > 0 else 0.0,
        "volatility_ann_pct": float(std * annual * 100),
        "profit_factor": (profit / loss if loss > 0 else (float("inf") if profit > 0 else 0.0)),
        "expectancy_pct": float(trade_returns.mean()) if k else 0.0,
        "exposure_pct": float(holding.mean() * 100),
        "avg_trade_duration": float(durations.mean()) if k else 0.0,
        "max_drawdown_duration": max_dd_duration,
        "fees_paid": float(trades.fees.sum()),
        "periods_per_year": periods_per_year,
    }


def json_safe(metrics: dict) -> dict:
    """JSON has no infinity: a profit factor with no losing trade is reported as null."""
    return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in metrics.items()}
