"""Calendar's command line: `python -m services.calendar.cli export-url ACCOMMODATION_ID`
prints the cabin's iCal export URL (give it to Airbnb, Booking.com, ...)."""

import argparse

from services.calendar.links import export_url
from services.common.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.calendar.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    url = commands.add_parser("export-url", help="print a cabin's iCal export URL")
    url.add_argument("accommodation_id", type=int)
    args = parser.parse_args(argv)
    print(export_url(get_settings(), args.accommodation_id))


if __name__ == "__main__":
    main()
