"""Paper trading: stored candles replayed through a bot, with the risk limits enforced in code.

The bot's decision on bar t combines its strategy's target (1 or 0) and the LLM signal
(direction × confidence, asked every `llm_every_bars` bars) with the configured weights. It goes
long when the combination reaches the entry threshold and trades at bar t+1's open, as the
backtest engine does. Position size is asked for in proportion to the combined signal and then
clamped in code to the bot's maximum position size and to the cash available; the stop loss is
enforced in code on every bar. Every clamp, stop and trade is written to paper_events. There is no
exchange client anywhere in this project: the "orders" only change numbers in this table.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trading.engine import builtin_signals
from trading.llm import market_snapshot
from trading.models import BotConfiguration, PaperEvent, PaperSession, PaperStatus
from trading.selectors import candles_load
from trading.series import downsample
from trading.services import llm_signal_cached
from trading.strategies import StrategyError, strategy_run

logger = logging.getLogger(__name__)
COMMISSION = 0.001
CHUNK = 250  # bars between progress saves and stop checks
DEFAULT_CONFIG = {
    "signal_weights": {"strategy": 0.7, "llm": 0.3},
    "entry_threshold": 0.5,
    "llm_every_bars": 24,
    "symbol": "BTC/USDT",
    "timeframe": "1h",
}


class PaperError(ValueError):
    pass


def _utc(ms) -> datetime:
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC)


STALE_AFTER = timedelta(minutes=10)  # a running session silent this long lost its worker


@transaction.atomic
def paper_session_start(*, user, bot: BotConfiguration, starting_cash: float = 10_000.0) -> PaperSession:
    if bot.user_id != user.pk:
        raise PaperError("you can only paper-trade your own bots")
    PaperSession.objects.filter(
        bot=bot, status=PaperStatus.RUNNING, checkpoint_at__lt=timezone.now() - STALE_AFTER
    ).update(status=PaperStatus.FAILED, error="The worker running this session stopped.", finished_at=timezone.now())
    if PaperSession.objects.filter(bot=bot, status__in=[PaperStatus.QUEUED, PaperStatus.RUNNING]).exists():
        raise PaperError("this bot already has a session running; stop it first")
    config = {**DEFAULT_CONFIG, **(bot.config_json or {})}
    strategy = bot.strategies.filter(is_active=True).first()
    session = PaperSession.objects.create(
        user=user,
        bot=bot,
        strategy_name=strategy.strategy_name if strategy else "sma_crossover (built-in)",
        symbol=config["symbol"],
        timeframe=config["timeframe"],
        starting_cash=starting_cash,
        cash=starting_cash,
        equity=starting_cash,
    )
    from trading.tasks import paper_session_task

    transaction.on_commit(lambda: paper_session_task.enqueue(session_id=str(session.pk)))
    return session


def paper_session_stop(*, session: PaperSession) -> None:
    """A queued session stops at once; a running one at its next checkpoint."""
    now = timezone.now()
    PaperSession.objects.filter(pk=session.pk, status=PaperStatus.QUEUED).update(
        status=PaperStatus.STOPPED, stop_requested=True, finished_at=now
    )
    PaperSession.objects.filter(pk=session.pk, status=PaperStatus.RUNNING).update(stop_requested=True)


def _event(session, bar_ms, kind, message, **data):
    return PaperEvent(session=session, bar_time=_utc(bar_ms), kind=kind, message=message, data=data)


def paper_session_run(session_id: str) -> None:
    """The background task's body: replay, save progress every CHUNK bars, honour stop requests."""
    session = PaperSession.objects.select_related("bot").get(pk=session_id)
    if session.status != PaperStatus.QUEUED:
        return
    try:
        _replay(session)
    except Exception as error:  # recorded on the session, shown on its page
        logger.exception("paper session %s failed", session_id)
        PaperSession.objects.filter(pk=session.pk).update(
            status=PaperStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )


def _replay(session: PaperSession) -> None:
    bot = session.bot
    config = {**DEFAULT_CONFIG, **(bot.config_json or {})}
    candles, _ = candles_load(symbol=session.symbol, timeframe=session.timeframe)
    n = len(candles)
    if n < 2:
        raise PaperError(f"there are no stored candles for {session.symbol} {session.timeframe}")
    strategy = bot.strategies.filter(is_active=True).first()
    try:
        targets = (
            strategy_run(strategy.strategy_code or "", candles, {}).signals.target
            if strategy
            else builtin_signals("sma_crossover", candles, {}).target
        )
    except StrategyError as error:
        raise PaperError(f"the strategy failed: {error}") from error
    weights = config["signal_weights"]
    w_strategy, w_llm = float(weights.get("strategy", 0.7)), float(weights.get("llm", 0.3))
    threshold = float(config["entry_threshold"])
    every = max(1, int(config["llm_every_bars"]))
    max_pct = float(bot.max_position_size_percent or 10)
    stop_pct = float(bot.stop_loss_percent or 0)

    started = PaperSession.objects.filter(pk=session.pk, status=PaperStatus.QUEUED).update(
        status=PaperStatus.RUNNING,
        started_at=timezone.now(),
        checkpoint_at=timezone.now(),
        bars_total=n - 1,
        bars_done=0,
    )
    if not started:  # stopped while it waited in the queue
        return
    cash, quantity, entry, stop_price, entry_bar = session.starting_cash, 0.0, None, None, 0
    blocked = False  # after a stop loss, no re-entry until the bot has wanted to be flat
    llm_score, llm_source, llm_calls = 0.0, "", 0
    want_long, size_pct = False, 0.0
    trades, events, curve = [], [], [session.starting_cash]
    o, lo, c, ts = candles.open, candles.low, candles.close, candles.timestamp

    for t in range(1, n):
        # 1) act at this bar's open on the decision made at the previous close
        if quantity and not want_long:
            proceeds = quantity * o[t] * (1 - COMMISSION)
            trades.append(_trade(ts, entry_bar, t, entry, o[t], quantity, proceeds, "signal"))
            events.append(_event(session, ts[t], "trade", f"Sold {quantity:.6f} at {o[t]:.2f} (signal)"))
            cash, quantity, entry = cash + proceeds, 0.0, None
        elif not quantity and want_long and not blocked:
            requested = size_pct
            allowed = min(requested, max_pct)
            if allowed < requested:
                message = f"Asked for {requested:.1f}% of cash; clamped to the {max_pct:g}% maximum position size"
                events.append(_event(session, ts[t], "clamp", message, requested=requested, allowed=allowed))
            notional = cash * allowed / 100
            quantity = notional * (1 - COMMISSION) / o[t]
            cash, entry, entry_bar = cash - notional, o[t], t
            stop_price = entry * (1 - stop_pct / 100) if stop_pct > 0 else None
            events.append(
                _event(session, ts[t], "trade", f"Bought {quantity:.6f} at {o[t]:.2f} ({allowed:.1f}% of cash)")
            )
        # 2) the stop loss, enforced in code
        if quantity and stop_price is not None and lo[t] <= stop_price:
            price = min(o[t], stop_price)
            proceeds = quantity * price * (1 - COMMISSION)
            trades.append(_trade(ts, entry_bar, t, entry, price, quantity, proceeds, "stop"))
            events.append(_event(session, ts[t], "stop", f"Stop loss: sold at {price:.2f} ({stop_pct:g}% below entry)"))
            cash, quantity, entry, blocked = cash + proceeds, 0.0, None, True
        equity = cash + quantity * c[t]
        curve.append(equity)
        # 3) decide at this bar's close for the next bar
        if w_llm > 0 and (t % every == 0 or t == 1):
            signal, llm_source = llm_signal_cached(
                provider=bot.llm_provider,
                model=bot.llm_model,
                snapshot=market_snapshot(candles, t, symbol=session.symbol, timeframe=session.timeframe),
            )
            llm_score, llm_calls = signal.score, llm_calls + 1
            note = f" — abstained: {signal.problem}" if signal.abstained else ""
            message = f"{llm_source}: {signal.signal} ({signal.confidence:.2f}){note}"
            events.append(_event(session, ts[t], "llm", message, reasoning=signal.reasoning))
        combined = w_strategy * float(targets[t]) + w_llm * llm_score
        want_long = combined >= threshold
        blocked = blocked and want_long
        size_pct = max(0.0, min(100.0, combined * 100))
        if t % CHUNK == 0 or t == n - 1:
            PaperEvent.objects.bulk_create(events)
            events = []
            updated = PaperSession.objects.filter(pk=session.pk, stop_requested=False).update(
                bars_done=t, cash=cash, quantity=quantity, entry_price=entry, equity=equity, last_price=float(c[t]),
                llm_calls=llm_calls, llm_source=llm_source, trades=trades, checkpoint_at=timezone.now(),
            )  # fmt: skip
            if not updated:  # a stop was requested
                _finish(session, PaperStatus.STOPPED, t, cash, quantity, entry, equity, c[t], trades, ts, curve,
                        llm_calls, llm_source)  # fmt: skip
                return
    _finish(session, PaperStatus.FINISHED, n - 1, cash, quantity, entry, equity, c[n - 1], trades, ts, curve,
            llm_calls, llm_source)  # fmt: skip


def _trade(ts, entry_bar, exit_bar, entry, price, quantity, proceeds, reason) -> dict:
    cost = quantity * entry / (1 - COMMISSION)
    return {
        "entry_time": int(ts[entry_bar]),
        "exit_time": int(ts[exit_bar]),
        "entry_price": float(entry),
        "exit_price": float(price),
        "quantity": float(quantity),
        "pnl": float(proceeds - cost),
        "exit_reason": reason,
    }


def _finish(session, status, done, cash, quantity, entry, equity, price, trades, ts, curve, llm_calls, llm_source):
    import numpy as np

    times, values = downsample(np.asarray(ts[: len(curve)]), np.asarray(curve), points=400)
    PaperSession.objects.filter(pk=session.pk).update(
        status=status,
        bars_done=done,
        cash=cash,
        quantity=quantity,
        entry_price=entry,
        equity=equity,
        last_price=float(price),
        trades=trades,
        equity_curve=[[int(t), round(float(v), 4)] for t, v in zip(times, values, strict=True)],
        llm_calls=llm_calls,
        llm_source=llm_source,
        finished_at=timezone.now(),
        stop_requested=F("stop_requested"),
    )
