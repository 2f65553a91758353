"""Normalising WhatsApp webhook payloads, and the message builder's limits."""

import json
from typing import Any

import pytest

from services.messaging import interactive as ui
from services.messaging.whatsapp import InvalidPayload, parse
from testsupport.whatsapp import envelope


def msg(kind: str, **content: object) -> dict[str, Any]:
    return {"from": "5491155555555", "id": f"wamid.{kind}", "timestamp": "1750857384", "type": kind, **content}


def test_every_kind_is_normalised() -> None:
    messages, statuses = parse(
        envelope(
            *[
                msg("text", text={"body": "Hola, ¿tienen cabaña libre?"}),
                msg("image", image={"caption": "esta es la del lago?", "id": "1"}),
                msg("document", document={"caption": "comprobante", "id": "2"}),
                msg("location", location={"latitude": -40.7, "longitude": -71.6, "name": "Villa La Angostura"}),
                msg(
                    "interactive",
                    interactive={"type": "button_reply", "button_reply": {"id": "pay:RES1", "title": "Pagar"}},
                ),
                msg(
                    "interactive",
                    interactive={"type": "list_reply", "list_reply": {"id": "cabin:3", "title": "Cabaña del Lago"}},
                ),
                msg("button", button={"payload": "menu:dates", "text": "Ver fechas"}),
                msg("audio", audio={"id": "77", "mime_type": "audio/ogg; codecs=opus", "voice": True}),
                msg("reaction", reaction={"message_id": "wamid.x", "emoji": "👍"}),
                msg("sticker", sticker={"id": "9"}),
            ],
            statuses=[
                {"id": "wamid.out1", "status": "delivered", "timestamp": "1694492484", "recipient_id": "5491155555555"}
            ],
        )
    )
    got = {m.type + (":" + m.reply_id if m.reply_id else ""): m.text for m in messages}
    assert got == {
        "text": "Hola, ¿tienen cabaña libre?",
        "image": "esta es la del lago?",
        "document": "comprobante",
        "location": "Villa La Angostura",
        "interactive:cabin:3": "Cabaña del Lago",
        "interactive:pay:RES1": "Pagar",
        "button:menu:dates": "Ver fechas",
        "audio": "",
        "reaction": "",
        "sticker": "",
    }
    assert all(m.name == "Ana Pérez" and m.phone == "5491155555555" for m in messages)
    assert [(s.wamid, s.status) for s in statuses] == [("wamid.out1", "delivered")]


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"entry": "x"}'])
def test_not_a_webhook(raw: bytes) -> None:
    with pytest.raises(InvalidPayload):
        parse(raw)


def test_buttons_respect_meta_limits_and_fall_back_to_a_list() -> None:
    ok = ui.buttons("¿Confirmás?", [("a", "Pagar"), ("b", "Cambiar fechas"), ("c", "Cancelar")])
    assert ok.body["interactive"]["type"] == "button"
    long_titles = ui.buttons("Elegí", [("a", "Cabaña con un nombre larguísimo"), ("b", "Otra")])
    assert long_titles.body["interactive"]["type"] == "list"
    many = ui.rows(
        "Elegí", "Ver cabañas con un rótulo demasiado largo", [(str(i), "x" * 40, "y" * 100) for i in range(15)]
    )
    rows = many.body["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10 and all(len(r["title"]) <= 24 and len(r["description"]) <= 72 for r in rows)
    assert len(many.body["interactive"]["action"]["button"]) <= 20
    assert ui.choices_of(ok) == [("a", "Pagar"), ("b", "Cambiar fechas"), ("c", "Cancelar")]


@pytest.mark.parametrize(
    "hostile",
    [
        {"interactive": "not an object"},
        {"interactive": {"button_reply": ["x"], "list_reply": 3}},
        {"text": "not an object"},
        {"button": None, "location": "here"},
    ],
)
def test_fields_of_the_wrong_shape_read_as_absent(hostile: dict[str, Any]) -> None:
    message = {**msg("interactive"), **hostile}
    [parsed], _ = parse(envelope(message))
    assert (parsed.text, parsed.reply_id) == ("", "")


@pytest.mark.parametrize(
    "value",
    [
        {"contacts": "x", "messages": {"id": "m"}, "statuses": "y"},
        {"contacts": [1, {"wa_id": ["unhashable"], "profile": "x"}], "messages": [{"id": "m1", "from": ["a"]}]},
        {"statuses": [{"id": "s", "status": "sent", "errors": "boom"}]},
    ],
)
def test_arrays_and_objects_of_the_wrong_shape_are_skipped(value: dict[str, Any]) -> None:
    raw = json.dumps({"entry": [{"changes": [{"value": value}, "junk"]}, 7]}).encode()
    messages, statuses = parse(raw)  # never raises on a JSON object with an entry list
    assert all(s.errors == [] for s in statuses)
    assert all(isinstance(m.phone, str) for m in messages)
