"""Writes for the trading lab."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
from django.db import connection, transaction

from trading import llm
from trading.engine import (
    ENGINE_VERSION,
    BacktestError,
    BacktestResult,
    Candles,
    builtin_signals,
    json_safe,
    run_backtest,
)
from trading.models import BacktestRun, BotConfiguration, LLMAnswer, TradingStrategy
from trading.selectors import candles_load, llm_answer_cached
from trading.series import downsample
from trading.strategies import strategy_run

if TYPE_CHECKING:
    from accounts.models import User

MAX_STORED_TRADES = 2000


@dataclass
class ImportReport:
    rows: int
    inserted: int

    @property
    def already_present(self) -> int:
        return self.rows - self.inserted


@transaction.atomic
def candles_import(*, symbol: str, timeframe: str, candles: Candles, synthetic: bool = False) -> ImportReport:
    """Bulk-load validated candles with PostgreSQL COPY into a temporary table, then insert the
    rows that are not there yet: re-importing overlapping data changes nothing."""
    symbol, timeframe = symbol.strip().upper(), timeframe.strip()
    if not symbol or len(symbol) > 30 or not timeframe or len(timeframe) > 10:
        raise ValueError("symbol (up to 30 characters) and timeframe (up to 10) are required")
    buffer = io.StringIO()
    table = np.column_stack([candles.timestamp, candles.open, candles.high, candles.low, candles.close, candles.volume])
    np.savetxt(buffer, table, delimiter=",", fmt=["%d"] + ["%.17g"] * 5)
    with connection.cursor() as cursor:
        # Dropped at commit; dropped here too for two imports inside one transaction.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.candle_import")
        cursor.execute(
            "CREATE TEMP TABLE candle_import (ms bigint, open float8, high float8, low float8, close float8,"
            " volume float8) ON COMMIT DROP"
        )
        with cursor.copy("COPY candle_import FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            """INSERT INTO candles (symbol, timeframe, timestamp, open, high, low, close, volume, is_synthetic)
               SELECT %s, %s, to_timestamp(ms / 1000.0), open, high, low, close, volume, %s FROM candle_import
               ON CONFLICT (symbol, timeframe, timestamp) DO NOTHING""",
            [symbol, timeframe, synthetic],
        )
        inserted = cursor.rowcount
    return ImportReport(rows=len(candles), inserted=inserted)


# --- backtests ---------------------------------------------------------------------------------


@dataclass
class BacktestRequest:
    symbol: str
    timeframe: str
    strategy: str  # a built-in name, or "own" with `own_strategy`
    params: dict
    cash: float
    position_pct: float
    stop_loss_pct: float
    commission: float
    own_strategy: TradingStrategy | None = None


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def backtest_create(*, user: User, request: BacktestRequest) -> BacktestRun:
    """Run a backtest on stored candles and keep everything needed to show and compare it.

    The run (a student strategy goes through the sandbox) happens before any write, so no
    transaction is held open while untrusted code runs. Raises BacktestError or StrategyError
    with a message for the form.
    """
    candles, synthetic = candles_load(symbol=request.symbol, timeframe=request.timeframe)
    if len(candles) < 2:
        raise BacktestError(f"there are no stored candles for {request.symbol} {request.timeframe}")
    lookahead: list[dict] = []
    if request.own_strategy is not None:
        run = strategy_run(request.own_strategy.strategy_code or "", candles, request.params)
        signals, lookahead = run.signals, run.lookahead
        name = request.own_strategy.strategy_name
    else:
        signals = builtin_signals(request.strategy, candles, request.params)
        name = request.strategy
    result = run_backtest(
        candles,
        signals,
        cash=request.cash,
        position_pct=request.position_pct,
        stop_loss_pct=request.stop_loss_pct,
        commission=request.commission,
    )
    # The benchmark beside every result: buying at the second bar's open with the same cash and
    # commission, holding to the end.
    benchmark = run_backtest(
        candles, builtin_signals("buy_and_hold", candles, {}), cash=request.cash, commission=request.commission
    )
    times, equity, hold = downsample(candles.timestamp, result.equity, benchmark.equity)
    metrics = json_safe(result.metrics)
    metrics["buy_and_hold"] = json_safe(benchmark.metrics)
    outcome = BacktestOutcome(
        name=name,
        candles=candles,
        synthetic=synthetic,
        result=result,
        metrics=metrics,
        curve=[[int(t), round(float(e), 4), round(float(h), 4)] for t, e, h in zip(times, equity, hold, strict=True)],
        lookahead=lookahead,
    )
    with transaction.atomic():
        return _backtest_store(user=user, request=request, outcome=outcome)


@dataclass
class BacktestOutcome:
    """A finished run, ready to store."""

    name: str
    candles: Candles
    synthetic: bool
    result: BacktestResult
    metrics: dict  # JSON-safe, with the benchmark's under "buy_and_hold"
    curve: list[list[float]]  # [[ms, equity, buy-and-hold equity], ...] downsampled
    lookahead: list[dict]


def _backtest_store(*, user: User, request: BacktestRequest, outcome: BacktestOutcome) -> BacktestRun:
    candles, own = outcome.candles, request.own_strategy
    backtest = BacktestRun.objects.create(
        user=user,
        strategy=own,
        strategy_name=outcome.name,
        parameters=request.params,
        symbol=request.symbol,
        timeframe=request.timeframe,
        data_start=_utc(int(candles.timestamp[0])),
        data_end=_utc(int(candles.timestamp[-1])),
        bars=len(candles),
        is_synthetic=outcome.synthetic,
        engine_version=ENGINE_VERSION,
        cash=Decimal(str(request.cash)),
        position_pct=Decimal(str(request.position_pct)),
        stop_loss_pct=Decimal(str(request.stop_loss_pct)),
        commission=Decimal(str(request.commission)),
        metrics={**outcome.metrics, "lookahead": outcome.lookahead},
        equity_curve=outcome.curve,
        trades=outcome.result.trade_rows(limit=MAX_STORED_TRADES),
        lookahead_flag=bool(outcome.lookahead),
    )
    if own is not None:
        TradingStrategy.objects.filter(pk=own.pk).update(
            backtest_results={"backtest_id": str(backtest.pk), **outcome.metrics}
        )
    return backtest


# --- bots and strategies ------------------------------------------------------------------------


@transaction.atomic
def bot_save(*, user: User, bot: BotConfiguration | None, fields: dict, config: dict) -> BotConfiguration:
    bot = bot or BotConfiguration(user=user)
    if bot.user_id != user.pk:
        raise PermissionError("a bot can only be changed by its owner")
    for name, value in fields.items():
        setattr(bot, name, value)
    bot.config_json = config
    bot.is_paper_trading = True  # the only mode there is
    bot.full_clean()
    bot.save()
    return bot


@transaction.atomic
def strategy_save(
    *, bot: BotConfiguration, strategy: TradingStrategy | None, name: str, code: str, active: bool
) -> TradingStrategy:
    strategy = strategy or TradingStrategy(bot_config=bot)
    strategy.strategy_name, strategy.strategy_code, strategy.is_active = name, code, active
    strategy.full_clean()
    strategy.save()
    if active:
        TradingStrategy.objects.filter(bot_config=bot).exclude(pk=strategy.pk).update(is_active=False)
    return strategy


# --- LLM signals ---------------------------------------------------------------------------------


def llm_signal_cached(*, provider: str, model: str, snapshot: dict) -> tuple[llm.LLMSignal, str]:
    """The signal for this snapshot and who produced it ('openai', ..., or 'rules').

    Answers are stored by a hash of provider, model and prompt, so a rerun gets the same signals;
    a provider that could not be reached is not stored (it may be transient).
    """
    if not llm.is_configured(provider):
        return llm.rules_signal(snapshot), "rules"
    prompt = llm.build_prompt(snapshot)
    key = llm.cache_key(provider, model, prompt)
    stored = llm_answer_cached(cache_key=key)
    if stored is not None:
        return stored, provider
    signal, raw = llm.ask(provider=provider, model=model, prompt=prompt)
    if raw is not None:
        LLMAnswer.objects.get_or_create(
            cache_key=key,
            defaults={
                "provider": provider,
                "model": model,
                "prompt": prompt,
                "raw_answer": raw[:10_000],
                "signal": signal.signal,
                "confidence": signal.confidence,
                "reasoning": signal.reasoning,
                "abstained": signal.abstained,
                "problem": signal.problem,
            },
        )
    return signal, provider
