"""Time of one `nlu.parse`: over the table of guests' messages and over long 500-character ones.

    python bench/nlu.py [--rounds 5]

Parses every message of services/messaging/tests/nlu_table.py, and 200 paragraphs of 500
characters (several facts, questions, numbers), `rounds` times each, and prints p50/p95/max in
milliseconds. Pure CPU, one thread: no services are started.
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import statistics
import time

from services.messaging import nlu
from services.messaging.tests.nlu_table import CABINS, CASES

PARAGRAPH = (
    "hola buenas tardes! somos una familia de 4, 2 adultos y 2 chicos de 5 y 8 anos, queriamos saber si tienen "
    "disponibilidad del {d} al {e} de enero para la cabana del lago, tenemos un perro chiquito, aceptan mascotas? "
    "tiene parrilla y wifi? a que hora es el check in, llegamos tipo 16 hs desde rosario, como se paga la sena, "
    "con transferencia o tarjeta? se puede cancelar si llueve? tiene calefaccion y cochera? mi cel es 11 5555 4444 "
    "gracias!! saludos, ana. 21 22 23 24 25 26 27 28 29 30 31 1 2 3 4 5 6 7 8 9 marzo 10 11 12 13 14 15 16 17 18 19"
)


def _times(texts: list[str], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            nlu.parse(text, CASES[0].today, CABINS)
            out.append((time.perf_counter() - start) * 1000)
    return out


def _line(name: str, ms: list[float]) -> str:
    p95 = statistics.quantiles(ms, n=100)[94]
    return f"{name:<28}{len(ms):>7}  p50 {statistics.median(ms):6.2f} ms  p95 {p95:6.2f} ms  max {max(ms):6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    table = [case.text for case in CASES]
    long = [PARAGRAPH.format(d=1 + n % 20, e=5 + n % 20)[:500] for n in range(200)]
    assert all(len(text) == 500 for text in long)
    _times(table[:20], 1)  # warm: compiled patterns, the holidays calendar
    print(_line(f"table ({len(table)} messages)", _times(table, rounds)))
    print(_line("500-character messages", _times(long, rounds)))


if __name__ == "__main__":
    main()
