from django.contrib import admin

from trading.models import BotConfiguration, TradingStrategy


class TradingStrategyInline(admin.StackedInline):
    model = TradingStrategy
    extra = 0
    fields = ("strategy_name", "strategy_code", "is_active", "backtest_results", "created_at")
    readonly_fields = ("backtest_results", "created_at")


@admin.register(BotConfiguration)
class BotConfigurationAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "llm_provider", "llm_model", "is_active", "is_paper_trading", "updated_at")
    list_filter = ("llm_provider", "is_active")
    search_fields = ("name", "user__username", "llm_model")
    list_select_related = ("user",)
    readonly_fields = ("is_paper_trading", "created_at", "updated_at")
    raw_id_fields = ("user",)
    inlines = [TradingStrategyInline]


@admin.register(TradingStrategy)
class TradingStrategyAdmin(admin.ModelAdmin):
    list_display = ("strategy_name", "bot_config", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("strategy_name", "bot_config__name")
    list_select_related = ("bot_config",)
    readonly_fields = ("backtest_results", "created_at")
