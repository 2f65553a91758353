"""Everything the bot says, in short rioplatense Spanish, in one place."""

from datetime import date

MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]}"


def money(amount_minor: int, currency: str = "ARS") -> str:
    whole = f"{amount_minor // 100:,}".replace(",", ".")
    return f"${whole}" if currency == "ARS" else f"{currency} {whole}"


WELCOME = "¡Hola{name}! Soy el asistente de reservas 🏡 Te ayudo a ver disponibilidad, precios y reservar. ¿Para qué fechas y cuántas personas?"
HELP = "Puedo mostrarte cabañas libres y precios, reservarte una y mandarte el link de pago. Escribime, por ejemplo: «del 15 al 18 de diciembre, somos 4»."
ASK_DATES = "¿Para qué fechas? Por ejemplo: «del 15 al 18 de diciembre» o «este finde»."
ASK_NIGHTS = "¿Cuántas noches se quedarían desde el {check_in}?"
ASK_GUESTS = "¿Cuántas personas son, contando chicos?"
NONE_FREE = "Uy, para {check_in} → {check_out} ({guests} pers.) no me queda nada libre 😕 ¿Probamos otras fechas?"
OPTIONS = "Para {check_in} → {check_out} ({nights} noches, {guests} pers.) tengo libre:"
HELD = (
    "¡Listo! Te guardé {cabin} del {check_in} al {check_out} ({nights} noches, {guests} pers.).\n"
    "Total {total} · seña {deposit}.\n{payment}\nLa reserva queda en espera hasta las {until}."
)
PAY_LINK = "Pagá la seña acá: {url}"
PAY_LATER = "En un ratito te mando el link de pago."
TAKEN = "Justo se ocupó esa cabaña para esas fechas 😕 ¿Querés ver otras opciones?"
CANCELLED = "Listo, cancelé la reserva {code}. ¡Cuando quieras armamos otra!"
NOTHING_TO_CANCEL = "No encuentro una reserva activa tuya para cancelar."
MY_RESERVATIONS = "Tus reservas:\n{lines}"
NO_RESERVATIONS = "No tenés reservas activas por ahora."
HANDOFF = "Te paso con una persona del equipo, en breve te escribe 🙌"
THANKS = "¡Gracias a vos! Cualquier cosa, acá estoy."
UNKNOWN = "Perdón, no te entendí 🙈 Decime fechas y cantidad de personas, o elegí una opción."
UNSUPPORTED = "Por ahora solo puedo leer texto y audios. ¿Me lo escribís?"
INFO = "{cabins}\n¿Querés que te pase disponibilidad?"
INVALID = "{reason} ¿Probamos de nuevo?"
# A message given up on (dead-lettered):
SORRY = "Uy, perdón: tuve un problema con tu mensaje y no lo pude responder 😕 ¿Me lo escribís de otra forma?"

CONFIRMED = "¡Listo, {name}! Tu reserva {code} en {cabin} ({check_in} → {check_out}) está confirmada 🎉 Te esperamos."
EXPIRED = "Se venció la reserva {code} en {cabin} ({check_in} → {check_out}) porque no recibimos el pago. Si querés, la armamos de nuevo."
REMINDER = "Tu reserva {code} en {cabin} vence a las {until}. Pagá la seña para confirmarla: {url}"
PAYMENT_REJECTED = "El pago de la reserva {code} fue rechazado 😕 Podés intentar de nuevo con el mismo link."
PAYMENT_PENDING = "Recibimos tu pago de la reserva {code}; está en proceso. Te aviso apenas se acredite."
HEARD = "🎤 Entendí: «{text}»"
WRITE_IT = "No llegué a entender bien el audio 🙉 ¿Me lo escribís?"
