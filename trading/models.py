from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from common.fields import choices_check, created_at, range_check, seed_boolean, updated_at, uuid_primary_key


class LLMProvider(models.TextChoices):
    OPENAI = "openai", "OpenAI"
    ANTHROPIC = "anthropic", "Anthropic"
    OLLAMA = "ollama", "Ollama"


class BotConfiguration(models.Model):
    id = uuid_primary_key()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="bot_configurations", db_index=False
    )
    name = models.CharField(max_length=100)
    llm_provider = models.CharField(max_length=50, choices=LLMProvider.choices)
    llm_model = models.CharField(max_length=100)
    is_active = seed_boolean(False)
    # Paper trading only: the platform has no code path that places a real order.
    is_paper_trading = seed_boolean(True, editable=False)
    max_position_size_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, default=Decimal("10.00"), db_default=Decimal("10.00")
    )
    stop_loss_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, default=Decimal("5.00"), db_default=Decimal("5.00")
    )
    config_json = models.JSONField(null=True, blank=True)
    created_at = created_at()
    updated_at = updated_at()

    class Meta:
        db_table = "bot_configurations"
        ordering = ["-updated_at"]
        constraints = [
            choices_check("llm_provider", LLMProvider, "bot_configurations"),
            range_check("max_position_size_percent", "bot_configurations", low=0, high=100, low_inclusive=False),
            range_check("stop_loss_percent", "bot_configurations", low=0, high=100),
            models.CheckConstraint(condition=~models.Q(is_paper_trading=False), name="bot_configurations_paper_only"),
        ]
        indexes = [
            models.Index(fields=["user"], name="idx_bot_user"),
            models.Index(fields=["is_active"], name="idx_bot_active"),
        ]

    def __str__(self) -> str:
        return self.name


class TradingStrategy(models.Model):
    id = uuid_primary_key()
    bot_config = models.ForeignKey(
        BotConfiguration, on_delete=models.DB_CASCADE, related_name="strategies", db_index=False
    )
    strategy_name = models.CharField(max_length=100)
    strategy_code = models.TextField(null=True, blank=True, help_text="Python defining signals(candles, params).")
    backtest_results = models.JSONField(null=True, blank=True)
    is_active = seed_boolean(False)
    created_at = created_at()

    class Meta:
        db_table = "trading_strategies"
        verbose_name_plural = "trading strategies"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["bot_config"], name="idx_strategy_bot")]

    def __str__(self) -> str:
        return self.strategy_name


class Candle(models.Model):
    """One OHLCV bar (extra table). Prices are float8: the engine works in float64 anyway."""

    id = models.BigAutoField(primary_key=True)
    symbol = models.CharField(max_length=30)
    timeframe = models.CharField(max_length=10)
    timestamp = models.DateTimeField()
    open = models.FloatField()
    high = models.FloatField()
    low = models.FloatField()
    close = models.FloatField()
    volume = models.FloatField()
    is_synthetic = models.BooleanField(default=False, db_default=False)

    class Meta:
        db_table = "candles"
        ordering = ["symbol", "timeframe", "timestamp"]
        constraints = [
            models.UniqueConstraint(fields=["symbol", "timeframe", "timestamp"], name="candles_symbol_tf_ts_key"),
            models.CheckConstraint(
                condition=models.Q(open__gt=0, close__gt=0, low__gt=0, volume__gte=0),
                name="candles_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(high__gte=models.F("open"))
                & models.Q(high__gte=models.F("close"))
                & models.Q(low__lte=models.F("open"))
                & models.Q(low__lte=models.F("close")),
                name="candles_high_low_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.timeframe} {self.timestamp:%Y-%m-%d %H:%M}"


class BacktestStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class BacktestRun(models.Model):
    """A stored backtest (extra table `backtest_results`): settings, data range, engine version,
    metrics, the equity curve (downsampled) and the trades, so runs can be compared later."""

    id = uuid_primary_key()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="backtests", db_index=False
    )
    strategy = models.ForeignKey(
        "TradingStrategy", on_delete=models.DB_CASCADE, null=True, blank=True, related_name="runs", db_index=False
    )
    strategy_name = models.CharField(max_length=100)
    parameters = models.JSONField(default=dict)
    symbol = models.CharField(max_length=30)
    timeframe = models.CharField(max_length=10)
    data_start = models.DateTimeField()
    data_end = models.DateTimeField()
    bars = models.IntegerField()
    is_synthetic = models.BooleanField(default=False)
    engine_version = models.CharField(max_length=20)
    cash = models.DecimalField(max_digits=14, decimal_places=2)
    position_pct = models.DecimalField(max_digits=5, decimal_places=2)
    stop_loss_pct = models.DecimalField(max_digits=5, decimal_places=2)
    commission = models.DecimalField(max_digits=6, decimal_places=5)
    metrics = models.JSONField(default=dict)
    equity_curve = models.JSONField(default=list, help_text="[[ms, equity, buy-and-hold equity], ...] downsampled")
    trades = models.JSONField(default=list)
    lookahead_flag = models.BooleanField(default=False)
    # The lab queues a run (a worker runs it); a row stored with its result, or from before the
    # queue, is finished.
    status = models.CharField(
        max_length=10, choices=BacktestStatus.choices, default=BacktestStatus.FINISHED, db_default="finished"
    )
    error = models.TextField(blank=True, default="", db_default="")
    created_at = created_at()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "backtest_results"
        ordering = ["-created_at"]
        constraints = [choices_check("status", BacktestStatus, "backtest_results")]
        indexes = [models.Index(fields=["user", "created_at"], name="idx_backtests_user_created")]

    def __str__(self) -> str:
        return f"{self.strategy_name} on {self.symbol} {self.timeframe}"

    def get_absolute_url(self) -> str:
        return reverse("trading:backtest", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (BacktestStatus.QUEUED, BacktestStatus.RUNNING)


class LLMAnswer(models.Model):
    """A provider's answer to one prompt (extra table `llm_answers`), keyed by a hash of provider,
    model and prompt, so a rerun of a paper-trading session gets the same signals."""

    id = models.BigAutoField(primary_key=True)
    cache_key = models.CharField(max_length=64, unique=True)
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100)
    prompt = models.TextField()
    raw_answer = models.TextField(blank=True, default="")
    signal = models.CharField(max_length=10)
    confidence = models.FloatField(default=0)
    reasoning = models.TextField(blank=True, default="")
    abstained = models.BooleanField(default=False)
    problem = models.TextField(blank=True, default="")
    created_at = created_at()

    class Meta:
        db_table = "llm_answers"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signal__in=["bullish", "bearish", "neutral"]), name="llm_answers_signal_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1), name="llm_answers_confidence_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}/{self.model}: {self.signal} {self.confidence:.2f}"


class LLMUsage(models.Model):
    """Provider calls per learner and UTC day (extra table `llm_usage`): the daily cost cap.
    Counted with F() in one conditional UPDATE, so concurrent sessions cannot pass the cap."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="llm_usage", db_index=False
    )
    day = models.DateField()
    calls = models.IntegerField(default=0, db_default=0)

    class Meta:
        db_table = "llm_usage"
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="llm_usage_user_day_key"),
            range_check("calls", "llm_usage", low=0),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.day}: {self.calls}"


class PaperStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class PaperSession(models.Model):
    """A paper-trading session (extra table `paper_sessions`): stored candles replayed through a bot."""

    id = uuid_primary_key()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="paper_sessions", db_index=False
    )
    bot = models.ForeignKey(BotConfiguration, on_delete=models.DB_CASCADE, related_name="paper_sessions")
    strategy_name = models.CharField(max_length=100)
    symbol = models.CharField(max_length=30)
    timeframe = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=PaperStatus.choices, default=PaperStatus.QUEUED)
    stop_requested = models.BooleanField(default=False)
    bars_total = models.IntegerField(default=0)
    bars_done = models.IntegerField(default=0)
    starting_cash = models.FloatField(default=10_000)
    cash = models.FloatField(default=10_000)
    quantity = models.FloatField(default=0)
    entry_price = models.FloatField(null=True, blank=True)
    equity = models.FloatField(default=10_000)
    last_price = models.FloatField(null=True, blank=True)
    llm_source = models.CharField(max_length=20, blank=True, default="")
    llm_calls = models.IntegerField(default=0)
    trades = models.JSONField(default=list)
    equity_curve = models.JSONField(default=list)
    error = models.TextField(blank=True, default="")
    created_at = created_at()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checkpoint_at = models.DateTimeField(null=True, blank=True, help_text="The worker's last progress save.")

    class Meta:
        db_table = "paper_sessions"
        ordering = ["-created_at"]
        constraints = [
            choices_check("status", PaperStatus, "paper_sessions"),
            models.CheckConstraint(condition=models.Q(bars_done__lte=models.F("bars_total")), name="paper_progress"),
            # One queued or running session per bot, whatever races in front of the service's check.
            models.UniqueConstraint(
                fields=["bot"],
                condition=models.Q(status__in=[PaperStatus.QUEUED, PaperStatus.RUNNING]),
                name="paper_sessions_one_active_per_bot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bot_id} on {self.symbol} {self.timeframe}: {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("trading:paper", args=[self.pk])

    @property
    def progress_percent(self) -> float:
        return round(self.bars_done / self.bars_total * 100, 1) if self.bars_total else 0.0

    @property
    def is_active(self) -> bool:
        return self.status in (PaperStatus.QUEUED, PaperStatus.RUNNING)

    @property
    def pnl(self) -> float:
        return self.equity - self.starting_cash

    @property
    def pnl_percent(self) -> float:
        return self.pnl / self.starting_cash * 100 if self.starting_cash else 0.0


class PaperEvent(models.Model):
    """What the bot did and why, bar by bar: trades, stop losses, every risk clamp, LLM answers."""

    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(PaperSession, on_delete=models.DB_CASCADE, related_name="events")
    bar_time = models.DateTimeField()
    kind = models.CharField(max_length=10)
    message = models.TextField()
    data = models.JSONField(default=dict)

    class Meta:
        db_table = "paper_events"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["trade", "clamp", "stop", "llm", "info"]), name="paper_events_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message[:60]}"
