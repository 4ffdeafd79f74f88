from django.core.management.base import BaseCommand, CommandError

from trading import cli


def _load_stored(symbol: str, timeframe: str):
    from trading.selectors import candles_load

    return candles_load(symbol=symbol, timeframe=timeframe)[0]


class Command(BaseCommand):
    help = "Backtest a built-in strategy on a CSV file or on stored candles; --json prints the metrics."
    requires_system_checks = []

    def add_arguments(self, parser):
        cli.add_arguments(parser)

    def handle(self, *args, **options):
        try:
            self.stdout.write(cli.execute(options, load_stored=_load_stored))
        except cli.BacktestCommandError as error:
            raise CommandError(str(error)) from error
