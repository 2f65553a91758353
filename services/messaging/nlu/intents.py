"""What the guest wants, from a table of phrasings and what else the message says.

PHRASES: one line a phrasing, (intent, pattern on the normal form). A phrasing found after a
"no" in the same clause ("no quiero cancelar", "no, no la canceles") is a refusal, not a request;
a cancellation inside a question about the policy ("¿se puede cancelar si llueve?") is the
question (topic cancellation_policy), never the request. Several requests: the first in PRIORITY
wins ("no quiero cancelar, quiero pagar" -> pay). "booked" (a reservation the guest holds, "tengo
reservado el refugio") is no intent of its own: parse.py makes it info beside a question, else
my_reservations. A short answer made only of yes or no words
(AFFIRM, DENY, with FILLER around them: "sí dale gracias", "no, mejor no") is affirm or deny.
`classify` then weighs the slots the message gave (parse.py)."""

import re
from dataclasses import dataclass

INTENTS = (
    "unknown",
    "greeting",
    "availability",
    "reserve",
    "price",
    "info",
    "my_reservations",
    "cancel",
    "pay",
    "help",
    "human",
    "thanks",
    "affirm",
    "deny",
    "paid",
    "change_dates",
)

# "hay lugar para estacionar" asks about parking, not about free dates.
_NOT_FOR_CARS = r"(?! para (?:estacionar|el auto|los autos|la camioneta|el coche|la moto|\d+ autos?))"

# After "ya pagué", "te mandé el comprobante": what was paid, and how ("de la seña", "por Mercado
# Pago"): part of the payment said, no question about the deposit or the ways to pay.
_PAID_TAIL = (
    r"(?: (?:todo|(?:de |del |por )?(?:la |el )?(?:sena|total|saldo|resto|deposito|adelanto|reserva|estadia|"
    r"transferencia|pago|plata)|(?:por|con|via|desde|a traves de) (?:el |la )?(?:mercadopago|transferencia|"
    r"tarjeta|efectivo|link|alias|cbu|cvu|homebanking|app|debito|credito)))*"
)

PHRASES: list[tuple[str, str]] = [
    # paid: the guest says the money went
    (
        "paid",
        r"\bya (?:te |les |le |lo |la )?(?:pague|pagamos|abone|abonamos|transferi|transferimos|deposite|depositamos|sene|senamos)\b"
        + _PAID_TAIL,
    ),
    (
        "paid",
        r"(?<!como )(?<!donde )(?<!cuando )(?<!si )\b(?:pague|pagamos|transferi|transferimos|abone|abonamos|deposite|depositamos)\b(?! (?:con|en|por|al|antes|ahora|la diferencia)\b)",
    ),
    (
        "paid",
        r"\bya (?:te |les )?(?:hice|hicimos|envie|mande|pase|enviamos|mandamos|pasamos) (?:el pago|la transferencia|el deposito|el comprobante|la plata|la sena|el dinero|la guita)\b"
        + _PAID_TAIL,
    ),
    (
        "paid",
        r"\b(?:te|les) (?:mande|envie|pase|hice|mandamos|enviamos|pasamos|hicimos) (?:la transferencia|el comprobante|la plata|el pago|la sena|el deposito)\b"
        + _PAID_TAIL,
    ),
    (
        "paid",
        r"\b(?:te|les|le) (?:transferi|transferimos|pague|pagamos|deposite|depositamos|pase la plata|pase la sena|pasamos la sena|mande la plata)\b"
        + _PAID_TAIL,
    ),
    (
        "paid",
        r"\b(?:pagado|abonado|transferido|senado)\b|\b(?:ya )?esta pag[oa]\b|\bacabo de (?:pagar|transferir|abonar|depositar|senar)\b|\bacabamos de (?:pagar|transferir|abonar)\b",
    ),
    (
        "paid",
        r"\bhice (?:el pago|la transferencia|el deposito)\b|\bhicimos (?:el pago|la transferencia)\b|\bpague (?:la sena|el total|todo|recien|hoy|ayer|con)\b",
    ),
    (
        "paid",
        r"(?:\b(?:aca|ahi) (?:va|te mando|te paso|tenes|esta) el comprobante\b|\b(?:te|les) (?:paso|mando|envio|adjunto) el comprobante\b|\bcomprobante\b)"
        + _PAID_TAIL,
    ),
    (
        "paid",
        r"\bme (?:debitaron|cobraron|descontaron)\b|\bse (?:debito|acredito)\b|\b(?:te|les) llego (?:el pago|la plata|la transferencia|la sena)\b|\bestado (?:de|del) (?:mi |el )?pago\b|\b(?:se )?acredito el pago\b",
    ),
    # paid, too: what is left to pay ("¿cuánto me falta?"), answered with the payments so far
    (
        "paid",
        r"\bcuanto (?:me|nos) (?:falta|faltaria|queda|quedaria)\b(?! (?:para (?:llegar|ir|salir)|de viaje|hasta))"
        r"|\bcuanto (?:falta|queda) (?:por |para )?(?:pagar|abonar)\b|\bcuanto (?:te |les |le )?(?:debo|debemos|adeudo|adeudamos)\b"
        r"|\bsaldo (?:pendiente|restante)\b|\bcuanto es el (?:saldo|resto)\b|\bque saldo (?:tengo|tenemos|queda)\b",
    ),
    # human: a person, please
    (
        "human",
        r"\b(?:hablar|comunicarme|contactarme|contactar|charlar|hablo) con (?:una |un |el |la )?(?:persona|humano|alguien|operador|operadora|asesor|asesora|encargad[oa]|duen[oa]|propietari[oa]|responsable|administrador|administradora|real|vos)\b",
    ),
    (
        "human",
        r"\b(?:me|nos) (?:pasas|pasan|pasarias|podes pasar|podrias pasar|comunicas|comunican|podes comunicar|podrias comunicar|pueden comunicar|derivas|derivan) con\b|\bpasame con\b|\bpasen con\b|\bcomunicame con\b",
    ),
    (
        "human",
        r"\bno quiero (?:hablar con )?(?:un |una )?(?:bot|robot|maquina|contestador)\b|\bpersona real\b|\bhumano\b|\boperador\b|\bun asesor\b|\batencion al cliente\b|\batencion personalizada\b",
    ),
    (
        "human",
        r"\bsos (?:un |una )?(?:bot|robot|maquina|contestador|ia|inteligencia artificial|humano|persona|real)\b|\bes un (?:bot|robot|contestador)\b|\b(?:estoy hablando|hablo) con (?:un |una )?(?:bot|robot|maquina|contestador)\b",
    ),
    (
        "human",
        r"\bhay alguien\b(?! (?:en|que (?:este|pueda ir)))|\bme (?:atiende|atendes|puede atender|podria atender) (?:alguien|una persona|un humano|el dueno|la duena)\b|\balguien que me (?:atienda|responda|ayude)\b",
    ),
    (
        "human",
        r"\besto no (?:funciona|anda|sirve)\b|\bno (?:me )?(?:entendes|entienden|entendiste) nada\b|\bno me (?:entendes|entendiste|entienden)\b|\bquiero (?:hacer )?un reclamo\b|\bpesimo servicio\b|\bque mal servicio\b|\bhace (?:una hora|\d+ (?:horas|minutos)|rato) que espero\b",
    ),
    (
        "human",
        r"\b(?:me|nos) (?:pueden|podes|podrian|podrias) llamar\b|\bllamame\b|\bllamenme\b|\bque me llamen\b|\bel telefono del duen[oa]\b",
    ),
    # cancel: requests only (the questions are the topic cancellation_policy)
    (
        "cancel",
        r"\bcancel(?:a|ame|amela|amelo|ala|alo|alas|en|enla|enme|emos|es|e|ar|arla|arlo|arme|as|arias|arian|aria|o)\b",
    ),
    (
        "cancel",
        r"\banul(?:a|ame|amela|ala|alo|en|enla|emos|ar|arla|arlo|es)\b|\bdar(?:la|lo)? de baja\b|\bsuspender la reserva\b",
    ),
    (
        "cancel",
        r"\bya no (?:voy|vamos|podemos ir|puedo ir|vamos a ir|viajamos|vamos a poder ir|podemos viajar)\b|\bno vamos a poder ir\b|\bno (?:vamos|voy) a poder viajar\b",
    ),
    # change_dates
    (
        "change_dates",
        r"\b(?:cambiar|cambio|cambiamos|modificar|mover|moverla|correr|correrla|pasar|pasarla|reprogramar|postergar|adelantar|atrasar)(?: de)? (?:las |la |el |los |mi |nuestra |de )?(?:fechas?|dias?|reserva|estadia|llegada|salida)\b",
    ),
    (
        "change_dates",
        r"\bcambio de fechas?\b|\botras? fechas?\b|\bcambiar(?:la|lo)? (?:para|al|del)\b|\bpasar(?:la|lo)? (?:para|al|del)\b|\bcorrer(?:la|lo)? (?:para|al|del|una semana)\b|\breprogramar\b|\bpostergar\b|\bme equivoque de (?:fechas?|dias?)\b",
    ),
    (
        "change_dates",
        r"\b(?:la|lo) (?:puedo|podemos|podria|podriamos|pueden|podes|podrias) (?:cambiar|mover|pasar|correr|modificar)\b",
    ),
    # pay: the guest wants to pay now (how to pay is the topic payment_methods)
    (
        "pay",
        r"\b(?:quiero|queremos|quisiera|quisieramos|necesito|necesitamos|voy a|vamos a|me gustaria|deseo) (?:pagar|abonar|senar|hacer el pago|dejar la sena|pagarla|pagarlo|transferir|hacer la transferencia)\b",
    ),
    ("pay", r"\b(?:puedo|podemos) (?:pagar|abonar|senar)\b(?! con| en| por| cuotas)"),
    (
        "pay",
        r"\b(?:pasame|pasa|pasas|mandame|manda|mandas|envia|enviame|envias|reenviame|reenvia|pasan|mandan|dame|necesito|quiero) (?:el |otra vez el |de nuevo el |un |nuevamente el |me el )?link\b(?! de (?:maps|google|la ubicacion|ubicacion|instagram|las fotos|fotos))",
    ),
    (
        "pay",
        r"\blink (?:de|para) (?:pago|pagar)\b|\bno me (?:llego|llega|aparece|anda|funciona|abre) el link\b|\bel link no (?:anda|funciona|abre|me llego|llego)\b|\blink vencido\b|\bse vencio el link\b",
    ),
    ("pay", r"\bpagar (?:ahora|ya)\b|\bdonde (?:pago|abono)\b|\bpagar la sena\b|\bquiero senar\b"),
    # my_reservations
    (
        "my_reservations",
        r"\bmis? reservas?\b|\bnuestra reserva\b|\bestado de (?:mi |la )?reserva\b|\bque reservas? (?:tengo|tenemos|hice|hicimos)\b|\bcodigo de (?:mi )?reserva\b",
    ),
    (
        "my_reservations",
        r"\b(?:para cuando|cuando) (?:quedo|quedamos|era|es|tengo|tenemos) (?:lo mio|la reserva|lo nuestro)\b|\blo mio\b|\blo nuestro\b",
    ),
    (
        "my_reservations",
        r"\b(?:ya )?(?:esta|quedo|quedamos|estamos|quede) (?:confirmad[oa]s?|reservad[oa]s?|agendad[oa]s?)\b|\bme (?:confirmas|confirman) (?:la reserva|si)\b|\b(?:que|cuando|para que) (?:dia|fecha|fechas) (?:reserve|reservamos|tengo|tenemos)\b|\bxcodex\b",
    ),
    (
        "my_reservations",
        r"\b(?:sigue|siguen|esta|quedo|quedaron) (?:en pie|vigentes?|activas?|firmes?|hechas?|tomadas?|registradas?)\b",
    ),
    # booked: a reservation the guest holds, named beside what they ask ("tengo reservado el
    # refugio, ¿a qué hora llego?": the question); alone, it asks for their reservations
    (
        "booked",
        r"\b(?:tengo|tenemos) (?:reservad[oa]|(?:una |la )?reserva(?: hecha)?)\b|\b(?<!si )(?:ya )?(?:reserve|hice (?:una |la )?reserva|hicimos (?:una |la )?reserva)\b",
    ),
    # reserve
    (
        "reserve",
        r"(?<!para )(?<!antes de )(?<!si )\breserv(?:ar|armela|arla|arlo|ame|amela|amelo|ala|alo|alas|emos|en|o|amos|aria|ariamos)\b",
    ),
    ("reserve", r"\b(?:hacer|hago|hacemos|realizar|quiero|quisiera|queria|necesito|queremos) (?:una |la )?reserva\b"),
    (
        "reserve",
        r"\b(?:la|lo|las) (?:tomo|tomamos|quiero|queremos|reservo|reservamos|agarro|agarramos)\b|\b(?:me|nos) la quedo\b|\bnos la quedamos\b|\b(?:nos|me) quedamos con\b|\bme quedo con\b|\b(?:me|nos) (?:la|lo) reserv(?:as|an|arias|arian|es)\b",
    ),
    (
        "reserve",
        r"\bcerramos\b|\bcerremos\b|\bcerrar (?:la reserva|con)\b|\b(?:quiero|queremos|prefiero|preferimos|elijo|elegimos|vamos con|voy con) (?:esa|esta|la primera|la segunda|la del?|el del?)\b",
    ),
    (
        "reserve",
        r"\bagendar\b|\bagendame\b|\bbloquear(?:la)?\b|\bbloqueame\b|\bapartar(?:la)?\b|\bapartame\b|\bquiero (?:la|una|el) (?:cabana|casa|depto)\b",
    ),
    # price
    (
        "price",
        r"\bprecios?\b|\btarifas?\b|\bvalor(?:es)?\b|\bcostos?\b|\bcotiza\w*\b|\bpresupuesto\b|\bxmoneyx\b|\bque (?:precio|valor|costo)\b",
    ),
    (
        "price",
        r"(?<!\ba )\bcuanto (?:sale|salen|cuesta|cuestan|cobran|cobras|cobrarian|seria|serian|saldria|esta|estan|es|son|vale|valen|me sale|nos sale|me saldria|nos saldria|me cobras|me cobrarian|nos cobrarian|nos cobran|costaria|estaria|da|seria el total|es el total|me quedaria|sale por)\b(?! (?:la |el )?(?:sena|deposito|adelanto|anticipo|garantia))",
    ),
    (
        "price",
        r"\bcuanto (?:por|la) noche\b|\bcuanto (?:me |nos )?(?:sale|salen|saldria|saldrian|seria|serian|costaria|costarian)\b(?! (?:la |el )?(?:sena|deposito|adelanto|anticipo|garantia))|\bcuanto (?:para|x)\b",
    ),
    # availability
    (
        "availability",
        r"\bdisponib\w*|\blibres?\b|\bhay cupo\b|\bhay algo\b|\bhay espacio\b|\bhay alguna cabana\b|\bhay cabanas?\b",
    ),
    (
        "availability",
        rf"\b(?:tenes|tienen|tendrias|tendrian|tenian|te queda|les queda|queda|quedan|quedo|habria|hay) (?:lugar|cupo|algo|alguna|alguna cabana|cabana|cabanas|disponible|espacio|vacantes?)\b{_NOT_FOR_CARS}",
    ),
    (
        "availability",
        r"\balquilar\b|\balquiler\b|\bconsultar? (?:por )?(?:fechas|disponibilidad)\b|\bpara (?:ir|alquilar) (?:el|del|en|para)\b|\besta ocupad[oa]\b",
    ),
    # info with no topic of its own: the dialog answers with the cabins' data
    (
        "info",
        r"\bservicios\b|\bque incluye\b|\bcomodidades\b|\bdesayuno\b|\bcuant[oa]s (?:cuartos|dormitorios|habitaciones|banos|ambientes|camas)\b|\binformacion\b|\binfo\b|\bcaracteristicas\b|\bque tiene la cabana\b",
    ),
    # help
    (
        "help",
        r"\bayuda\b|\bayudame\b|\bque (?:podes|puedo|sabes|se puede) hacer\b|\bcomo funciona\b|\bopciones\b|\bmenu\b|\bno entiendo\b|\bque hago\b|\bcomo sigo\b|\binstrucciones\b|\bcomo es esto\b",
    ),
    # thanks and goodbyes
    (
        "thanks",
        r"\bgracias\b|\bchau\b|\bchao\b|\badios\b|\bhasta (?:luego|pronto|manana|la proxima)\b|\bnos vemos\b|\bnos hablamos\b|\bbuenisimo\b|\bmuy amable\b|\bre amable\b|\bque amable\b|\bte agradezco\b|\bles agradezco\b|\bgenia?o\b|\bun abrazo\b|\bbesos?\b|\bxwishx\b|\bsaludos\b$",
    ),
    # greetings
    (
        "greeting",
        r"\bhola\b|\bholis\b|\bbuenas\b|\bbuen dia\b|\bbuenos dias\b|\bque tal\b|\bcomo (?:va|andas|estas|anda|estan|le va)\b|\bsaludos\b|\bhello\b|\bhi\b|\bey\b|\bbuenass?\b",
    ),
]
_COMPILED = [(intent, re.compile(pattern)) for intent, pattern in PHRASES]
# Several requests in one message: the first of these wins.
PRIORITY = (
    "paid",
    "human",
    "cancel",
    "change_dates",
    "pay",
    "my_reservations",
    "reserve",
    "price",
    "availability",
    "booked",
    "info",
    "help",
    "thanks",
    "greeting",
)
# What asks for something: a message with booking facts and none of these asks for availability.
REQUESTS = frozenset(PRIORITY) - {"booked", "info", "help", "thanks", "greeting"}

AFFIRM = (
    "si",
    "dale",
    "ok",
    "de una",
    "va",
    "obvio",
    "claro",
    "perfecto",
    "genial",
    "joya",
    "listo",
    "bueno",
    "esta bien",
    "me sirve",
    "sirve",
    "me parece bien",
    "barbaro",
    "excelente",
    "por supuesto",
    "seguro",
    "confirmo",
    "confirmado",
    "afirmativo",
    "sale",
    "de 1",
    "obvio que si",
    "claro que si",
    "mas vale",
    "todo bien",
    "exacto",
    "correcto",
    "asi es",
    "adelante",
    "hagamoslo",
    "hagamosla",
    "me va",
    "vamos",
    "buenisimo",
    "re",
    "eso",
    "aja",
    "sisi",
    "por favor si",
)
DENY = (
    "no",
    "mejor no",
    "no gracias",
    "nada",
    "para nada",
    "no me sirve",
    "no por ahora",
    "por ahora no",
    "todavia no",
    "no hace falta",
    "ni loco",
    "negativo",
    "dejalo",
    "dejala",
    "dejalo asi",
    "dejala asi",
    "dejalos",
    "dejalas",
    "deja",
    "asi como esta",
    "olvidate",
    "tampoco",
    "no puedo",
    "no importa",
    "asi esta bien",
    "no quiero",
    "no me interesa",
    "no era eso",
    "no es eso",
    "nop",
    "nono",
    "me equivoque",  # "nono, me equivoqué" to "¿Cancelo…?"
)
FILLER = (
    "gracias",
    "muchas gracias",
    "por favor",
    "che",
    "jaja",
    "jajaja",
    "eh",
    "ah",
    "mmm",
    "mm",
    "m",  # "mmm" once stretched letters are shrunk
    "xpausex",
    "entonces",
    "ahi",
    "perdon",
)
_ANSWER = re.compile(
    r"\s*(" + "|".join(re.escape(p) for p in sorted({*AFFIRM, *DENY, *FILLER}, key=len, reverse=True)) + r")\b"
)
_NEGATORS = re.compile(r"\b(?:no|ni|nunca|tampoco|jamas)\b")


@dataclass(frozen=True)
class Found:
    """What the table found: the request (or the refused one) and whether it was refused."""

    intent: str | None
    negated: bool = False


def answer_of(text: str) -> str | None:
    """ "affirm" or "deny" when the message is only yes or no words (and fillers); else None."""
    words: list[str] = []
    rest = text
    while rest.strip():
        m = _ANSWER.match(rest)
        if not m:
            return None
        words.append(m.group(1))
        rest = rest[m.end() :]
    said = [w for w in words if w not in FILLER]
    if not said:
        return None
    return "deny" if said[-1] in DENY else "affirm"


def _refused(text: str, start: int) -> bool:
    """A "no" among the few words before `start`, in the same clause."""
    clause = text[:start].rsplit("xpausex", 1)[-1]
    return bool(_NEGATORS.search(" ".join(clause.split()[-3:])))


def spans(text: str, kinds: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where `text` says one of these intents: a topic inside ("ya pagué la seña") is no question."""
    return [m.span() for intent, pattern in _COMPILED if intent in kinds for m in pattern.finditer(text)]


def find(text: str, questions: list[tuple[int, int]]) -> Found:
    """The request `text` makes; `questions`: where it asks about the cancellation policy."""
    wanted: set[str] = set()
    refused: list[str] = []
    for intent, pattern in _COMPILED:
        for m in pattern.finditer(text):
            if intent == "cancel" and any(a <= m.start() < b or m.start() <= a < m.end() for a, b in questions):
                continue
            if _refused(text, m.start()):
                refused.append(intent)
            else:
                wanted.add(intent)
    best = next((intent for intent in PRIORITY if intent in wanted), None)
    if best:
        return Found(best)
    first_refused = next((intent for intent in PRIORITY if intent in refused), None)
    return Found(first_refused, negated=first_refused is not None)
