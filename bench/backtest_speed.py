"""Backtest speed, measured side by side in one run (results go to docs/performance.md).

    .venv/bin/pip install -r bench/requirements.txt   # backtesting.py and pandas, for the comparison
    .venv/bin/python bench/backtest_speed.py [--bars 1000000]

Prints: engine candles per second (signals + execution + metrics, best of 5), the whole-process
time of `manage.py backtest --csv FILE --strategy sma_crossover --json` (best of 3), and the
whole-process time of backtesting.py running the same SMA crossover on the same file (best of 3).
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trading.engine import builtin_signals, run_backtest  # noqa: E402
from trading.market_data import read_candles, synthetic_candles, write_csv  # noqa: E402

BACKTESTING_PY = """
import sys, time
import pandas as pd
from backtesting import Backtest, Strategy

def SMA(values, n):
    return pd.Series(values).rolling(n).mean().values

class SmaCross(Strategy):
    fast, slow = {fast}, {slow}
    def init(self):
        self.f = self.I(SMA, self.data.Close, self.fast)
        self.s = self.I(SMA, self.data.Close, self.slow)
    def next(self):
        if self.f[-1] > self.s[-1]:
            if not self.position:
                self.buy()
        elif self.position:
            self.position.close()

df = pd.read_csv(sys.argv[1])
df.index = pd.to_datetime(df.timestamp, unit="ms")
df = df.rename(columns=str.capitalize)[["Open", "High", "Low", "Close", "Volume"]]
stats = Backtest(df, SmaCross, cash=1e12, commission=0.001, finalize_trades=True).run()
print(stats["# Trades"], round(stats["Return [%]"], 2))
"""


def best_of(runs: int, command: list[str]) -> tuple[float, str]:
    best, output = float("inf"), ""
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
        best = min(best, time.perf_counter() - started)
        output = done.stdout.strip()
    return best, output


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--fast", type=int, default=20)
    parser.add_argument("--slow", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candles.csv"
        write_csv(synthetic_candles(bars=args.bars, seed=7, timeframe="1h"), path)
        print(f"data: {args.bars:,} synthetic hourly candles, {path.stat().st_size / 1e6:.1f} MB CSV")

        candles = read_candles(path)
        params = {"fast": args.fast, "slow": args.slow}
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            result = run_backtest(candles, builtin_signals("sma_crossover", candles, params), stop_loss_pct=0)
            timings.append(time.perf_counter() - started)
        engine = min(timings)
        print(f"engine: {engine * 1000:.1f} ms = {len(candles) / engine / 1e6:.1f} M candles/s "
              f"({result.metrics['num_trades']} trades)")  # fmt: skip

        ours, _ = best_of(3, [sys.executable, "manage.py", "backtest", "--csv", str(path), "--strategy",
                              "sma_crossover", "--param", f"fast={args.fast}", "--param", f"slow={args.slow}",
                              "--json"])  # fmt: skip
        print(f"manage.py backtest --csv (whole process): {ours:.2f} s")
        script = Path(folder) / "bt.py"
        script.write_text(BACKTESTING_PY.format(fast=args.fast, slow=args.slow))
        try:
            theirs, output = best_of(3, [sys.executable, str(script), str(path)])
        except subprocess.CalledProcessError as error:
            print("backtesting.py failed (pip install -r bench/requirements.txt):", error.stderr[-500:])
            return
        print(f"backtesting.py (whole process): {theirs:.2f} s  [trades, return %: {output}]")
        print(f"ratio: ours takes {ours / theirs:.1%} of backtesting.py's time ({theirs / ours:.1f}x faster); "
              f"target <= 20%")  # fmt: skip


if __name__ == "__main__":
    main()
