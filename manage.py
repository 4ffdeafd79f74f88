#!/usr/bin/env python
import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["backtest"] and any(a == "--csv" or a.startswith("--csv=") for a in sys.argv[2:]):
        # A CSV backtest needs no Django and no database: skip their start-up (see trading/cli.py).
        from trading.cli import main as backtest_csv

        sys.exit(backtest_csv(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "curriculum_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
