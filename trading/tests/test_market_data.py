import json
from datetime import UTC, datetime
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from trading.market_data import CandleFileError, read_candles, synthetic_candles, write_csv
from trading.models import Candle

HEADER = "timestamp,open,high,low,close,volume\n"
GOOD = HEADER + "1700000000000,10,11,9,10.5,100\n1700003600000,10.5,12,10,11,50\n1700007200000,11,11.5,10.8,11.2,0\n"


def write(tmp_path, text, name="c.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_with_epoch_milliseconds(tmp_path):
    candles = read_candles(write(tmp_path, GOOD))
    assert list(candles.timestamp) == [1700000000000, 1700003600000, 1700007200000]
    assert list(candles.close) == [10.5, 11, 11.2]


def test_csv_with_iso_timestamps(tmp_path):
    text = HEADER + "2024-01-01T00:00:00Z,10,11,9,10.5,1\n2024-01-01T01:00:00+00:00,10.5,12,10,11,1\n"
    candles = read_candles(write(tmp_path, text))
    assert candles.timestamp[0] == int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
    assert candles.timestamp[1] - candles.timestamp[0] == 3_600_000


def test_json_arrays_in_the_exchange_layout(tmp_path):
    rows = [[1700000000000, 10, 11, 9, 10.5, 100], [1700003600000, 10.5, 12, 10, 11, 50]]
    candles = read_candles(write(tmp_path, json.dumps(rows), "c.json"))
    assert len(candles) == 2 and candles.high[1] == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEADER + "1700000000000,10,11,9,10.5,100\n1699999999000,10,11,9,10,1\n", "line 3: timestamp is earlier"),
        (HEADER + "1700000000000,10,11,9,10.5,100\n1700000000000,10,11,9,10,1\n", "line 3: duplicate timestamp"),
        (HEADER + "1700000000000,10,9.5,9,10.5,100\n", "line 2: high is below open or close"),
        (HEADER + "1700000000000,10,11,10.6,10.5,100\n", "line 2: low is above open or close"),
        (HEADER + "1700000000000,10,11,9,10.5,-1\n", "line 2: volume is negative"),
        (HEADER + "1700000000000,-10,11,9,10.5,1\n", "line 2: prices must be positive"),
        (HEADER + "1700000000000,10,11,,10.5,1\n", "line 2: missing value in column low"),
        (HEADER + "1700000000000,10,11,9,10.5\n", "line 2: expected 6 values, found 5"),
        (HEADER + "yesterday,10,11,9,10.5,1\n", "neither epoch milliseconds nor ISO 8601"),
        (HEADER + "2024-01-01T00:00:00,10,11,9,10.5,1\n", "has no time zone"),
        (HEADER + "1700000000000,nan,11,9,10.5,1\n", "line 2: a value is missing or not a finite number"),
        ("time,o,h,l,c,v\n1,1,1,1,1,1\n", "line 1: the header must be"),
        (HEADER, "header but no candles"),
        ("", "the file is empty"),
        ("[[1, 2, 3]]", "row 1: expected [ms, open, high, low, close, volume]"),
        ("[not json", "invalid JSON"),
    ],
)
def test_bad_rows_are_reported_by_line(tmp_path, text, expected):
    with pytest.raises(CandleFileError) as error:
        read_candles(write(tmp_path, text))
    assert expected in str(error.value)


def test_every_bad_line_is_listed(tmp_path):
    text = HEADER + "1,10,11,9,10,1\n2,10,9,9,10,1\n3,10,11,9,10,1\n4,10,11,9,10,-5\n"
    with pytest.raises(CandleFileError) as error:
        read_candles(write(tmp_path, text))
    assert error.value.problems == ["line 3: high is below open or close", "line 5: volume is negative"]


def test_synthetic_candles_are_deterministic_and_valid(tmp_path):
    a = synthetic_candles(bars=5000, seed=11)
    b = synthetic_candles(bars=5000, seed=11)
    c = synthetic_candles(bars=5000, seed=12)
    assert np.array_equal(a.close, b.close) and not np.array_equal(a.close, c.close)
    path = tmp_path / "s.csv"
    write_csv(a, path)
    again = read_candles(path)  # passes validation
    assert np.allclose(again.close, a.close)


@pytest.mark.django_db
def test_import_is_bulk_idempotent_and_reports_new_rows(tmp_path):
    path = write(tmp_path, GOOD)
    out = StringIO()
    call_command("import_candles", str(path), "--symbol", "btc/usdt", "--timeframe", "1h", stdout=out)
    assert "3 candles read, 3 new, 0 already present" in out.getvalue()
    overlapping = write(tmp_path, GOOD + "1700010800000,11.2,11.6,11,11.5,3\n", "more.csv")
    out = StringIO()
    call_command("import_candles", str(overlapping), "--symbol", "BTC/USDT", "--timeframe", "1h", stdout=out)
    assert "4 candles read, 1 new, 3 already present" in out.getvalue()
    assert Candle.objects.filter(symbol="BTC/USDT", timeframe="1h").count() == 4
    first = Candle.objects.order_by("timestamp").first()
    assert first.timestamp == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC) and first.close == 10.5


@pytest.mark.django_db
def test_a_bad_file_loads_nothing(tmp_path):
    text = GOOD + "1700010800000,11.2,11.6,11.9,11.5,3\n"
    with pytest.raises(CommandError) as error:
        call_command("import_candles", str(write(tmp_path, text)), "--symbol", "X", "--timeframe", "1h")
    assert "nothing was imported" in str(error.value) and "line 5: low is above open or close" in str(error.value)
    assert not Candle.objects.exists()


@pytest.mark.django_db
def test_generate_candles_marks_them_synthetic():
    call_command("generate_candles", "--symbol", "ETH/USDT", "--timeframe", "1h", "--bars", "500", "--seed", "3",
                 stdout=StringIO())  # fmt: skip
    call_command("generate_candles", "--symbol", "ETH/USDT", "--timeframe", "1h", "--bars", "500", "--seed", "3",
                 stdout=StringIO())  # fmt: skip
    assert Candle.objects.count() == 500
    assert not Candle.objects.filter(is_synthetic=False).exists()
