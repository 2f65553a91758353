"""Speech domain prompt: WER with and without it, per clip and per set, same run.

    python bench/speech_prompt.py [--prompt TEXT] [--batched] [--rounds 3] [--threads 1] [--verbose]

Three sets, all synthetic (no recordings of people ship with the project or
are on these machines): the speech test fixtures; booking notes as guests say
them (cabins, months, "seña", "finde largo", people, dates), spoken by
espeak-ng es-419 at 120 and 170 words per minute; and a control of everyday
Spanish that has nothing to do with cabins, spoken by the es and es-419
voices at 130 and 150 wpm, the set a prompt must not make worse. Every clip
goes through OGG/Opus like a WhatsApp note. The baseline is the same model
with no prompt; `--prompt` tries another wording (default: the service's),
`--batched` decodes each set in one call through the batched pipeline as
the GPU does. Each clip is transcribed `--rounds` times each way: when the
beam search output fails faster-whisper's checks, the sequential decoder
retries by sampling, so the same audio can give another text and one round
is noisy. Needs `espeak-ng` (Debian package).
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
import statistics
import tempfile

import numpy as np

from services.common.settings import Settings
from services.speech import model
from services.speech.audio import decode
from services.speech.tests.fixtures.make_fixtures import encode_opus, speak
from services.speech.transcriber import DOMAIN_PROMPT, Transcriber
from testsupport.wer import edits, words

FIXTURES = Path(__file__).resolve().parents[1] / "services" / "speech" / "tests" / "fixtures"
DOMAIN = (
    "Hola, ¿tienen libre la Cabaña del Lago para el finde largo de noviembre?",
    "Quería reservar el Refugio del Bosque del diez al catorce de enero, somos cuatro.",
    "¿Cuánto es la seña para la casa grande?",
    "Ya te transferí la seña, ¿me confirmás la reserva?",
    "Somos dos parejas y un bebé, ¿entramos en la Cabaña del Bosque?",
    "¿La casa grande tiene lugar para ocho personas en febrero?",
    "Buenas, ¿hay disponibilidad para el finde del veinte de marzo?",
    "Queremos ir en semana santa, del dos al cinco de abril.",
    "¿Aceptan mascotas en el Refugio del Bosque?",
    "Me gustaría la Cabaña del Lago del primero al siete de julio para tres personas.",
    "¿Cuánto sale la noche en agosto para dos adultos y dos chicos?",
    "Necesito cancelar la reserva de septiembre, ¿me devuelven la seña?",
    "Llegamos el viernes a la tarde y nos vamos el domingo, somos cinco.",
    "¿Para el finde largo de octubre les queda alguna cabaña?",
    "Hola, vamos seis amigos en diciembre, ¿qué cabaña nos recomendás?",
    "¿Cómo pago la seña, por transferencia o con Mercado Pago?",
    "Quiero cambiar las fechas de la casa grande al quince de mayo.",
    "¿El Refugio del Bosque tiene parrilla y wifi?",
    "Dale, la tomamos, la Cabaña del Lago del doce al quince de junio.",
    "Mandame el link para pagar la seña del finde.",
)
CONTROL = (
    "El colectivo pasa cada veinte minutos por la esquina de mi casa.",
    "Mañana tengo que llevar el auto al mecánico porque hace un ruido raro.",
    "Mi hermana se recibió de abogada y hicimos un asado para festejar.",
    "¿Viste el partido de anoche? Fue un desastre el segundo tiempo.",
    "Compré medio kilo de pan y una docena de facturas en la panadería.",
    "La reunión de la escuela se pasó para el jueves a las seis.",
    "Está lloviendo muchísimo, no salgas sin paraguas.",
    "El médico me dijo que tengo que caminar media hora por día.",
    "Se cortó la luz en todo el barrio y no vuelve hasta la noche.",
    "Estoy leyendo una novela muy linda sobre un pueblo del norte.",
    "Los chicos empiezan las clases la semana que viene.",
    "Te mando la dirección del consultorio por mensaje.",
    "Hay que pagar la factura del gas antes del vencimiento.",
    "Mi abuela hace las mejores empanadas de la familia.",
    "El tren a La Plata salió con media hora de demora.",
    "¿Me podés avisar cuando llegues a tu casa?",
)
Clip = tuple[str, str, np.ndarray]  # name, what is said, 16 kHz samples


def spoken(sentences: tuple[str, ...], voices: tuple[tuple[str, int], ...], prefix: str) -> list[Clip]:
    """Each sentence in each (voice, words per minute), through OGG/Opus like a voice note."""
    clips = []
    with tempfile.TemporaryDirectory() as tmp:
        note = Path(tmp) / "note.ogg"
        for voice, wpm in voices:
            for i, text in enumerate(sentences):
                encode_opus(*speak(text, voice, wpm), note)
                clips.append((f"{prefix}{i:02d} {voice}@{wpm}", text, decode(note.read_bytes(), 300)))
    return clips


def fixtures() -> list[Clip]:
    expected = json.loads((FIXTURES / "expected.json").read_text())
    return [(name, text, decode((FIXTURES / f"{name}.ogg").read_bytes(), 300)) for name, text in expected.items()]


def texts(transcriber: Transcriber, clips: list[Clip], batched: bool) -> list[str]:
    if batched:
        return [t.text for t in transcriber.transcribe_many([c[2] for c in clips], "es")]
    return [transcriber.transcribe(c[2], "es").text for c in clips]


def report(name: str, clips: list[Clip], plain: list[list[str]], prompted: list[list[str]], verbose: bool) -> None:
    """Per clip and for the set: WER without and with the prompt (means over the rounds), their
    ratio, and how far the baseline itself moved from one round to the next: the sequential decoder
    falls back to sampling on hard clips, so the same audio does not always give the same text."""
    size = sum(len(words(ref)) for _, ref, _ in clips)
    print(f"\n{name}: clip, words, WER without → with the prompt")
    for i, (clip, ref, _) in enumerate(clips):
        n = len(words(ref))
        before, after = (statistics.mean(edits(words(ref), words(r[i])) for r in runs) for runs in (plain, prompted))
        print(f"  {clip:22s} {n:3d}  {before / n:.2f} → {after / n:.2f}")
        if verbose and before != after:
            print(f"      {plain[0][i]!r}\n    → {prompted[0][i]!r}")
    base, ours = (
        [sum(map(edits, (words(c[1]) for c in clips), map(words, r))) / size for r in runs]
        for runs in (plain, prompted)
    )
    before, after = statistics.mean(base), statistics.mean(ours)
    ratio = f"{after / before:.2f}x" if before else "n/a"
    print(
        f"  {name} WER {before:.3f} → {after:.3f} = {ratio} the baseline ({size} words, {len(base)} rounds;"
        f" baseline per round {min(base):.3f}–{max(base):.3f}, prompt {min(ours):.3f}–{max(ours):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompt", default=DOMAIN_PROMPT)
    parser.add_argument("--batched", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="each clip transcribed this many times each way")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads per model; 0 = the service's default")
    parser.add_argument("--verbose", action="store_true", help="print both transcripts where they differ")
    args = parser.parse_args()
    sets = {
        "fixtures": fixtures(),
        "domain": spoken(DOMAIN, (("es-419", 120), ("es-419", 170)), "d"),
        "control": spoken(CONTROL, (("es", 130), ("es-419", 150)), "c"),
    }
    settings = Settings()
    directory, name = model.resolve(settings)
    plain = Transcriber(str(directory), name, settings.audio_device, args.threads, prompt=None)
    prompted = Transcriber(str(directory), name, settings.audio_device, args.threads, prompt=args.prompt)
    mode = "batched pipeline" if args.batched else "sequential"
    print(f"{name} {plain.device}/{plain.compute_type}, {mode}; prompt: {args.prompt!r}")
    for set_name, clips in sets.items():
        runs = [[texts(t, clips, args.batched) for _ in range(args.rounds)] for t in (plain, prompted)]
        report(set_name, clips, *runs, args.verbose)


if __name__ == "__main__":
    main()
