"""Reads for the trading lab."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from trading.engine import Candles
from trading.llm import LLMSignal
from trading.models import BacktestRun, BotConfiguration, LLMAnswer, LLMUsage, PaperSession, TradingStrategy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from courses.models import Module


def candles_load(
    *, symbol: str, timeframe: str, start: datetime | None = None, end: datetime | None = None
) -> tuple[Candles, bool]:
    """Stored candles as NumPy columns (one query) and whether any of them are synthetic."""
    sql = (
        "SELECT (extract(epoch FROM timestamp) * 1000)::bigint, open, high, low, close, volume, is_synthetic"
        " FROM candles WHERE symbol = %s AND timeframe = %s"
    )
    params: list[str | datetime] = [symbol, timeframe]
    if start is not None:
        sql += " AND timestamp >= %s"
        params.append(start)
    if end is not None:
        sql += " AND timestamp <= %s"
        params.append(end)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY timestamp", params)
        rows = cursor.fetchall()
    if not rows:
        return Candles(*(np.empty(0) for _ in range(6))), False
    table = np.array([row[:6] for row in rows], dtype=np.float64)
    synthetic = any(row[6] for row in rows)
    return (
        Candles(
            table[:, 0].astype(np.int64),
            table[:, 1].copy(),
            table[:, 2].copy(),
            table[:, 3].copy(),
            table[:, 4].copy(),
            table[:, 5].copy(),
        ),
        synthetic,
    )


class MarketSeries(TypedDict):
    symbol: str
    timeframe: str
    bars: int
    start: datetime
    end: datetime
    synthetic: bool


def market_series() -> list[MarketSeries]:
    """Every (symbol, timeframe) with its bar count, range and whether it is synthetic."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT symbol, timeframe, count(*), min(timestamp), max(timestamp), bool_or(is_synthetic)"
            " FROM candles GROUP BY symbol, timeframe ORDER BY symbol, timeframe"
        )
        return [
            MarketSeries(symbol=s, timeframe=t, bars=n, start=a, end=b, synthetic=syn)
            for s, t, n, a, b, syn in cursor.fetchall()
        ]


def series_summary(*, symbol: str, timeframe: str) -> MarketSeries | None:
    """One series' bar count, range and synthetic flag (one indexed aggregate), or None without data."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(timestamp), max(timestamp), bool_or(is_synthetic)"
            " FROM candles WHERE symbol = %s AND timeframe = %s",
            [symbol, timeframe],
        )
        bars, start, end, synthetic = cursor.fetchone()
    if not bars:
        return None
    return MarketSeries(symbol=symbol, timeframe=timeframe, bars=bars, start=start, end=end, synthetic=synthetic)


def llm_models_allowed(*, provider: str) -> list[str]:
    """The models this server offers for a provider (settings `LLM_MODELS_OPENAI`, ...)."""
    allowed = {
        "openai": settings.LLM_MODELS_OPENAI,
        "anthropic": settings.LLM_MODELS_ANTHROPIC,
        "ollama": settings.LLM_MODELS_OLLAMA,
    }
    return list(allowed.get(provider, []))


def llm_calls_left(*, user_id: UUID) -> int:
    """Provider calls the learner may still make today (UTC), under LLM_CALLS_PER_USER_PER_DAY."""
    used = LLMUsage.objects.filter(user_id=user_id, day=utc_today()).values_list("calls", flat=True).first()
    return max(0, settings.LLM_CALLS_PER_USER_PER_DAY - (used or 0))


def utc_today() -> date:
    return timezone.now().astimezone(UTC).date()


def lab_access(*, user: User | AnonymousUser) -> tuple[bool, list[Module]]:
    """Whether the user may use the lab: teachers and admins always, students once Module 17 is
    unlocked. Returns (allowed, the modules still missing)."""
    from courses.selectors import module_card

    if not user.is_authenticated:
        return False, []
    if user.is_staff:
        return True, []
    card = module_card(user=user, module_id=17)
    if card is None:
        return False, []
    return not card.locked, card.missing


# Per-object access: every page reaches a bot, strategy, run or session only through these, so a
# learner never reaches another learner's rows by changing an id (a 404, as if it did not exist).


def user_bots(*, user: User) -> QuerySet[BotConfiguration]:
    """The user's bots, newest change first, with their strategy counts."""
    return (
        BotConfiguration.objects.filter(user=user).annotate(strategy_count=Count("strategies")).order_by("-updated_at")
    )


def user_strategies(*, user: User) -> QuerySet[TradingStrategy]:
    """Strategies of the user's bots, with their bot."""
    return TradingStrategy.objects.filter(bot_config__user=user).select_related("bot_config").order_by("-created_at")


def user_backtests(*, user: User, with_series: bool = False) -> QuerySet[BacktestRun]:
    """The user's stored backtests, newest first. Lists leave out the two large JSON columns
    (equity curve and trades); a detail page asks for them with `with_series=True`."""
    runs = BacktestRun.objects.filter(user=user).order_by("-created_at")
    return runs if with_series else runs.defer("equity_curve", "trades")


def user_paper_sessions(*, user: User) -> QuerySet[PaperSession]:
    """The user's paper-trading sessions, newest first, with their bot."""
    return PaperSession.objects.filter(user=user).select_related("bot").order_by("-created_at")


def llm_answer_cached(*, cache_key: str) -> LLMSignal | None:
    """A stored answer to this prompt (marked cached), or None."""
    stored = LLMAnswer.objects.filter(cache_key=cache_key).first()
    if stored is None:
        return None
    return LLMSignal(stored.signal, stored.confidence, stored.reasoning, stored.abstained, stored.problem, True)
