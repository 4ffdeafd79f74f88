from django.core.management.base import BaseCommand, CommandError

from trading.market_data import TIMEFRAME_SECONDS, synthetic_candles
from trading.services import candles_import


class Command(BaseCommand):
    help = "Store a deterministic synthetic candle series (regime-switching random walk), marked synthetic."

    def add_arguments(self, parser):
        parser.add_argument("--symbol", required=True)
        parser.add_argument("--timeframe", required=True, choices=sorted(TIMEFRAME_SECONDS))
        parser.add_argument("--bars", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, symbol: str, timeframe: str, bars: int, seed: int, **options):
        if not 2 <= bars <= 5_000_000:
            raise CommandError("--bars must be from 2 to 5,000,000")
        candles = synthetic_candles(bars=bars, seed=seed, timeframe=timeframe)
        report = candles_import(symbol=symbol, timeframe=timeframe, candles=candles, synthetic=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"{symbol} {timeframe} (synthetic, seed {seed}): {report.inserted} new, {report.already_present} "
                "already present"
            )
        )
