"""Writes for the trading lab."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from trading.engine import Candles


@dataclass
class ImportReport:
    rows: int
    inserted: int

    @property
    def already_present(self) -> int:
        return self.rows - self.inserted


@transaction.atomic
def candles_import(*, symbol: str, timeframe: str, candles: Candles, synthetic: bool = False) -> ImportReport:
    """Bulk-load validated candles with PostgreSQL COPY into a temporary table, then insert the
    rows that are not there yet: re-importing overlapping data changes nothing."""
    symbol, timeframe = symbol.strip().upper(), timeframe.strip()
    if not symbol or len(symbol) > 30 or not timeframe or len(timeframe) > 10:
        raise ValueError("symbol (up to 30 characters) and timeframe (up to 10) are required")
    buffer = io.StringIO()
    table = np.column_stack([candles.timestamp, candles.open, candles.high, candles.low, candles.close, candles.volume])
    np.savetxt(buffer, table, delimiter=",", fmt=["%d"] + ["%.17g"] * 5)
    with connection.cursor() as cursor:
        # Dropped at commit; dropped here too for two imports inside one transaction.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.candle_import")
        cursor.execute(
            "CREATE TEMP TABLE candle_import (ms bigint, open float8, high float8, low float8, close float8,"
            " volume float8) ON COMMIT DROP"
        )
        with cursor.copy("COPY candle_import FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            """INSERT INTO candles (symbol, timeframe, timestamp, open, high, low, close, volume, is_synthetic)
               SELECT %s, %s, to_timestamp(ms / 1000.0), open, high, low, close, volume, %s FROM candle_import
               ON CONFLICT (symbol, timeframe, timestamp) DO NOTHING""",
            [symbol, timeframe, synthetic],
        )
        inserted = cursor.rowcount
    return ImportReport(rows=len(candles), inserted=inserted)
