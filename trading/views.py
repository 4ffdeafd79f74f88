from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sandbox import isolation
from trading import selectors, services
from trading.charts import backtest_charts, paper_chart
from trading.engine import BacktestError
from trading.forms import BacktestForm, BotForm, StrategyForm
from trading.models import BacktestStatus
from trading.paper import PaperError, paper_session_start, paper_session_stop
from trading.strategies import STARTER_STRATEGY, StrategyError


def lab_required(view):
    """Signed in, and Module 17 unlocked (teachers and admins always)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        allowed, missing = selectors.lab_access(user=request.user)
        if not allowed:
            return render(request, "trading/locked.html", {"missing": missing}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


@lab_required
def lab(request):
    context = {
        "series": selectors.market_series(),
        "bots": selectors.user_bots(user=request.user),
        "backtests": selectors.user_backtests(user=request.user)[:5],
        "isolation": isolation(queue_seconds=1),  # a page never waits long for a sandbox place
    }
    return render(request, "trading/lab.html", context)


@lab_required
def bot_edit(request, bot_id=None):
    bot = None
    if bot_id is not None:
        bot = get_object_or_404(selectors.user_bots(user=request.user), pk=bot_id)
    series = selectors.market_series()
    form = BotForm(request.POST or None, instance=bot, series=series)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        bot = services.bot_save(user=request.user, bot=bot, fields=fields, config=form.config())
        messages.success(request, f"Saved “{bot.name}”. It trades on paper only.")
        return redirect("trading:bot", bot_id=bot.pk)
    strategies = bot.strategies.order_by("-created_at") if bot else []
    sessions = bot.paper_sessions.order_by("-created_at")[:10] if bot else []
    context = {"form": form, "bot": bot, "strategies": strategies, "sessions": sessions}
    return render(request, "trading/bot_form.html", context)


@lab_required
def strategy_edit(request, bot_id, strategy_id=None):
    bot = get_object_or_404(selectors.user_bots(user=request.user), pk=bot_id)
    strategy = None
    if strategy_id is not None:
        strategy = get_object_or_404(selectors.user_strategies(user=request.user), pk=strategy_id, bot_config=bot)
    initial = {} if strategy else {"strategy_code": STARTER_STRATEGY, "strategy_name": "My strategy"}
    form = StrategyForm(request.POST or None, instance=strategy, initial=initial)
    if request.method == "POST" and form.is_valid():
        strategy = services.strategy_save(
            bot=bot,
            strategy=strategy,
            name=form.cleaned_data["strategy_name"],
            code=form.cleaned_data["strategy_code"],
            active=form.cleaned_data["is_active"],
        )
        messages.success(request, "Strategy saved. Backtest it to see how it would have done.")
        return redirect("trading:strategy", bot_id=bot.pk, strategy_id=strategy.pk)
    return render(request, "trading/strategy_form.html", {"form": form, "bot": bot, "strategy": strategy})


@lab_required
def backtest_new(request):
    series = selectors.market_series()
    strategies = selectors.user_strategies(user=request.user)
    initial = {}
    if "strategy" in request.GET:
        initial["strategy"] = request.GET["strategy"]
    form = BacktestForm(request.POST or None, series=series, strategies=strategies, initial=initial)
    if request.method == "POST" and form.is_valid():
        symbol, timeframe = form.cleaned_data["series"].split("|")
        backtest_request = services.BacktestRequest(
            symbol=symbol,
            timeframe=timeframe,
            strategy=form.cleaned_data["strategy"],
            params=form.cleaned_data["parameters"],
            cash=float(form.cleaned_data["cash"]),
            position_pct=float(form.cleaned_data["position_pct"]),
            stop_loss_pct=float(form.cleaned_data["stop_loss_pct"]),
            commission=float(form.cleaned_data["commission"]),
            own_strategy=form.own_strategy(),
        )
        try:
            backtest = services.backtest_create(user=request.user, request=backtest_request)
        except services.BacktestLimitError as error:
            form.add_error(None, str(error))
        except (BacktestError, StrategyError) as error:
            form.add_error(None, f"The backtest could not run: {error}")
        else:
            return redirect(backtest)
    return render(request, "trading/backtest_form.html", {"form": form, "has_data": bool(series)})


@lab_required
def backtest_detail(request, backtest_id):
    """The run's result once finished; until then its progress (htmx polls the fragment; without
    JavaScript the page refreshes itself), or its error."""
    backtest = get_object_or_404(selectors.user_backtests(user=request.user, with_series=True), pk=backtest_id)
    context: dict[str, object] = {"backtest": backtest}
    if request.htmx:
        response = render(request, "trading/backtest_detail.html#progress", context)
        if backtest.status == BacktestStatus.FINISHED:
            response["HX-Refresh"] = "true"  # the whole result page replaces the progress
        return response
    if backtest.status == BacktestStatus.FINISHED:
        context |= {"charts": backtest_charts(backtest), "m": backtest.metrics, "trades": backtest.trades[:200]}
    return render(request, "trading/backtest_detail.html", context)


@lab_required
def backtest_list(request):
    runs = list(selectors.user_backtests(user=request.user)[:100])
    wanted = request.GET.getlist("compare")
    chosen = [r for r in runs if str(r.pk) in wanted and r.status == BacktestStatus.FINISHED]
    return render(request, "trading/backtest_list.html", {"runs": runs, "compare": chosen})


def glossary(request):
    return render(request, "trading/glossary.html")


@lab_required
@require_POST
def paper_start(request, bot_id):
    bot = get_object_or_404(selectors.user_bots(user=request.user), pk=bot_id)
    try:
        session = paper_session_start(user=request.user, bot=bot)
    except PaperError as error:
        message = str(error)
        messages.error(request, message[:1].upper() + message[1:] + ".")  # not capitalize(): it lowercases "OpenAI"
        return redirect("trading:bot", bot_id=bot.pk)
    messages.success(request, "Paper-trading session started. It runs in the background; this page follows it.")
    return redirect(session)


@lab_required
def paper_detail(request, session_id):
    session = get_object_or_404(selectors.user_paper_sessions(user=request.user), pk=session_id)
    context: dict[str, object] = {"session": session, "events": session.events.order_by("-id")[:100]}
    if request.htmx:
        return render(request, "trading/paper_detail.html#progress", context)
    context["chart"] = paper_chart(session)
    return render(request, "trading/paper_detail.html", context)


@lab_required
@require_POST
def paper_stop(request, session_id):
    session = get_object_or_404(selectors.user_paper_sessions(user=request.user), pk=session_id)
    paper_session_stop(session=session)
    messages.info(request, "Stopping: the session ends at its next checkpoint.")
    return redirect(session)
