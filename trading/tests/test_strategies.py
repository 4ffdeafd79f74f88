import numpy as np
import pytest

from trading.engine import builtin_signals
from trading.market_data import synthetic_candles
from trading.strategies import STARTER_STRATEGY, StrategyError, strategy_run

CANDLES = synthetic_candles(bars=3000, seed=9)

SMA_IN_STUDENT_CODE = """
import numpy as np

def signals(candles, params):
    close = candles["close"]
    fast, slow = int(params["fast"]), int(params["slow"])
    def sma(n):
        out = np.full(len(close), np.nan)
        c = np.cumsum(close)
        out[n - 1] = c[n - 1] / n
        out[n:] = (c[n:] - c[:-n]) / n
        return out
    with np.errstate(invalid="ignore"):
        return (sma(fast) > sma(slow)).astype(np.int8)
"""


def test_a_student_strategy_matches_the_built_in_one():
    run = strategy_run(SMA_IN_STUDENT_CODE, CANDLES, {"fast": 10, "slow": 40})
    expected = builtin_signals("sma_crossover", CANDLES, {"fast": 10, "slow": 40}).target
    assert np.array_equal(run.signals.target, expected)
    assert not run.peeks_into_the_future


def test_the_starter_strategy_runs():
    run = strategy_run(STARTER_STRATEGY, CANDLES, {"window": 20})
    assert run.signals.target.shape == (3000,) and run.signals.target.sum() > 0


def test_a_strategy_that_peeks_into_the_future_is_flagged():
    peeking = (
        "import numpy as np\n"
        "def signals(candles, params):\n"
        "    close = candles['close']\n"
        "    tomorrow = np.r_[close[1:], close[-1]]\n"
        "    return (tomorrow > close).astype(int)\n"
    )
    run = strategy_run(peeking, CANDLES)
    assert run.peeks_into_the_future
    assert all(p["first_bar"] == p["cut"] - 1 for p in run.lookahead)


def test_a_centred_moving_average_also_peeks():
    centred = (
        "import numpy as np\n"
        "def signals(candles, params):\n"
        "    close = candles['close']\n"
        "    smooth = np.convolve(close, np.ones(21) / 21, mode='same')\n"
        "    return (close > smooth).astype(int)\n"
    )
    assert strategy_run(centred, CANDLES).peeks_into_the_future


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "empty"),
        ("def signal(c, p):\n    return 0\n", "must define a function signals(candles, params)"),
        ("def signals(c, p):\n    return 1 / 0\n", "ZeroDivisionError: division by zero (strategy.py, line 2)"),
        ("def signals(c, p):\n    return [1, 0]\n", "one target for each of the 3000 bars"),
        ("def signals(c, p):\n    return [2] * len(c['close'])\n", "only 0 (flat) and 1 (long)"),
        ("def signals(c, p)\n    return 0\n", "SyntaxError"),
        ("def signals(c, p):\n    while True:\n        pass\n", "CPU time"),
        ("import os\ndef signals(c, p):\n    os.system('id')\n", "starting processes or threads is not allowed"),
        ("def signals(c, p):\n    return open('/etc/passwd').read()\n", "reading /etc/passwd is not allowed"),
    ],
)
def test_broken_or_hostile_strategies_get_a_clear_message(code, message):
    from sandbox import Limits

    with pytest.raises(StrategyError) as error:
        strategy_run(code, CANDLES, limits=Limits(cpu_seconds=2, wall_seconds=8, memory_mb=1024))
    assert message in str(error.value)


def test_a_strategy_can_return_indicators_for_the_why_cards():
    from trading.engine import run_backtest

    run = strategy_run(STARTER_STRATEGY, CANDLES, {"window": 20})
    assert list(run.signals.indicators) == ["average_20"]
    average = run.signals.indicators["average_20"]
    assert np.isnan(average[:19]).all() and average[19] == pytest.approx(CANDLES.close[:20].mean())
    rows = run_backtest(CANDLES, run.signals).trade_rows(limit=1)
    assert rows[0]["entry_why"]["average_20"] is not None


def test_bad_indicator_output_is_explained():
    code = (
        "import numpy as np\ndef signals(c, p):\n    n = len(c['close'])\n"
        "    return {'target': np.zeros(n), 'indicators': {'x': [1, 2]}}\n"
    )
    with pytest.raises(StrategyError, match="indicator 'x' must have a short name and one value per bar"):
        strategy_run(code, CANDLES)


def test_a_strategy_cannot_forge_the_lookahead_verdict():
    # Each run happens in its own process that holds only its slice of the candles and cannot reach
    # the channel that carries the verdict.
    forger = (
        "import __main__, json, os\n"
        "def signals(c, p):\n"
        "    s = json.dumps({'lookahead': [], 'indicators': []}).encode()\n"
        "    __main__.emit_result(len(s).to_bytes(8, 'little') + s + bytes(len(c['close'])))\n"
        "    os._exit(0)\n"
    )
    with pytest.raises(StrategyError, match="Bad file descriptor"):
        strategy_run(forger, CANDLES)


def test_a_strategy_keeps_no_state_between_the_full_and_the_truncated_runs():
    # Remembering the first (full-history) answer and replaying its prefix later would hide a peek.
    cheat = (
        "import numpy as np\n"
        "MEMORY = {}\n"
        "def signals(c, p):\n"
        "    x = c['close']\n"
        "    if 'full' not in MEMORY:\n"
        "        MEMORY['full'] = (np.r_[x[1:], x[-1]] > x).astype(int)\n"
        "    return MEMORY['full'][: len(x)]\n"
    )
    assert strategy_run(cheat, CANDLES).peeks_into_the_future


def test_a_strategy_cannot_pass_answers_between_runs_through_scratch_files():
    # The full-history run writes its (peeking) answer to /tmp and the truncated runs replay it: each
    # run has its own empty scratch directory, so the replay finds nothing and the peek shows.
    forger = (
        "import os\n"
        "import numpy as np\n"
        "def signals(c, p):\n"
        "    x = c['close']\n"
        "    if os.path.exists('/tmp/answers.npy'):\n"
        "        return np.load('/tmp/answers.npy')[: len(x)]\n"
        "    answer = (np.r_[x[1:], x[-1]] > x).astype(int)\n"
        "    np.save('/tmp/answers.npy', answer)\n"
        "    return answer\n"
    )
    run = strategy_run(forger, CANDLES)
    assert run.peeks_into_the_future
    assert all(p["first_bar"] == p["cut"] - 1 for p in run.lookahead)


def test_a_strategy_cannot_reach_the_driver_or_its_result_channel():
    # The review's attack: switch the audit hook off, then take a file descriptor (the result pipe)
    # out of the trusted process next to it with pidfd_open + pidfd_getfd.
    attack = (
        "import ctypes, os, sys\n"
        "sys.modules['__main__']._sandbox_guard.__code__ = (lambda e, a: None).__code__\n"
        "def signals(c, p):\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    libc.syscall.restype = ctypes.c_long\n"
        "    for pid in sorted({os.getppid(), *range(1, 40)} - {os.getpid(), 0}):\n"
        "        pidfd = libc.syscall(434, pid, 0)\n"
        "        if pidfd >= 0:\n"
        "            for fd in range(3, 20):\n"
        "                got = libc.syscall(438, pidfd, fd, 0)\n"
        "                if got >= 0:\n"
        "                    raise RuntimeError(f'REACHED fd {fd} of process {pid}')\n"
        "    raise RuntimeError(f'blocked: errno {ctypes.get_errno()}')\n"
    )
    with pytest.raises(StrategyError) as error:
        strategy_run(attack, CANDLES)
    assert "REACHED" not in str(error.value) and "blocked: errno 1" in str(error.value), str(error.value)
