"""Writes for the trading lab."""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.utils import timezone

from trading import llm
from trading.engine import (
    ENGINE_VERSION,
    BacktestError,
    BacktestResult,
    Candles,
    builtin_check,
    builtin_signals,
    json_safe,
    run_backtest,
)
from trading.models import BacktestRun, BacktestStatus, BotConfiguration, LLMAnswer, LLMUsage, TradingStrategy
from trading.selectors import candles_load, llm_answer_cached, llm_models_allowed, series_summary, utc_today
from trading.series import downsample
from trading.strategies import StrategyError, strategy_run

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)
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
# A request only checks the input and the learner's limits and queues the run; a worker
# (`trading.tasks.backtest_run_task`, `manage.py db_worker`) runs it, so a slow or hostile strategy
# never holds a web worker. The run's page follows its status.

# The sandbox stops a strategy after 25 s: a run still "running" after this long lost its worker.
RUNNING_STALE_AFTER = timedelta(minutes=10)


class BacktestLimitError(BacktestError):
    """One of the learner's limits refused the run; the message says which and when to try again."""


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


def user_limits_lock(*, user_id: UUID, scope: str) -> None:
    """Serialise one learner's limit checks until the end of the transaction (concurrent requests
    would otherwise all count the same rows and all pass)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"trading:{scope}:{user_id}"])


def _backtest_limits_check(*, user: User) -> None:
    now = timezone.now()
    runs = BacktestRun.objects.filter(user=user)
    stale = runs.filter(status=BacktestStatus.RUNNING, started_at__lt=now - RUNNING_STALE_AFTER)
    stale.update(status=BacktestStatus.FAILED, error="the worker running it stopped; run it again", finished_at=now)
    limit = settings.BACKTESTS_MAX_CONCURRENT_PER_USER
    active = runs.filter(status__in=[BacktestStatus.QUEUED, BacktestStatus.RUNNING]).count()
    if active >= limit:
        raise BacktestLimitError(
            f"You already have {active} backtest{pluralize(active)} waiting or running, and at most {limit} can run"
            " at a time. Wait until one has finished, then run this one."
        )
    per_hour = settings.BACKTESTS_PER_HOUR
    recent = runs.filter(created_at__gt=now - timedelta(hours=1))
    started = list(recent.order_by("created_at").values_list("created_at", flat=True)[:per_hour])
    if len(started) >= per_hour:
        oldest = started[0] if started else now
        minutes = max(1, math.ceil((oldest + timedelta(hours=1) - now).total_seconds() / 60))
        raise BacktestLimitError(
            f"You have run {per_hour} backtest{pluralize(per_hour)} in the last hour, the most allowed."
            f" Try again in {minutes} minute{pluralize(minutes)}."
        )


def backtest_create(*, user: User, request: BacktestRequest) -> BacktestRun:
    """Check the input and the learner's limits, store the run as queued and queue it.

    Raises BacktestLimitError when a limit is reached and BacktestError for input that cannot
    run; either way nothing is stored. With the immediate task backend (tests) the run has finished
    when this returns.
    """
    if request.own_strategy is None:
        builtin_check(request.strategy, request.params)
    series = series_summary(symbol=request.symbol, timeframe=request.timeframe)
    if series is None or series["bars"] < 2:
        raise BacktestError(f"there are no stored candles for {request.symbol} {request.timeframe}")
    own = request.own_strategy
    with transaction.atomic():
        user_limits_lock(user_id=user.pk, scope="backtests")
        _backtest_limits_check(user=user)
        backtest = BacktestRun.objects.create(
            user=user,
            strategy=own,
            strategy_name=own.strategy_name if own is not None else request.strategy,
            parameters=request.params,
            symbol=request.symbol,
            timeframe=request.timeframe,
            # What the run will read; the worker writes what it actually read.
            data_start=series["start"],
            data_end=series["end"],
            bars=series["bars"],
            is_synthetic=series["synthetic"],
            engine_version=ENGINE_VERSION,
            cash=Decimal(str(request.cash)),
            position_pct=Decimal(str(request.position_pct)),
            stop_loss_pct=Decimal(str(request.stop_loss_pct)),
            commission=Decimal(str(request.commission)),
            status=BacktestStatus.QUEUED,
        )
    # After the commit, so a worker on another connection finds the row.
    from trading.tasks import backtest_run_task

    try:
        backtest_run_task.enqueue(backtest_id=str(backtest.pk))
    except Exception:
        logger.exception("backtest %s could not be queued", backtest.pk)
        BacktestRun.objects.filter(pk=backtest.pk, status=BacktestStatus.QUEUED).update(
            status=BacktestStatus.FAILED, error="it could not be queued; try again", finished_at=timezone.now()
        )
    backtest.refresh_from_db()
    return backtest


def backtest_run(*, backtest_id: str) -> None:
    """The background task's body: run a queued backtest and store its result or its error.

    The run (a student strategy goes through the sandbox) happens before any write, so no
    transaction is held open while untrusted code runs.
    """
    claimed = BacktestRun.objects.filter(pk=backtest_id, status=BacktestStatus.QUEUED).update(
        status=BacktestStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:  # already run, or failed as stale
        return
    backtest = BacktestRun.objects.select_related("strategy").get(pk=backtest_id)
    try:
        outcome = _backtest_compute(backtest)
    except (BacktestError, StrategyError) as error:
        message = str(error)
    except Exception:
        logger.exception("backtest %s failed", backtest_id)
        message = "an unexpected error stopped it (the administrators can see it in the log)"
    else:
        with transaction.atomic():
            _backtest_store(backtest=backtest, outcome=outcome)
        return
    BacktestRun.objects.filter(pk=backtest_id).update(
        status=BacktestStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


@dataclass
class BacktestOutcome:
    """A finished run, ready to store."""

    candles: Candles
    synthetic: bool
    result: BacktestResult
    metrics: dict  # JSON-safe, with the benchmark's under "buy_and_hold"
    curve: list[list[float]]  # [[ms, equity, buy-and-hold equity], ...] downsampled
    lookahead: list[dict]


def _backtest_compute(backtest: BacktestRun) -> BacktestOutcome:
    candles, synthetic = candles_load(symbol=backtest.symbol, timeframe=backtest.timeframe)
    if len(candles) < 2:
        raise BacktestError(f"there are no stored candles for {backtest.symbol} {backtest.timeframe}")
    lookahead: list[dict] = []
    if backtest.strategy is not None:
        run = strategy_run(backtest.strategy.strategy_code or "", candles, backtest.parameters)
        signals, lookahead = run.signals, run.lookahead
    else:
        signals = builtin_signals(backtest.strategy_name, candles, backtest.parameters)
    cash, commission = float(backtest.cash), float(backtest.commission)
    result = run_backtest(
        candles,
        signals,
        cash=cash,
        position_pct=float(backtest.position_pct),
        stop_loss_pct=float(backtest.stop_loss_pct),
        commission=commission,
    )
    # The benchmark beside every result: buying at the second bar's open with the same cash and
    # commission, holding to the end.
    benchmark = run_backtest(candles, builtin_signals("buy_and_hold", candles, {}), cash=cash, commission=commission)
    times, equity, hold = downsample(candles.timestamp, result.equity, benchmark.equity)
    metrics = json_safe(result.metrics)
    metrics["buy_and_hold"] = json_safe(benchmark.metrics)
    return BacktestOutcome(
        candles=candles,
        synthetic=synthetic,
        result=result,
        metrics=metrics,
        curve=[[int(t), round(float(e), 4), round(float(h), 4)] for t, e, h in zip(times, equity, hold, strict=True)],
        lookahead=lookahead,
    )


def _backtest_store(*, backtest: BacktestRun, outcome: BacktestOutcome) -> None:
    candles = outcome.candles
    BacktestRun.objects.filter(pk=backtest.pk).update(
        data_start=_utc(int(candles.timestamp[0])),
        data_end=_utc(int(candles.timestamp[-1])),
        bars=len(candles),
        is_synthetic=outcome.synthetic,
        engine_version=ENGINE_VERSION,
        metrics={**outcome.metrics, "lookahead": outcome.lookahead},
        equity_curve=outcome.curve,
        trades=outcome.result.trade_rows(limit=MAX_STORED_TRADES),
        lookahead_flag=bool(outcome.lookahead),
        status=BacktestStatus.FINISHED,
        finished_at=timezone.now(),
    )
    if backtest.strategy_id is not None:
        TradingStrategy.objects.filter(pk=backtest.strategy_id).update(
            backtest_results={"backtest_id": str(backtest.pk), **outcome.metrics}
        )


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


def llm_call_reserve(*, user_id: UUID) -> bool:
    """Count one provider call against the learner's daily cap; False (nothing counted) once it is
    reached. One conditional UPDATE with F(), so concurrent sessions cannot pass the cap together."""
    cap = settings.LLM_CALLS_PER_USER_PER_DAY
    if cap <= 0:
        return False
    usage, _ = LLMUsage.objects.get_or_create(user_id=user_id, day=utc_today())
    return LLMUsage.objects.filter(pk=usage.pk, calls__lt=cap).update(calls=F("calls") + 1) == 1


class LLMCapReached(Exception):
    """A cost cap refused the provider call; the message says which, for the session's log."""


def llm_signal_cached(
    *, provider: str, model: str, snapshot: dict, user_id: UUID | None = None
) -> tuple[llm.LLMSignal, str]:
    """The signal for this snapshot and who produced it ('openai', ..., or 'rules').

    Answers are stored by a hash of provider, model and prompt, so a rerun gets the same signals;
    a provider that could not be reached is not stored (it may be transient). For a learner
    (`user_id`) the server's cost caps apply before the provider is asked: the model must be one
    the server offers for the provider, and a question not answered before uses one of the
    learner's daily calls; otherwise LLMCapReached is raised.
    """
    if not llm.is_configured(provider):
        return llm.rules_signal(snapshot), "rules"
    if user_id is not None and model not in llm_models_allowed(provider=provider):
        raise LLMCapReached(f"the model {model!r} is not offered for {provider} on this server")
    prompt = llm.build_prompt(snapshot)
    key = llm.cache_key(provider, model, prompt)
    stored = llm_answer_cached(cache_key=key)
    if stored is not None:
        return stored, provider
    if user_id is not None and not llm_call_reserve(user_id=user_id):
        cap = settings.LLM_CALLS_PER_USER_PER_DAY
        raise LLMCapReached(f"the daily limit of {cap} LLM call{pluralize(cap)} per learner is reached")
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
