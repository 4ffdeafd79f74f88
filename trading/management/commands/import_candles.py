import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from trading.market_data import TIMEFRAME_SECONDS, CandleFileError, read_candles
from trading.services import candles_import


class Command(BaseCommand):
    help = "Import candles from a CSV (timestamp,open,high,low,close,volume) or a JSON array [[ms,o,h,l,c,v],...]."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--symbol", required=True, help="e.g. BTC/USDT")
        parser.add_argument("--timeframe", required=True, choices=sorted(TIMEFRAME_SECONDS))

    def handle(self, *args, file: Path, symbol: str, timeframe: str, **options):
        started = time.perf_counter()
        try:
            candles = read_candles(file)
        except CandleFileError as error:
            raise CommandError(f"{file}: nothing was imported:\n  " + "\n  ".join(str(error).splitlines())) from error
        try:
            with transaction.atomic():  # all the file's candles or none
                report = candles_import(symbol=symbol, timeframe=timeframe, candles=candles)
        except ValueError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:  # a last line of defence: the file was checked, the database refused
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise CommandError(f"{file}: nothing was imported: the database refused the candles ({reason})") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{symbol} {timeframe}: {report.rows} candles read, {report.inserted} new, "
                f"{report.already_present} already present ({time.perf_counter() - started:.2f} s)"
            )
        )
