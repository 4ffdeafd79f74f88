from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings

from trading.engine import STRATEGIES
from trading.models import BotConfiguration, LLMProvider, TradingStrategy
from trading.selectors import llm_models_allowed

if TYPE_CHECKING:
    from trading.selectors import MarketSeries

PERCENT_HELP = "More than 0 and at most 100."


def parse_parameters(text: str) -> dict:
    """'fast=20, slow=50' → {'fast': '20', 'slow': '50'}; raises ValidationError with the bad part."""
    params = {}
    for part in text.replace(",", " ").split():
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise forms.ValidationError(f"Write parameters as name=value pairs, e.g. fast=20 slow=50 (not {part!r}).")
        if len(key) > 40 or len(value) > 40:
            raise forms.ValidationError("Parameter names and values are at most 40 characters.")
        params[key] = value
    return params


class BacktestForm(forms.Form):
    series = forms.ChoiceField(label="Market data")
    strategy = forms.ChoiceField(label="Strategy")
    parameters = forms.CharField(
        required=False, max_length=300, help_text="name=value pairs, e.g. fast=20 slow=50 (defaults otherwise)"
    )
    cash = forms.DecimalField(initial=10_000, min_value=Decimal("1"), max_value=Decimal("1000000000"), decimal_places=2)
    position_pct = forms.DecimalField(
        label="Position size %", initial=100, min_value=Decimal("0.01"), max_value=100, decimal_places=2,
        help_text="Share of cash put into each trade. " + PERCENT_HELP,
    )  # fmt: skip
    stop_loss_pct = forms.DecimalField(
        label="Stop loss %", initial=0, min_value=0, max_value=Decimal("99.99"), decimal_places=2,
        help_text="0 means no stop loss.",
    )  # fmt: skip
    commission = forms.DecimalField(
        label="Commission per side", initial=Decimal("0.001"), min_value=0, max_value=Decimal("0.1"),
        decimal_places=5, help_text="A fraction: 0.001 is 0.1 %.",
    )  # fmt: skip

    def __init__(self, *args, series: list[MarketSeries], strategies, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["series"]).choices = [
            (f"{s['symbol']}|{s['timeframe']}", f"{s['symbol']} {s['timeframe']} — {s['bars']:,} bars"
             + (" (synthetic)" if s["synthetic"] else ""))
            for s in series
        ]  # fmt: skip
        self.own = {str(s.pk): s for s in strategies}
        own_choices = [(f"own:{pk}", f"{s.strategy_name} ({s.bot_config.name})") for pk, s in self.own.items()]
        cast(forms.ChoiceField, self.fields["strategy"]).choices = [
            ("Built-in", [(name, name.replace("_", " ")) for name in STRATEGIES]),
            ("Your strategies", own_choices),
        ]

    def clean_parameters(self):
        return parse_parameters(self.cleaned_data.get("parameters") or "")

    def own_strategy(self) -> TradingStrategy | None:
        value = self.cleaned_data["strategy"]
        return self.own.get(value.removeprefix("own:")) if value.startswith("own:") else None


class BotForm(forms.ModelForm):
    """The bot's settings, with config_json edited as fields rather than raw JSON."""

    symbol = forms.ChoiceField(label="Market data for paper trading")
    strategy_weight = forms.DecimalField(initial=Decimal("0.7"), min_value=0, max_value=1, decimal_places=2,
                                         help_text="Weight of the strategy's signal (0–1).")  # fmt: skip
    llm_weight = forms.DecimalField(initial=Decimal("0.3"), min_value=0, max_value=1, decimal_places=2,
                                    help_text="Weight of the LLM's signal × confidence (0–1).")  # fmt: skip
    entry_threshold = forms.DecimalField(
        initial=Decimal("0.5"), min_value=Decimal("0.01"), max_value=1, decimal_places=2,
        help_text="Go long when the combined signal reaches this.",
    )  # fmt: skip
    llm_every_bars = forms.IntegerField(initial=24, min_value=1, max_value=1000)

    class Meta:
        model = BotConfiguration
        fields = ["name", "llm_provider", "llm_model", "max_position_size_percent", "stop_loss_percent", "is_active"]
        labels = {"max_position_size_percent": "Maximum position size %", "stop_loss_percent": "Stop loss %"}
        help_texts = {
            "max_position_size_percent": PERCENT_HELP,
            "stop_loss_percent": PERCENT_HELP,
        }

    def __init__(self, *args, series: list[MarketSeries], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["symbol"]).choices = [
            (f"{s['symbol']}|{s['timeframe']}", f"{s['symbol']} {s['timeframe']}") for s in series
        ]
        cast(forms.ChoiceField, self.fields["llm_provider"]).choices = LLMProvider.choices
        offered = "; ".join(
            f"{label}: {', '.join(llm_models_allowed(provider=value)) or 'none'}"
            for value, label in LLMProvider.choices
        )
        self.fields["llm_model"].help_text = f"The models this server offers — {offered}."
        every = self.fields["llm_every_bars"]
        every.help_text = f"Ask the LLM once every this many bars (at least {settings.LLM_MIN_EVERY_BARS})."
        every.widget.attrs["min"] = settings.LLM_MIN_EVERY_BARS
        config = (self.instance.config_json or {}) if self.instance.pk else {}
        weights = config.get("signal_weights", {})
        if config:
            self.initial.update(
                symbol=f"{config.get('symbol')}|{config.get('timeframe')}",
                strategy_weight=weights.get("strategy"),
                llm_weight=weights.get("llm"),
                entry_threshold=config.get("entry_threshold"),
                llm_every_bars=config.get("llm_every_bars"),
            )

    def _percent(self, name: str, allow_zero: bool) -> Decimal:
        value = self.cleaned_data.get(name)
        if value is None:
            raise forms.ValidationError("Enter a percentage.")
        if value > 100 or value < 0 or (value == 0 and not allow_zero):
            raise forms.ValidationError(PERCENT_HELP)
        return value

    def clean_max_position_size_percent(self):
        return self._percent("max_position_size_percent", allow_zero=False)

    def clean_stop_loss_percent(self):
        return self._percent("stop_loss_percent", allow_zero=False)

    def clean_llm_every_bars(self):
        every, floor = self.cleaned_data["llm_every_bars"], settings.LLM_MIN_EVERY_BARS
        if every < floor:
            raise forms.ValidationError(
                f"This server asks the LLM at most once every {floor} bars (each call costs money);"
                f" enter {floor} or more."
            )
        return every

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        provider, model = self.cleaned_data.get("llm_provider"), self.cleaned_data.get("llm_model")
        if provider and model:
            offered = llm_models_allowed(provider=provider)
            if model not in offered:
                label = LLMProvider(provider).label
                choices = f"choose one of {', '.join(offered)}" if offered else "this server offers none"
                self.add_error("llm_model", f"“{model}” is not a model this server offers for {label}; {choices}.")
        strategy, llm = self.cleaned_data.get("strategy_weight"), self.cleaned_data.get("llm_weight")
        if strategy is not None and llm is not None and strategy + llm == 0:
            self.add_error("llm_weight", "At least one weight must be above 0.")
        return data

    def config(self) -> dict:
        symbol, timeframe = self.cleaned_data["symbol"].split("|")
        return {
            "signal_weights": {
                "strategy": float(self.cleaned_data["strategy_weight"]),
                "llm": float(self.cleaned_data["llm_weight"]),
            },
            "entry_threshold": float(self.cleaned_data["entry_threshold"]),
            "llm_every_bars": self.cleaned_data["llm_every_bars"],
            "symbol": symbol,
            "timeframe": timeframe,
            "data_sources": [f"candles:{symbol}:{timeframe}"],
        }


class StrategyForm(forms.ModelForm):
    class Meta:
        model = TradingStrategy
        fields = ["strategy_name", "strategy_code", "is_active"]
        labels = {"strategy_code": "Code", "is_active": "Use this strategy for the bot's paper trading"}
        help_texts = {"strategy_code": "Tab indents, Shift+Tab outdents; press Esc, then Tab, to leave the editor."}
        widgets = {
            "strategy_code": forms.Textarea(
                attrs={"rows": 24, "class": "form-control code-editor", "spellcheck": "false", "autocapitalize": "off"}
            )
        }

    def clean_strategy_code(self):
        code = self.cleaned_data.get("strategy_code") or ""
        if "def signals" not in code:
            raise forms.ValidationError("The code must define signals(candles, params).")
        if len(code) > 50_000:
            raise forms.ValidationError("Keep the strategy under 50,000 characters.")
        try:
            compile(code, "strategy.py", "exec")  # parse only; the code never runs here
        except SyntaxError as error:
            raise forms.ValidationError(f"Syntax error on line {error.lineno}: {error.msg}.") from error
        except (RecursionError, MemoryError, ValueError) as error:
            raise forms.ValidationError("The code is too deeply nested to read; simplify it.") from error
        return code
