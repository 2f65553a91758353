"""One message -> what the dialog needs: intent and slots, read in context.

Normal form (normalize.py), side remarks marked (remarks.py), then each extractor on it: the
stay (dates.py), the party (party.py), the cabin (cabins.py), the topics asked (topics.py), and
the intent (intents.py), which weighs them: booking facts with no other request ask for
availability ("del 5 al 8 para 2", also with a question about the deposit: the dialog answers
both); topics with no request are an info question; a yes or no word alone is affirm or deny.

`expecting` says what the bot asked last, so short answers are read as answers: "4" after
"¿cuántas personas?" is 4 guests; "3" after "¿cuántas noches?" is 3 nights and "hasta el 8" the
check-out after the check-in so far; "la del bosque" after the cabin list is reserving it, and
after "¿cuál querés cancelar?" it is cancelling that one."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from services.messaging.nlu import dates, intents, party, remarks, topics
from services.messaging.nlu.cabins import cabin_of
from services.messaging.nlu.normalize import normalize

MAX_CHARS = 500  # what is read of a message: a paragraph with every fact; the rules' time is linear


# What the bot may have asked last (Expecting.what).
EXPECTS = ("", "dates", "nights", "guests", "choice", "yes_no", "cancel_confirm", "which_reservation")


@dataclass(frozen=True)
class Expecting:
    """What the bot asked last, so short answers are read as answers."""

    what: str = ""  # "", "dates", "nights", "guests", "choice" (cabin list shown), "yes_no", "cancel_confirm", "which_reservation"
    check_in: date | None = None  # the stay's start so far: after "¿cuántas noches?", "hasta el 8" ends it


NOTHING_ASKED = Expecting()


@dataclass(frozen=True)
class Parse:
    intent: str  # one of INTENTS
    check_in: date | None = None
    check_out: date | None = None  # may come alone: "hasta el domingo", "me voy el 8" (the stay's end)
    nights: int | None = None
    guests: int | None = None  # everybody, babies included
    accommodation: str | None = None  # slug of the cabin named ("la del bosque", "dale la casa grande")
    month: int | None = None  # a month named without days: "nos vemos en marzo" -> ask which days
    topics: tuple[str, ...] = ()  # info topics asked about, in TOPICS, in the order asked
    question: bool = False  # phrased as a question ("¿se puede cancelar si llueve?")
    negated: bool = False  # the request is refused: "no quiero cancelar"
    babies: int | None = None
    pets: int | None = None  # "tengo 2 perros": pets, never guests
    rejected: date | None = None  # "no, el 7 no, el 8": the date taken back (check_in/out gets the 8)


# Said at the start, these make a question even without "?" (voice notes, hurried typing).
_QUESTION_START = re.compile(
    r"^(?:(?:hola|buenas|buen dia|buenos dias|buenas tardes|buenas noches|una consulta|consulta|pregunta|che)\s+)*"
    r"(?:como|cuanto|cuanta|cuantos|cuantas|cual|cuales|donde|cuando|que|se puede|puedo|podemos|hay|tienen|tenes|"
    r"tiene|aceptan|admiten|es posible|a que|a cuanto|queria saber|quisiera saber|me podes|me podrias|sabes si|"
    r"si (?:cancelo|cancelamos|llueve|no|llegamos|llego|salimos|vamos|llevamos))\b"
)
# Clause breaks, kept as a word for the intents: a "no" refuses only within its clause.
_PAUSE = re.compile(r"(?<!\d)[,.;:!?¿¡]+|[,.;:!?¿¡]+(?!\d)|\n")


def parse(
    text: str, today: date, cabins: Mapping[str, str] | None = None, expecting: Expecting = NOTHING_ASKED
) -> Parse:
    text = text[:MAX_CHARS]
    clean, kinds = remarks.strip(normalize(text))
    paused, _ = remarks.strip(normalize(_PAUSE.sub(" xpausex ", text)))
    question = "?" in text or bool(_QUESTION_START.match(clean))

    stay = dates.stay_of(paused, today, expecting.check_in, answering_nights=expecting.what == "nights")
    people = party.party_of(clean)
    guests, nights, check_in = people.guests, stay.nights, stay.check_in
    bare = re.fullmatch(
        r"(?:solo |son |somos |seriamos |serian )?(\d{1,2})(?: nomas| nada mas| solamente| solo)?", clean
    )
    if expecting.what == "guests" and re.match(r"\d", clean):
        people = party.party_of("somos " + clean)  # "4", "2 y un bebé": the count asked for
        guests = people.guests
    if bare and expecting.what == "nights":
        nights = int(bare.group(1)) if 0 < int(bare.group(1)) <= 60 else None
    if bare and expecting.what == "dates" and not stay.check_in:
        check_in = dates.stay_of(f"el {bare.group(1)}", today).check_in
    stay = dates.Stay(check_in, stay.check_out, nights, stay.month, stay.rejected)
    stay = dates.with_nights(stay)  # the nights or check-in an answer gave

    asked = topics.topics_of(paused, intents.spans(paused, ("paid", "pay")))
    cabin = cabin_of(clean, cabins or {})
    intent, negated = _intent(paused, stay, guests, cabin, asked, expecting, kinds)
    return Parse(
        intent=intent,
        check_in=stay.check_in,
        check_out=stay.check_out,
        nights=stay.nights,
        guests=guests,
        accommodation=cabin,
        month=stay.month,
        topics=asked,
        question=question,
        negated=negated,
        babies=people.babies,
        pets=people.pets,
        rejected=stay.rejected,
    )


def _intent(
    paused: str,
    stay: dates.Stay,
    guests: int | None,
    cabin: str | None,
    asked: tuple[str, ...],
    expecting: Expecting,
    kinds: frozenset[str],
) -> tuple[str, bool]:
    clean = " ".join(paused.replace("xpausex", " ").split())
    answer = intents.answer_of(paused)
    # A month alone beside a question ("¿tiene aire? en enero hace calor") is no booking request.
    booking = bool(stay.check_in or stay.check_out or stay.nights or guests or (stay.month and not asked))
    if answer and not booking and not cabin:
        thanked = re.search(r"\bgracias\b", clean)
        return ("thanks" if thanked and answer == "affirm" and not expecting.what else answer), False
    found = intents.find(paused, topics.spans_of(paused, "cancellation_policy"))
    if found.intent in intents.REQUESTS and not found.negated:
        return found.intent, False
    if found.intent == "booked" and not found.negated:  # the dates are those of the stay held
        return ("info" if asked else "my_reservations"), False
    if expecting.what == "which_reservation" and (cabin or stay.check_in or stay.month):
        return "cancel", False  # "la del lago" after "¿cuál querés cancelar?": that one
    if cabin and expecting.what == "choice":
        return "reserve", False  # "la del bosque" after the list: as tapping it
    if booking:
        return "availability", False
    if asked:
        return "info", False
    if found.intent and found.intent != "booked":
        return found.intent, found.negated
    if cabin:
        return "availability", False  # "la del bosque?": is it free
    return ("price", False) if "money" in kinds else ("unknown", False)
