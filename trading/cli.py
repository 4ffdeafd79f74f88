"""`manage.py backtest`: the arguments and the run, shared by the Django command and the fast path
that manage.py takes for `--csv` (a CSV backtest needs neither Django nor the database, and the
whole-process time of this command is a measured target)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from trading.engine import STRATEGIES, BacktestError, builtin_signals, json_safe, run_backtest
from trading.market_data import CandleFileError, read_candles


class BacktestCommandError(Exception):
    pass


def add_arguments(parser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", type=Path, help="a candle CSV file; no database needed")
    source.add_argument("--symbol", help="stored candles, e.g. BTC/USDT (with --timeframe)")
    parser.add_argument("--timeframe", default="1h")
    parser.add_argument("--strategy", required=True, choices=sorted(STRATEGIES))
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--cash", type=float, default=10_000.0)
    parser.add_argument("--position-pct", type=float, default=100.0)
    parser.add_argument("--stop-loss-pct", type=float, default=0.0, help="0 means no stop loss")
    parser.add_argument("--commission", type=float, default=0.001)
    parser.add_argument("--json", action="store_true", help="print the metrics as one JSON object")


def parse_params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BacktestCommandError(f"--param must look like name=value, not {pair!r}")
        params[key.strip()] = value.strip()
    return params


def execute(options: dict, load_stored=None) -> str:
    """Run the backtest the options describe and return what the command prints."""
    try:
        if options.get("csv"):
            candles = read_candles(options["csv"])
        else:
            candles = load_stored(options["symbol"].upper(), options["timeframe"])
            if len(candles) == 0:
                raise BacktestCommandError(f"no stored candles for {options['symbol']} {options['timeframe']}")
        signals = builtin_signals(options["strategy"], candles, parse_params(options["param"]))
        result = run_backtest(
            candles,
            signals,
            cash=options["cash"],
            position_pct=options["position_pct"],
            stop_loss_pct=options["stop_loss_pct"],
            commission=options["commission"],
        )
    except (CandleFileError, BacktestError) as error:
        raise BacktestCommandError(str(error)) from error
    metrics = json_safe(result.metrics)
    if options.get("json"):
        return json.dumps(metrics)
    return "\n".join(
        f"{key:>26}: {value:,.4f}" if isinstance(value, float) else f"{key:>26}: {value}"
        for key, value in metrics.items()
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="manage.py backtest", description="Backtest a built-in strategy.")
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        print(execute(options))
    except BacktestCommandError as error:
        print(f"CommandError: {error}", file=sys.stderr)
        return 1
    return 0
