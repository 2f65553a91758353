"""Whether the guest asks not to be written any more ("no me escriban más", STOP, "baja") or to
be written again ("alta", START), on the normal form.

Apart from the intents (the contract's Intent enum has no such value): the worker reads it
before the dialog, also while a person has the conversation. A stray word is no request:
"baja" and "alta" count only as the whole message ("¿la temporada alta?", "¿hay planta baja?"
are questions), and "dar de baja la reserva" is cancelling, not leaving."""

import re
from typing import Literal

from services.messaging.nlu.normalize import normalize

Consent = Literal["out", "in"]

# Words around a request that change nothing ("STOP por favor", "baja gracias").
_POLITE = r"(?:\s+(?:por favor|gracias|muchas gracias|ya|ahora|chau|ok|dale|listo))*"
_MESSAGES = r"(?:mensajes|mensajitos|notificaciones|avisos|recordatorios|whatsapps?|wpps?|mails|correos|promociones|publicidad|nada)"
_WRITE = r"(?:escriban|escribas|escribis|escriba|manden|mandes|envien|envies|mande|envie|contacten|contactes|jodan|molesten|molestes|hablen)"

# The whole message (the polite words aside).
_ALONE: dict[Consent, str] = {
    "out": r"stop|baja|basta|unsubscribe|desuscribir(?:me)?|desuscribirse|no molestar|no mas mensajes|"
    r"(?:la |de )?baja (?:de )?(?:los |las )?" + _MESSAGES,
    "in": r"alta|start|de alta|(?:dar(?:me)?|doy|denme|dame) de alta|suscribirme|volver a recibir(?: los)? "
    + _MESSAGES,
}
# Anywhere in the message.
_SAID: dict[Consent, list[str]] = {
    "out": [
        rf"\bno (?:me |nos )?{_WRITE} mas\b",
        r"\bno (?:quiero|queremos) (?:recibir|que me (?:manden|envien|escriban)) mas\b",
        rf"\bno (?:quiero|queremos) (?:recibir )?(?:mas )?{_MESSAGES} (?:de ustedes|tuyos|suyos)\b",
        rf"\bno (?:quiero|queremos) recibir (?:mas )?{_MESSAGES}\b",
        r"\bdejen de (?:escribirme|escribirnos|mandarme|mandarnos|enviarme|enviarnos|molestar(?:me)?|contactarme)\b",
        r"\bdeja de (?:escribirme|mandarme|enviarme|molestar(?:me)?)\b",
        rf"\b(?:dar(?:me|nos)?|den(?:me)?|dame|doy|quiero|quisiera|pido|(?:me|nos) (?:dan|das|den|des|pueden dar|podes dar|podrian dar)) (?:de )?(?:la )?baja(?: de (?:los |las |este |esta )?(?:{_MESSAGES}|numero|lista|chat|servicio))?{_POLITE}$",
        rf"\b(?:sacame|saquenme|borrame|borrenme|eliminame|eliminenme) de (?:la lista|sus listas|los {_MESSAGES}|la base)\b",
    ],
    "in": [
        rf"\b(?:quiero|queremos) volver a recibir (?:los )?{_MESSAGES}\b",
        r"\b(?:pueden|podes|podrian) volver a escribirme\b",
        r"\b(?:volve|vuelvan) a (?:escribirme|mandarme mensajes)\b",
    ],
}
# Leaving the reservation, not the messages.
_CANCELLING = re.compile(r"\bbaja (?:de )?(?:la |mi |una |esta |nuestra )?(?:reserva|estadia|cabana)\b")
_ALONE_RE = {kind: re.compile(rf"(?:{pattern}){_POLITE}") for kind, pattern in _ALONE.items()}
_SAID_RE = {kind: [re.compile(p) for p in patterns] for kind, patterns in _SAID.items()}


def consent(text: str) -> Consent | None:
    """ "out" when the message asks us to stop writing, "in" to write again, else None."""
    said = normalize(text)
    if _CANCELLING.search(said):
        return None
    for kind, alone in _ALONE_RE.items():
        if alone.fullmatch(said) or any(p.search(said) for p in _SAID_RE[kind]):
            return kind
    return None
