"""Everything the bot says, in short rioplatense Spanish, in one place, with the
helpers that write dates, amounts and counts the way people here say them."""

from datetime import date

MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
MONTH_NAMES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
# The article a cabin's name takes by its first word ("Te guardé la Cabaña del Lago").
FEMININE = {"cabana", "cabaña", "casa", "casita", "posada", "hostería", "hosteria", "suite", "habitación", "habitacion"}
MASCULINE = {"refugio", "depto", "departamento", "chalet", "loft", "bungalow", "domo", "monoambiente", "quincho"}


def day(value: date) -> str:
    """Short, for notifications: "5 dic"."""
    return f"{value.day} {MONTHS[value.month - 1]}"


def long_day(value: date) -> str:
    """ "5 de diciembre"."""
    return f"{value.day} de {MONTH_NAMES[value.month - 1]}"


def stay(check_in: date, check_out: date) -> str:
    """ "del 5 al 8 de diciembre", "del 28 de diciembre al 2 de enero"."""
    if (check_in.year, check_in.month) == (check_out.year, check_out.month):
        return f"del {check_in.day} al {long_day(check_out)}"
    return f"del {long_day(check_in)} al {long_day(check_out)}"


def count(n: int, one: str, many: str) -> str:
    """ "1 noche", "3 noches"."""
    return f"{n} {one if n == 1 else many}"


def party(check_in: date, check_out: date, guests: int) -> str:
    """ "3 noches, 2 personas"."""
    return f"{count((check_out - check_in).days, 'noche', 'noches')}, {count(guests, 'persona', 'personas')}"


def the(name: str) -> str:
    """The cabin's name with its article: "la Cabaña del Lago", "el Refugio"; bare when unsure."""
    first = name.split(" ", 1)[0].lower()
    if first in FEMININE:
        return f"la {name}"
    if first in MASCULINE:
        return f"el {name}"
    return name


def until_arrival(days: int) -> str:
    """ "Faltan 3 días para tu llegada", "Falta 1 día…", "Llegás hoy", "Tu estadía ya empezó"."""
    if days <= 0:
        return "Llegás hoy" if days == 0 else "Tu estadía ya empezó"
    return f"Falta{'' if days == 1 else 'n'} {count(days, 'día', 'días')} para tu llegada"


def money(amount_minor: int, currency: str = "ARS") -> str:
    whole = f"{amount_minor // 100:,}".replace(",", ".")
    return f"${whole}" if currency == "ARS" else f"{currency} {whole}"


WELCOME = "¡Hola{name}! Soy el asistente de reservas 🏡 Te ayudo a ver disponibilidad, precios y reservar. ¿Para qué fechas y cuántas personas?"
WELCOME_BACK = "¡Hola de nuevo! Sigamos donde quedamos."
HELP = "Puedo mostrarte cabañas libres y precios, reservarte una y mandarte el link de pago. Escribime, por ejemplo: «del 15 al 18 de diciembre, somos 4»."
ASK_DATES = "¿Para qué fechas? Por ejemplo: «del 15 al 18 de diciembre» o «este finde»."
ASK_ARRIVAL = "¿Qué día llegarían? Se irían el {check_out}."
ASK_MONTH_DAYS = "¿Qué días de {month}? Por ejemplo: «del 10 al 13»."
ASK_NIGHTS = "¿Cuántas noches se quedarían desde el {check_in}?"
ASK_GUESTS = "¿Cuántas personas son, contando a los chicos?"
NONE_FREE = "Uy, {stay} ({party}) no me queda nada libre 😕 ¿Probamos otras fechas?"
MIN_NIGHTS = "En esas fechas el mínimo es de {minimum}; ¿{proposal} te sirve?"
TOO_MANY = (
    "Para {guests} no tengo cabaña: la más grande es para {capacity}. ¿Son menos, o te paso con alguien del equipo?"
)
OPTIONS = "{stay} ({party}) tengo libres:"
NOT_FREE = "{cabin} no está libre {stay}, pero tengo estas:"
HELD = "¡Listo! Te guardé {cabin} {stay} ({party}).\nTotal {total} · seña {deposit}.\n{payment}"
HELD_UNTIL = "La reserva queda en espera hasta las {until}."
PAY_LINK = "Pagá la seña acá: {url}"
PAY_LATER = "En un ratito te mando el link de pago."
TAKEN = "Justo se ocupó esa cabaña para esas fechas 😕 ¿Querés ver otras opciones?"
ASK_CANCEL = "¿Cancelo la reserva {code}: {cabin}, {stay}?"
ASK_WHICH = "Tenés más de una reserva. ¿Cuál querés cancelar?"
KEPT = "Perfecto, no cancelo nada: la reserva sigue en pie."
NOT_CANCELLING = "Tranqui, no cancelo nada."
CANCELLED = "Listo, cancelé la reserva {code} ({cabin}, {stay}). ¡Cuando quieras armamos otra!"
NOTHING_TO_CANCEL = "No encuentro una reserva activa tuya para cancelar."
RELEASED = "Listo, solté la reserva {code} de esas fechas."
CONFIRMED_NO_CHANGE = "Tu reserva {code} ya está confirmada: para cambiarle las fechas te paso con alguien del equipo."
MY_RESERVATIONS = "Tus reservas:\n{lines}"
NO_RESERVATIONS = "No tenés reservas activas por ahora."
HANDOFF = "Te paso con una persona del equipo, en breve te escribe 🙌"
UNANSWERED = "Eso no lo tengo anotado ({topics}): le paso tu pregunta a alguien del equipo y te responde por acá 🙌"
THANKS = "¡Gracias a vos! Cualquier cosa, acá estoy."
OK_NO = "Dale, cualquier cosa acá estoy."
UNKNOWN = "Perdón, no te entendí 🙈 ¿Querés ver disponibilidad o hablar con alguien del equipo?"
UNSUPPORTED = "Por ahora solo puedo leer texto y audios. ¿Me lo escribís?"
INFO = "{cabins}\n¿Querés que te pase disponibilidad?"
OFFER_AVAILABILITY = "¿Querés que te pase disponibilidad?"
INVALID = "{reason} ¿Probamos de nuevo?"
# Payments talk: "ya pagué", "no me llegó el link".
PAID_CONFIRMED = "¡Sí! Ya me figura: tu reserva {code} ({cabin}, {stay}) está confirmada 🎉"
PAID_PENDING = "Me figura tu pago de la reserva {code}, todavía en proceso. Te aviso apenas se acredite."
PAID_REJECTED = "El pago de la reserva {code} figura rechazado 😕 Podés intentar de nuevo: {link}"
PAID_NOTHING = (
    "Todavía no me figura ningún pago de la reserva {code}. Si recién pagaste, puede tardar unos minutos; si no, {link}"
)
NOTHING_TO_PAY = "No encuentro una reserva tuya esperando el pago. ¿Armamos una? Decime fechas y cuántos son."
# The balance after the deposit, on a confirmed reservation.
PAID_UP = "Ya está todo pago 🙌"
BALANCE_ONLINE = "Te falta pagar {due}; podés hacerlo acá: {url}"
BALANCE_ON_ARRIVAL = "Te falta pagar {due}: el resto lo pagás al llegar."
BALANCE_LATER = "Te falta pagar {due}: unos días antes de que llegues te mando el link para pagarlo."
# Cancelling: what goes back (the policy's share of what was paid).
REFUND_NOW = "Si cancelás hoy te devolvemos {refund} (el {percent} % de lo que pagaste)."
REFUND_ALL_NOW = "Si cancelás hoy te devolvemos todo lo que pagaste ({refund})."
NO_REFUND_NOW = "{until}: si cancelás hoy no te devolvemos lo que pagaste ({paid})."
NOTHING_PAID = "No pagaste nada, así que no hay nada que devolver."
REFUND_ON_ITS_WAY = "Te devolvemos {refund} por el mismo medio con el que pagaste; te aviso cuando salga."
# Info answers from the cabin's data.
TIMES = "El check-in es desde las {check_in} y el check-out hasta las {check_out}."
DEPOSIT = "Para reservar se paga una seña del {percent} % del total con el link de Mercado Pago; con eso la reserva queda confirmada."
HOW_TO_PAY = (
    "La seña se paga con el link de Mercado Pago que te mando al reservar (tarjeta, débito o dinero en cuenta)."
)
MAPS = "Mapa: {url}"
# A message given up on (dead-lettered):
SORRY = "Uy, perdón: tuve un problema con tu mensaje y no lo pude responder 😕 ¿Me lo escribís de otra forma?"

CONFIRMED = "¡Listo, {name}! Tu reserva {code} en {cabin} ({check_in} → {check_out}) está confirmada 🎉 Te esperamos."
EXPIRED = "Se venció la reserva {code} en {cabin} ({check_in} → {check_out}) porque no recibimos el pago. Si querés, la armamos de nuevo."
REMINDER = "Tu reserva {code} en {cabin} vence a las {until}. Pagá la seña para confirmarla: {url}"
PAYMENT_REJECTED = "El pago de la reserva {code} fue rechazado 😕 Podés intentar de nuevo con el mismo link."
PAYMENT_PENDING = "Recibimos tu pago de la reserva {code}; está en proceso. Te aviso apenas se acredite."
REFUNDED = "Te devolvimos {amount} de la reserva {code}; puede tardar unos días en verse según tu banco o tarjeta."
REFUND_BY_OWNER = "Sobre la devolución de la reserva {code}: el dueño se va a comunicar con vos para coordinarla 🙌"
# Paid in cash or by transfer: the owner gives it back, then records it.
REFUND_BY_HAND = (
    "Te vamos a devolver {amount} de la reserva {code}. Como lo pagaste en efectivo o por transferencia,"
    " el dueño se comunica con vos para coordinarlo 🙌"
)
REFUNDED_BY_HAND = "Listo: quedó registrado que te devolvimos {amount} de la reserva {code} 🙌"
HEARD = "🎤 Entendí: «{text}»"
WRITE_IT = "No llegué a entender bien el audio 🙉 ¿Me lo escribís?"
# How a topic is named when nobody wrote its answer.
TOPIC_LABELS = {
    "check_in_time": "el horario de entrada",
    "check_out_time": "el horario de salida",
    "pets": "las mascotas",
    "wifi": "el wifi",
    "parking": "el estacionamiento",
    "linen": "la ropa de cama y las toallas",
    "grill": "la parrilla",
    "heating": "la calefacción",
    "pool": "la pileta",
    "children": "los chicos",
    "address": "cómo llegar",
    "distance_to_town": "la distancia al centro",
    "house_rules": "las reglas de la casa",
    "cancellation_policy": "la política de cancelación",
    "deposit": "la seña",
    "payment_methods": "cómo pagar",
    "photos": "las fotos",
}

# Owner alerts: what the team is told (WhatsApp, or e-mail), one line each; several at once go as
# one message under ALERTS_MANY. The console link follows each line.
ALERT_NEW_BOOKING = "Nueva reserva {code} en {cabin}, {stay}: {guest}{paid}."
ALERT_PAID = ", pagó {amount}"
ALERT_GUEST_WAITING = "{guest} (+{phone}) espera que le respondas{said}"
ALERT_SAID = ": «{text}»"
ALERT_ICAL_CONFLICT = (
    "Conflicto de calendario: {source} bloquea {cabin} {stay}, y ahí está la reserva {code} de {guest}."
)
ALERT_FEED_FAILING = "El calendario de {source} de {cabin} falla hace más de media hora ({error}). Revisá su link."
ALERT_PAID_BUT_UNAVAILABLE = (
    "La reserva {code} ({cabin}, {stay}) se pagó cuando esas fechas ya no estaban libres: hay que devolverle"
    " el pago a {guest} u ofrecerle otra cosa."
)
ALERT_DUPLICATE_PAYMENT = "La reserva {code} de {guest} se pagó dos veces: hay {amount} de más para devolver."
ALERT_CHARGEBACK = "{guest} desconoció con su tarjeta un pago de {amount} de la reserva {code}."
ALERT_REFUND_FAILED = "No se pudo devolver {amount} de la reserva {code} ({guest}): hay que hacerlo a mano."
ALERT_GUEST_CANCELLED = "{guest} canceló la reserva {code} ({cabin}, {stay})."
ALERTS_MANY = "Tenés {n} avisos:"
ALERT_SUBJECTS = {
    "new_booking": "Nueva reserva",
    "guest_waiting": "Un huésped espera respuesta",
    "ical_conflict": "Conflicto de calendario",
    "feed_failing": "Un calendario falla",
    "paid_but_unavailable": "Un pago sin fechas libres",
    "duplicate_payment": "Un pago duplicado",
    "chargeback": "Un contracargo",
    "refund_failed": "Una devolución que falló",
    "guest_cancelled": "Un huésped canceló",
}

# The guest's journey (notify.py's events, journey.py's schedule): paragraphs, one per line on
# WhatsApp and one per <p> by e-mail; the cabin's own words (GuestWords) go as written.
STAY_CONFIRMED_SUBJECT = "Tu reserva {code} en {cabin} está confirmada"
STAY_CANCELLED_BY_GUEST = "Listo, {name}: cancelamos tu reserva {code} en {cabin} ({stay})."
STAY_CANCELLED_BY_OWNER = (
    "Hola, {name}. Tuvimos que cancelar tu reserva {code} en {cabin} ({stay}); perdón por las molestias."
)
STAY_CANCELLED_SUBJECT = "Tu reserva {code} quedó cancelada"
STAY_REFUNDING = "Te devolvemos {amount} por el mismo medio con el que pagaste; te avisamos cuando salga."
STAY_REFUND_LATER = "Si corresponde una devolución, te avisamos cuando salga."
STAY_MOVED = "Hola, {name}. Cambiamos las fechas de tu reserva {code} en {cabin}: ahora es {stay} (antes era {before})."
STAY_MOVED_TOTAL = "El total queda en {total}."
STAY_MOVED_SUBJECT = "Nuevas fechas para tu reserva {code}"
STAY_REFUND_SUBJECT = "La devolución de tu reserva {code}"
STAY_DUE = "Te falta pagar {due}."
BALANCE_DUE = "Hola, {name}. {until} a {cabin} 🏡 Te falta pagar {due} de la reserva {code}; podés hacerlo acá:"
BALANCE_DUE_SUBJECT = "El saldo de tu reserva {code}"
CHECKIN = "¡Hola, {name}! Te esperamos el {day} en {cabin} 🏡 Te dejo lo que necesitás para llegar:"
CHECKIN_ADDRESS = "Dirección: {address}"
CHECKIN_MAP = "Mapa: {url}"
CHECKIN_TIME = "El check-in es desde las {time}."
CHECKIN_KEYS = "Las llaves: {keys}"
CHECKIN_WIFI = "Wifi: {wifi}"
CHECKIN_RULES = "Reglas de la casa: {rules}"
CHECKIN_END = "Cualquier cosa, escribinos por acá. ¡Buen viaje!"
CHECKIN_SUBJECT = "Cómo llegar a {cabin}"
CHECKOUT = "Hola, {name}. Mañana es tu salida de {cabin}."
CHECKOUT_TIME = "El check-out es hasta las {time}."
CHECKOUT_END = "¡Gracias por elegirnos!"
CHECKOUT_SUBJECT = "Mañana es tu salida de {cabin}"
REVIEW = "¡Hola, {name}! Gracias por quedarte en {cabin} 🙌 Si tenés un minuto, tu reseña nos ayuda un montón:"
REVIEW_SUBJECT = "¿Cómo estuvo tu estadía en {cabin}?"
# The chat's opt-out ("no me escriban más", STOP) and its way back ("alta").
OPTED_OUT = "Listo, no te escribimos más. Si querés volver a recibir mensajes, escribí «alta»."
OPTED_IN = "¡Listo! Te volvemos a escribir con las novedades de tus reservas."
