"""Malformed candle files: a clear message, a non-zero exit (CommandError), nothing written.

(These live here because the trading app's tests belong to another branch's work; the command and
the parser they exercise are `trading/management/commands/import_candles.py` and
`trading/market_data.py`.)
"""

import pytest
from django.core.management import CommandError, call_command

from trading.models import Candle

HEADER = "timestamp,open,high,low,close,volume\n"
GOOD_ROW = "1700000000000,10,11,9,10.5,1\n"

MALFORMED = {
    # Each of these raised an uncaught exception (DataError, OverflowError, RecursionError) before.
    "nan-timestamp.json": ("[[NaN,1,1,1,1,1]]", "row 1: the timestamp is not epoch milliseconds"),
    "infinite-timestamp.json": ("[[Infinity,1,1,1,1,1]]", "row 1: the timestamp is not epoch milliseconds"),
    "nan-timestamp.csv": (HEADER + "nan,1,1,1,1,1\n", "line 2: the timestamp is not epoch milliseconds"),
    "huge-timestamp.csv": (HEADER + GOOD_ROW + "1e17,10,11,9,10,1\n", "line 3: the timestamp is not"),
    "huge-timestamp.json": ("[[100000000000000000,1,1,1,1,1]]", "row 1: the timestamp is not epoch"),
    "many-digits.csv": (HEADER + "9" * 400 + ",1,1,1,1,1\n", "line 2: the timestamp is not epoch"),
    "huge-integer.json": ("[[1700000000000,1,1,1,1," + "9" * 400 + "]]", "row 1: a number is too large"),
    "deeply-nested.json": ("[" * 100_000, "nested too deeply"),
    # These were already handled; kept so that they stay so.
    "empty.csv": ("", "the file is empty"),
    "wrong-header.csv": ("time,o,h,l,c,v\n1,1,1,1,1,1\n", "line 1: the header must be"),
    "non-numeric.csv": (HEADER + "1700000000000,ten,11,9,10,1\n", "line 2:"),
    "not-utf8.csv": (HEADER.encode() + b"1700000000000,\xff,11,9,10,1\n", "not UTF-8 text"),
    "not-a-list.json": ("[1, 2]", "row 1: expected [ms, open, high, low, close, volume]"),
    "decreasing.json": ("[[2,1,1,1,1,1],[1,1,1,1,1,1]]", "row 2: timestamp is earlier than the line before"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_candle_file_is_refused_clearly_and_writes_nothing(tmp_path, name):
    content, expected = MALFORMED[name]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(CommandError) as error:
        call_command("import_candles", str(path), "--symbol", "BTC/USDT", "--timeframe", "1h")
    assert "nothing was imported" in str(error.value)
    assert expected in str(error.value)
    assert not Candle.objects.exists()


@pytest.mark.django_db
def test_a_good_file_still_imports(tmp_path):
    path = tmp_path / "good.csv"
    path.write_text(HEADER + GOOD_ROW + "1700003600000,10.5,12,10,11,2\n")
    call_command("import_candles", str(path), "--symbol", "BTC/USDT", "--timeframe", "1h")
    assert Candle.objects.count() == 2
