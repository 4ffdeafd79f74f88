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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.utils import timezone

from trading import engine
from trading.engine import Candles, builtin_signals
from trading.llm import is_configured, market_snapshot, rules_signal
from trading.models import BotConfiguration, PaperEvent, PaperSession, PaperStatus
from trading.selectors import candles_load, llm_calls_left, llm_models_allowed
from trading.series import downsample
from trading.services import LLMCapReached, llm_signal_cached, user_limits_lock
from trading.strategies import StrategyError, strategy_run

if TYPE_CHECKING:
    from accounts.models import User

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


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC)


STALE_AFTER = timedelta(minutes=10)  # a running session silent this long lost its worker
ONE_PER_BOT = "this bot already has a session running; stop it first"
RULES_CAPPED = "rules-capped"  # llm_source after a cost cap refused a call


def _bot_has_active_session(bot: BotConfiguration) -> bool:
    return PaperSession.objects.filter(bot=bot, status__in=[PaperStatus.QUEUED, PaperStatus.RUNNING]).exists()


@transaction.atomic
def paper_session_start(*, user: User, bot: BotConfiguration, starting_cash: float = 10_000.0) -> PaperSession:
    if bot.user_id != user.pk:
        raise PaperError("you can only paper-trade your own bots")
    user_limits_lock(user_id=user.pk, scope="paper")  # the per-learner count below cannot race
    PaperSession.objects.filter(
        user=user, status=PaperStatus.RUNNING, checkpoint_at__lt=timezone.now() - STALE_AFTER
    ).update(status=PaperStatus.FAILED, error="The worker running this session stopped.", finished_at=timezone.now())
    if _bot_has_active_session(bot):
        raise PaperError(ONE_PER_BOT)
    limit = settings.PAPER_SESSIONS_MAX_PER_USER
    active = PaperSession.objects.filter(user=user, status__in=[PaperStatus.QUEUED, PaperStatus.RUNNING]).count()
    if active >= limit:
        raise PaperError(
            f"you already have {active} paper-trading session{pluralize(active)} running, and at most {limit}"
            " can run at a time; stop one (or wait until it finishes) first"
        )
    _llm_caps_check(bot)
    config = {**DEFAULT_CONFIG, **(bot.config_json or {})}
    strategy = bot.strategies.filter(is_active=True).first()
    try:
        with transaction.atomic():  # a savepoint: the partial unique index decides a race
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
    except IntegrityError as error:
        if "paper_sessions_one_active_per_bot" not in str(error):
            raise
        raise PaperError(ONE_PER_BOT) from error
    from trading.tasks import paper_session_task

    transaction.on_commit(lambda: paper_session_task.enqueue(session_id=str(session.pk)))
    return session


def _llm_caps_check(bot: BotConfiguration) -> None:
    """Refuse a session whose LLM the cost caps would refuse anyway (only a configured provider
    that the bot listens to costs anything)."""
    if BotRules.of(bot).w_llm <= 0 or not is_configured(bot.llm_provider):
        return
    offered = llm_models_allowed(provider=bot.llm_provider)
    if bot.llm_model not in offered:
        choices = f"choose one of {', '.join(offered)}" if offered else "it offers none for this provider"
        raise PaperError(
            f"this bot's model “{bot.llm_model}” is not offered for {bot.get_llm_provider_display()} on this server;"
            f" {choices} in the bot's settings"
        )
    if llm_calls_left(user_id=bot.user_id) <= 0:
        cap = settings.LLM_CALLS_PER_USER_PER_DAY
        raise PaperError(
            f"you have used all {cap} LLM call{pluralize(cap)} a learner may make today (UTC); start again"
            " tomorrow, or set this bot's LLM weight to 0 to trade on its strategy alone"
        )


def paper_session_stop(*, session: PaperSession) -> None:
    """A queued session stops at once; a running one at its next checkpoint."""
    now = timezone.now()
    PaperSession.objects.filter(pk=session.pk, status=PaperStatus.QUEUED).update(
        status=PaperStatus.STOPPED, stop_requested=True, finished_at=now
    )
    PaperSession.objects.filter(pk=session.pk, status=PaperStatus.RUNNING).update(stop_requested=True)


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


@dataclass(frozen=True)
class BotRules:
    """The bot's settings as the replay applies them, read once."""

    w_strategy: float
    w_llm: float
    threshold: float
    llm_every: int
    max_pct: float
    stop_pct: float

    @classmethod
    def of(cls, bot: BotConfiguration) -> BotRules:
        config = {**DEFAULT_CONFIG, **(bot.config_json or {})}
        weights = config["signal_weights"]
        return cls(
            w_strategy=float(weights.get("strategy", 0.7)),
            w_llm=float(weights.get("llm", 0.3)),
            threshold=float(config["entry_threshold"]),
            # The server's floor holds for bots saved before it or edited outside the form.
            llm_every=max(1, settings.LLM_MIN_EVERY_BARS, int(config["llm_every_bars"])),
            max_pct=float(bot.max_position_size_percent or 10),
            stop_pct=float(bot.stop_loss_percent or 0),
        )


@dataclass
class ReplayState:
    """Everything the replay changes as it walks the bars; saved at each checkpoint and at the end."""

    cash: float
    quantity: float = 0.0
    entry: float | None = None
    entry_time: int = 0  # epoch ms of the entry bar
    cost: float = 0.0  # cash spent on the open position, commission included
    stop: float | None = None
    blocked: bool = False  # after a stop loss, no re-entry until the bot has wanted to be flat
    want_long: bool = False  # the decision made at the previous close
    size_pct: float = 0.0
    llm_score: float = 0.0
    llm_source: str = ""
    llm_calls: int = 0
    llm_capped: bool = False  # a cost cap refused a call: the rules provider answers from then on
    bar: int = 0  # the last bar replayed
    equity: float = 0.0
    last_price: float | None = None
    trades: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[int, str, str, dict[str, Any]]] = field(default_factory=list)  # not yet written
    curve: list[float] = field(default_factory=list)

    def log(self, bar_ms: int, kind: str, message: str, **data: Any) -> None:
        self.events.append((bar_ms, kind, message, data))

    def session_fields(self) -> dict[str, Any]:
        """The paper_sessions columns this state fills."""
        return {
            "bars_done": self.bar,
            "cash": self.cash,
            "quantity": self.quantity,
            "entry_price": self.entry,
            "equity": self.equity,
            "last_price": self.last_price,
            "llm_calls": self.llm_calls,
            "llm_source": self.llm_source,
            "trades": self.trades,
        }


def _replay(session: PaperSession) -> None:
    bot = session.bot
    rules = BotRules.of(bot)
    candles, _ = candles_load(symbol=session.symbol, timeframe=session.timeframe)
    n = len(candles)
    if n < 2:
        raise PaperError(f"there are no stored candles for {session.symbol} {session.timeframe}")
    targets = _targets(bot, candles)
    started = PaperSession.objects.filter(pk=session.pk, status=PaperStatus.QUEUED).update(
        status=PaperStatus.RUNNING,
        started_at=timezone.now(),
        checkpoint_at=timezone.now(),
        bars_total=n - 1,
        bars_done=0,
    )
    if not started:  # stopped while it waited in the queue
        return
    state = ReplayState(cash=session.starting_cash, equity=session.starting_cash, curve=[session.starting_cash])
    _close(state, rules, session=session, candles=candles, targets=targets, t=0)  # bar 1 acts on bar 0's close
    for t in range(1, n):
        _execute(state, rules, candles, t)
        _close(state, rules, session=session, candles=candles, targets=targets, t=t)
        if (t % CHUNK == 0 or t == n - 1) and not _checkpoint(session, state):  # a stop was requested
            _finish(session=session, state=state, status=PaperStatus.STOPPED, times=candles.timestamp)
            return
    _finish(session=session, state=state, status=PaperStatus.FINISHED, times=candles.timestamp)


def _targets(bot: BotConfiguration, candles: Candles) -> np.ndarray:
    """The active strategy's targets (through the sandbox), or the built-in SMA crossover's."""
    strategy = bot.strategies.filter(is_active=True).first()
    try:
        if strategy:
            return strategy_run(strategy.strategy_code or "", candles, {}).signals.target
        return builtin_signals("sma_crossover", candles, {}).target
    except StrategyError as error:
        raise PaperError(f"the strategy failed: {error}") from error


def _execute(state: ReplayState, rules: BotRules, candles: Candles, t: int) -> None:
    """Bar t under the engine's contract: act at the open on the previous close's decision, then the
    stop loss (enforced in code), then mark to the close."""
    price, bar_ms = float(candles.open[t]), int(candles.timestamp[t])
    if state.quantity and not state.want_long:
        quantity = state.quantity
        _sell(state, price=price, bar_ms=bar_ms, reason="signal")
        state.log(bar_ms, "trade", f"Sold {quantity:.6f} at {price:.2f} (signal)")
    elif not state.quantity and state.want_long and not state.blocked:
        _buy(state, rules, price=price, bar_ms=bar_ms)
    if state.quantity and state.stop is not None and engine.stop_hit(low=float(candles.low[t]), stop=state.stop):
        fill = float(engine.stop_fill(open_=price, stop=state.stop))  # np.minimum gives a NumPy scalar
        _sell(state, price=fill, bar_ms=bar_ms, reason="stop")
        state.log(bar_ms, "stop", f"Stop loss: sold at {fill:.2f} ({rules.stop_pct:g}% below entry)")
        state.blocked = True
    state.bar, state.last_price = t, float(candles.close[t])
    state.equity = engine.mark_to_market(cash=state.cash, quantity=state.quantity, price=state.last_price)
    state.curve.append(state.equity)


def _buy(state: ReplayState, rules: BotRules, *, price: float, bar_ms: int) -> None:
    requested = state.size_pct
    allowed = min(requested, rules.max_pct)
    if allowed < requested:
        message = f"Asked for {requested:.1f}% of cash; clamped to the {rules.max_pct:g}% maximum position size"
        state.log(bar_ms, "clamp", message, requested=requested, allowed=allowed)
    quantity, cash_left = engine.buy_fill(cash=state.cash, pct=allowed, price=price, commission=COMMISSION)
    state.quantity, state.cost, state.cash = quantity, state.cash - cash_left, cash_left
    state.entry, state.entry_time = price, bar_ms
    state.stop = engine.stop_price(entry=price, stop_loss_pct=rules.stop_pct) if rules.stop_pct > 0 else None
    state.log(bar_ms, "trade", f"Bought {state.quantity:.6f} at {price:.2f} ({allowed:.1f}% of cash)")


def _sell(state: ReplayState, *, price: float, bar_ms: int, reason: str) -> None:
    proceeds = engine.sale_proceeds(quantity=state.quantity, price=price, commission=COMMISSION)
    state.trades.append(
        {
            "entry_time": state.entry_time,
            "exit_time": bar_ms,
            "entry_price": state.entry,
            "exit_price": price,
            "quantity": state.quantity,
            "pnl": proceeds - state.cost,
            "exit_reason": reason,
        }
    )
    state.cash, state.quantity, state.entry, state.cost, state.stop = state.cash + proceeds, 0.0, None, 0.0, None


def _ask_llm(state: ReplayState, *, session: PaperSession, candles: Candles, t: int) -> None:
    bot = session.bot
    snapshot = market_snapshot(candles, t, symbol=session.symbol, timeframe=session.timeframe)
    signal = None
    if not state.llm_capped:
        try:
            signal, state.llm_source = llm_signal_cached(
                provider=bot.llm_provider, model=bot.llm_model, snapshot=snapshot, user_id=session.user_id
            )
        except LLMCapReached as cap:  # the rules provider answers for the rest of the session
            state.llm_capped = True
            message = f"{str(cap)[:1].upper()}{str(cap)[1:]}: the rules provider answers from here on."
            state.log(int(candles.timestamp[t]), "llm", message)
            logger.info("paper session %s: %s", session.pk, cap)
    if signal is None:
        signal, state.llm_source = rules_signal(snapshot), RULES_CAPPED
    # A provider call can take seconds: say the worker is alive, so the session is not taken for
    # a stale one between its checkpoints.
    PaperSession.objects.filter(pk=session.pk, status=PaperStatus.RUNNING).update(checkpoint_at=timezone.now())
    state.llm_score, state.llm_calls = signal.score, state.llm_calls + 1
    note = f" — abstained: {signal.problem}" if signal.abstained else ""
    message = f"{state.llm_source}: {signal.signal} ({signal.confidence:.2f}){note}"
    state.log(int(candles.timestamp[t]), "llm", message, reasoning=signal.reasoning)


def _close(
    state: ReplayState, rules: BotRules, *, session: PaperSession, candles: Candles, targets: np.ndarray, t: int
) -> None:
    """At bar t's close: ask the LLM on its schedule, then decide for bar t+1."""
    if rules.w_llm > 0 and t % rules.llm_every == 0:
        _ask_llm(state, session=session, candles=candles, t=t)
    _decide(state, rules, target=float(targets[t]))


def _decide(state: ReplayState, rules: BotRules, *, target: float) -> None:
    """At the close: the combined signal sets the next bar's wish and the size asked for."""
    combined = rules.w_strategy * target + rules.w_llm * state.llm_score
    state.want_long = combined >= rules.threshold
    state.blocked = state.blocked and state.want_long
    state.size_pct = max(0.0, min(100.0, combined * 100))


def _write_events(session: PaperSession, state: ReplayState) -> None:
    PaperEvent.objects.bulk_create(
        PaperEvent(session=session, bar_time=_utc(bar_ms), kind=kind, message=message, data=data)
        for bar_ms, kind, message, data in state.events
    )
    state.events = []


def _checkpoint(session: PaperSession, state: ReplayState) -> bool:
    """Save progress; False when a stop was requested or the session is no longer running (a
    session whose checkpoints were late may have been marked failed, freeing its bot): it then
    ends here and leaves that state alone."""
    _write_events(session, state)
    updated = PaperSession.objects.filter(pk=session.pk, status=PaperStatus.RUNNING, stop_requested=False).update(
        **state.session_fields(), checkpoint_at=timezone.now()
    )
    return bool(updated)


def _finish(*, session: PaperSession, state: ReplayState, status: str, times: np.ndarray) -> None:
    kept, values = downsample(np.asarray(times[: len(state.curve)]), np.asarray(state.curve), points=400)
    PaperSession.objects.filter(pk=session.pk, status=PaperStatus.RUNNING).update(
        **state.session_fields(),
        status=status,
        equity_curve=[[int(t), round(float(v), 4)] for t, v in zip(kept, values, strict=True)],
        finished_at=timezone.now(),
        stop_requested=F("stop_requested"),
    )
