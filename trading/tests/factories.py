import datetime as dt
from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from trading.models import BacktestRun, BotConfiguration, LLMProvider, PaperSession, TradingStrategy


class BotConfigurationFactory(factory.django.DjangoModelFactory[BotConfiguration]):
    class Meta:
        model = BotConfiguration

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Bot {n}")
    llm_provider = LLMProvider.OLLAMA
    llm_model = "llama3.1:8b"


class TradingStrategyFactory(factory.django.DjangoModelFactory[TradingStrategy]):
    class Meta:
        model = TradingStrategy

    bot_config = factory.SubFactory(BotConfigurationFactory)
    strategy_name = factory.Sequence(lambda n: f"Strategy {n}")
    strategy_code = "def signals(c, p): 0"


class BacktestRunFactory(factory.django.DjangoModelFactory[BacktestRun]):
    """A stored run as the list and detail pages read it; the numbers are not from a real backtest."""

    class Meta:
        model = BacktestRun

    user = factory.SubFactory(UserFactory)
    strategy_name = "sma_crossover"
    symbol = "BTC/USDT"
    timeframe = "1h"
    data_start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    data_end = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    bars = 10
    engine_version = "1"
    cash = Decimal("10000")
    position_pct = Decimal("100")
    stop_loss_pct = Decimal("0")
    commission = Decimal("0.001")
    metrics = factory.LazyFunction(lambda: {"total_return_pct": 1.0, "num_trades": 0})


class PaperSessionFactory(factory.django.DjangoModelFactory[PaperSession]):
    class Meta:
        model = PaperSession

    bot = factory.SubFactory(BotConfigurationFactory)
    user = factory.SelfAttribute("bot.user")
    strategy_name = "sma_crossover (built-in)"
    symbol = "BTC/USDT"
    timeframe = "1h"
