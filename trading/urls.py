from django.urls import path

from trading import views

app_name = "trading"

urlpatterns = [
    path("", views.lab, name="lab"),
    path("glossary/", views.glossary, name="glossary"),
    path("bots/new/", views.bot_edit, name="bot_new"),
    path("bots/<uuid:bot_id>/", views.bot_edit, name="bot"),
    path("bots/<uuid:bot_id>/strategies/new/", views.strategy_edit, name="strategy_new"),
    path("bots/<uuid:bot_id>/strategies/<uuid:strategy_id>/", views.strategy_edit, name="strategy"),
    path("bots/<uuid:bot_id>/paper/", views.paper_start, name="paper_start"),
    path("paper/<uuid:session_id>/", views.paper_detail, name="paper"),
    path("paper/<uuid:session_id>/stop/", views.paper_stop, name="paper_stop"),
    path("backtests/", views.backtest_list, name="backtests"),
    path("backtests/new/", views.backtest_new, name="backtest_new"),
    path("backtests/<uuid:backtest_id>/", views.backtest_detail, name="backtest"),
]
