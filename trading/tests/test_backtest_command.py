import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trading.market_data import synthetic_candles, write_csv

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "btc.csv"
    write_csv(synthetic_candles(bars=3000, seed=5), path)
    return path


REQUIRED = {
    "final_equity", "total_return_pct", "num_trades", "win_rate_pct", "max_drawdown_pct", "sharpe_ratio",
    "buy_and_hold_return_pct", "cagr_pct", "sortino_ratio", "calmar_ratio", "volatility_ann_pct", "profit_factor",
    "expectancy_pct", "exposure_pct", "avg_trade_duration", "max_drawdown_duration", "fees_paid",
}  # fmt: skip


def test_csv_backtest_prints_one_json_object_without_a_database(csv_file):
    done = subprocess.run(
        [sys.executable, "manage.py", "backtest", "--csv", str(csv_file), "--strategy", "sma_crossover",
         "--param", "fast=10", "--param", "slow=30", "--stop-loss-pct", "2", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout)
    assert set(metrics) >= REQUIRED
    assert metrics["num_trades"] > 0 and metrics["engine_version"]


def test_the_django_command_gives_the_same_numbers(csv_file):
    out = StringIO()
    call_command("backtest", "--csv", str(csv_file), "--strategy", "breakout", "--json", stdout=out)
    fast = subprocess.run(
        [sys.executable, "manage.py", "backtest", "--csv", str(csv_file), "--strategy", "breakout", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert json.loads(out.getvalue()) == json.loads(fast.stdout)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--param", "fast=abc"], "fast must be a whole number"),
        (["--param", "oops"], "--param must look like name=value"),
        (["--position-pct", "0"], "position size"),
    ],
)
def test_bad_arguments_give_a_clear_error(csv_file, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("backtest", "--csv", str(csv_file), "--strategy", "sma_crossover", *args, stdout=StringIO())
    done = subprocess.run(
        [sys.executable, "manage.py", "backtest", "--csv", str(csv_file), "--strategy", "sma_crossover", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.django_db
def test_backtest_on_stored_candles():
    call_command("generate_candles", "--symbol", "BTC/USDT", "--timeframe", "1h", "--bars", "2000", "--seed", "1",
                 stdout=StringIO())  # fmt: skip
    out = StringIO()
    call_command("backtest", "--symbol", "BTC/USDT", "--timeframe", "1h", "--strategy", "rsi_reversion", "--json",
                 stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["bars"] == 2000
