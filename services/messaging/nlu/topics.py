"""What a guest asks about the cabin (pets, wifi, how to pay...), in the order asked.

One line a phrasing in PHRASES: (topic, pattern on the normal form)."""

import re
from collections.abc import Sequence

TOPICS = (
    "check_in_time",
    "check_out_time",
    "pets",
    "wifi",
    "parking",
    "linen",
    "grill",
    "heating",
    "pool",
    "children",
    "address",
    "distance_to_town",
    "house_rules",
    "cancellation_policy",
    "deposit",
    "payment_methods",
    "photos",
)

_ARRIVE = r"(?:llego|llegamos|llegaria|llegariamos|llegar|llegando|entrar|entramos|ingresar|ingresamos|ingreso)"
_LEAVE = r"(?:salir|salimos|irnos|irme|dejar|dejamos|entregar|entregamos|desocupar|liberar|retirarnos)"

PHRASES: list[tuple[str, str]] = [
    ("check_in_time", r"\bcheckin\b|\bearly checkin\b"),
    ("check_in_time", r"\b(?:horario|hora|horas) de (?:entrada|ingreso|llegada)\b"),
    (
        "check_in_time",
        rf"\b(?:a que hora|desde que hora|a partir de que hora|desde cuando)(?: se)? (?:puedo |podemos |se puede |hay que |es (?:la )?)?(?:{_ARRIVE}|entrada|ingreso|llegada)\b",
    ),
    ("check_in_time", rf"\b{_ARRIVE}(?: \w+){{0,3}} (?:mas )?(?:temprano|tarde|de noche|xtimex|xdaypartx)\b"),
    ("check_in_time", rf"\bxtimex (?:(?!\d)\w+ ){{0,3}}{_ARRIVE}\b"),
    ("check_in_time", r"\bhora (?:de|para) (?:entrar|llegar|ingresar)\b|\bentregan la llave\b|\bretirar la llave\b"),
    ("check_out_time", r"\bcheckout\b|\blate checkout\b"),
    ("check_out_time", r"\b(?:horario|hora|horas) de (?:salida|egreso|partida)\b"),
    (
        "check_out_time",
        rf"\b(?:a que hora|hasta que hora|hasta cuando)(?: se)? (?:puedo |podemos |se puede |hay que |tenemos que |tengo que |es (?:la )?)?(?:{_LEAVE}|salida|egreso)\b",
    ),
    (
        "check_out_time",
        rf"\b{_LEAVE} (?:mas )?(?:tarde|despues|xtimex|xdaypartx)\b|\bquedarnos (?:un poco )?mas (?:tarde|el ultimo dia)\b",
    ),
    ("check_out_time", rf"\bxtimex (?:(?!\d)\w+ ){{0,3}}{_LEAVE}\b"),
    (
        "check_out_time",
        r"\bhasta que hora (?:\w+ ){0,2}(?:quedarnos|quedarme|quedarse|quedar|quedamos|quedo|estar|usar)\b|\bel ultimo dia hasta que hora\b",
    ),
    (
        "pets",
        r"\bmascotas?\b|\bperr[oa]s?\b|\bperrit[oa]s?\b|\bgat[oa]s?\b|\bgatit[oa]s?\b|\bpet ?friendly\b|\banimales?\b",
    ),
    ("wifi", r"\bwifi\b|\binternet\b|\bsenal\b|\bconexion\b|\bstarlink\b|\bred\b"),
    (
        "parking",
        r"\bestacionamiento\b|\bestacionar\b|\bcochera\b|\bgarage\b|\bgaraje\b|\bauto\b|\bautos\b|\bcoche\b|\bcamioneta\b|\bmoto\b",
    ),
    (
        "linen",
        r"\bsabanas?\b|\btoallas?\b|\btoallones?\b|\bropa (?:de cama|blanca)\b|\bacolchados?\b|\bfrazadas?\b|\bmantas?\b",
    ),
    (
        "grill",
        r"\bparri\b|\bparrillas?\b|\basados?\b|\basador\b|\bquincho\b|\bfogonero\b|\bfogon\b|\bdisco\b|\bcarbon\b",
    ),
    (
        "heating",
        r"\bcalefaccion\b|\bcalefa\b|\baire(?: acondicionado)?\b|\bestufas?\b|\bhogar\b|\bsalamandra\b|\blosa radiante\b|\bcaloventor\b|\bsplit\b|\bventilador\b|\bcalefactor\b|\bfrio\b|\bcalor\b|\bcalienta\b",
    ),
    ("pool", r"\bpileta\b|\bpiscina\b|\bclimatizada\b|\bjacuzzi\b|\bhidromasaje\b|\bsolarium\b"),
    (
        "children",
        r"\bcuna\b|\bcunita\b|\bsilla(?:ta)? (?:alta|para comer)\b|\bsillita\b|\bcorralito\b|\bjuegos para (?:chicos|ninos)\b",
    ),
    (
        "children",
        r"\b(?:aceptan|admiten|reciben|pueden ir|se puede ir con|pueden venir|apto|apta|apto para|apta para|es para|se admiten|se aceptan|van|pagan) (?:los |las )?(?:chicos|ninos|nenes|bebes|menores|criaturas)\b",
    ),
    ("children", r"\b(?:chicos|ninos|nenes|bebes|menores) (?:pagan|abonan|cuentan|no pagan|gratis|entran)\b"),
    (
        "address",
        r"\bdireccion\b|\bubicacion\b|\bubicad[oa]s?\b|\bmaps\b|\bubicacion exacta\b|\bcoordenadas\b|\bpin\b|\ben que zona\b|\bcomo se llega\b|\bcomo llego\b|\bcomo llegar\b|\bcomo llegamos\b|\bcomo hago para llegar\b|\blocalizacion\b",
    ),
    ("address", r"\bdonde (?:queda|quedan|esta|estan|se encuentra|se encuentran|es|son|estaria)\b"),
    (
        "distance_to_town",
        r"\b(?:que tan|cuan|muy|tan|bastante) (?:lejos|cerca)\b|\blejos\b|\bcerca del? (?:centro|pueblo|ciudad|villa|lago|rio|playa|super|supermercado)\b",
    ),
    (
        "distance_to_town",
        r"\bxplacex del? (?:centro|pueblo|ciudad|villa|lago|rio|playa)\b|\bdistancia\b|\ba cuant[oa]s? (?:km|kms|kilometros|cuadras|minutos|metros)\b|\bse puede ir caminando\b|\ba cuanto (?:queda|esta|estan)\b|\bcaminando al? (?:centro|pueblo)\b",
    ),
    (
        "house_rules",
        r"\breglas?\b|\bnormas?\b|\breglamento\b|\bfumar\b|\bfumo\b|\bfumamos\b|\bruidos?\b|\bmusica\b|\bvisitas\b|\binvitados\b|\bhorario de silencio\b",
    ),
    (
        "house_rules",
        r"\b(?:hacer|se permiten|permiten|se pueden hacer|se puede hacer|aceptan|festejar) (?:una |un )?(?:fiestas?|eventos?|reuniones?|cumple|cumpleanos)\b|\bfiestas? (?:permitidas?|prohibidas?)\b",
    ),
    (
        "cancellation_policy",
        r"\bpoliticas? de cancelacion\b|\bcancelaciones?\b|\bsi (?:cancelo|cancelamos|cancelara|cancelaramos|tenemos que cancelar|tengo que cancelar|no (?:vamos|podemos ir|puedo ir|llegamos))\b",
    ),
    (
        "cancellation_policy",
        r"\b(?:se puede|puedo|podemos|podria|podriamos|es posible|hasta cuando (?:se )?(?:puedo|podemos|puede)) cancelar\b|\bcomo (?:cancelo|se cancela|hago para cancelar)\b|\bque pasa si (?:cancel|no vamos|no podemos|llueve)",
    ),
    (
        "cancellation_policy",
        r"\b(?:me |nos )?(?:devuelven|devuelve|reintegran|reembolsan|pierdo|perdemos|perder|recupero|recuperamos) (?:la |el |lo de la )?(?:sena|deposito|plata|dinero|adelanto)\b",
    ),
    (
        "cancellation_policy",
        r"\breintegrable\b|\breembolsable\b|\bdevolvible\b|\breembolsos?\b|\bdevuelven\b|\bdevolucion\b|\bme devuelven\b|\bse devuelve\b|\bpierdo la sena\b|\breintegro\b",
    ),
    (
        "deposit",
        r"\bpor adelantado\b|\bsena\b|\bdeposito\b|\badelanto\b|\banticipo\b|\bgarantia\b|\bcuanto hay que (?:dejar|adelantar)\b",
    ),
    (
        "payment_methods",
        r"\bcomo (?:pago|se paga|puedo pagar|abono|hago el pago|les pago|te pago|se abona|hago para pagar|pagamos|seria el pago)\b",
    ),
    (
        "payment_methods",
        r"\b(?:medios?|formas?|metodos?) de pago\b|\b(?:el tema|lo) del pago\b|\bcomo (?:es|seria|funciona) el pago\b|\btransferencia\b|\btarjetas?\b|\befectivo\b|\bmercadopago\b|\bcuotas\b|\bcredito\b|\bdebito\b|\balias\b|\bcbu\b|\bcvu\b|\bdolares\b|\bpagar con\b|\bpago con\b|\baceptan (?:tarjeta|efectivo|transferencia|mercadopago)\b",
    ),
    (
        "photos",
        r"\bfotos?\b|\bimagenes\b|\bvideos?\b|\binstagram\b|\bcomo es (?:la cabana|por dentro|adentro)\b|\bver (?:la cabana|como es)\b",
    ),
]
_COMPILED = [(topic, re.compile(pattern)) for topic, pattern in PHRASES]


def topics_of(text: str, said: Sequence[tuple[int, int]] = ()) -> tuple[str, ...]:
    """The topics asked about, each once, in the order they come in the text. A phrasing inside
    another topic's ("me devuelven la seña" is the cancellation policy, not the deposit) or inside
    `said` (what the guest does: "ya pagué la seña") asks nothing."""
    matches = [(m.start(), m.end(), topic) for topic, pattern in _COMPILED for m in pattern.finditer(text)]
    first: dict[str, int] = {}
    for start, end, topic in matches:
        inside = [(a, b) for a, b, t in matches if t != topic and a <= start and end <= b and (a, b) != (start, end)]
        if inside or any(a <= start and end <= b for a, b in said):
            continue
        first[topic] = min(first.get(topic, start), start)
    return tuple(sorted(first, key=first.__getitem__))


def spans_of(text: str, topic: str) -> list[tuple[int, int]]:
    """Where `topic` is asked about: an intent found inside it is the question, not a request."""
    return [m.span() for t, pattern in _COMPILED if t == topic for m in pattern.finditer(text)]
