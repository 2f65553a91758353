"""WhatsApp message bodies, built once and validated against Meta's limits:
≤ 3 reply buttons with titles ≤ 20 characters; lists of ≤ 10 rows in total,
row titles ≤ 24, descriptions ≤ 72, button label ≤ 20; bodies ≤ 1024 (buttons)
or 4096. Buttons whose titles do not fit fall back to a list."""

import json
from dataclasses import dataclass
from typing import Any

MAX_BUTTONS, BUTTON_TITLE = 3, 20
MAX_ROWS, ROW_TITLE, ROW_DESCRIPTION, LIST_BUTTON = 10, 24, 72, 20


@dataclass(frozen=True)
class Outgoing:
    """A message to send: its Graph API body (without `to`) and a readable rendering."""

    type: str
    body: dict[str, Any]
    text: str


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text(body: str) -> Outgoing:
    return Outgoing("text", {"type": "text", "text": {"preview_url": True, "body": _cut(body, 4096)}}, body)


def template(name: str, language: str, parameters: list[str], rendered: str) -> Outgoing:
    """An approved template (the only message allowed outside the 24-hour window) with its body's
    parameters in order; `rendered` is what it stands for, shown as `[plantilla <name>] …`."""
    body = {
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}],
        },
    }
    return Outgoing("template", body, f"[plantilla {name}] {rendered}")


def buttons(body: str, choices: list[tuple[str, str]]) -> Outgoing:
    if len(choices) > MAX_BUTTONS or any(len(title) > BUTTON_TITLE for _, title in choices):
        return rows(body, "Elegí una opción", [(i, t, "") for i, t in choices])
    payload = {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": _cut(body, 1024)},
            "action": {"buttons": [{"type": "reply", "reply": {"id": i[:256], "title": t}} for i, t in choices]},
        },
    }
    rendered = body + "\n" + "  ".join(f"[{n}] {t}" for n, (_, t) in enumerate(choices, 1))
    return Outgoing("interactive", payload, rendered)


def rows(body: str, label: str, items: list[tuple[str, str, str]]) -> Outgoing:
    items = items[:MAX_ROWS]
    payload = {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": _cut(body, 4096)},
            "action": {
                "button": _cut(label, LIST_BUTTON),
                "sections": [
                    {
                        "title": "Opciones",
                        "rows": [
                            {
                                "id": i[:200],
                                "title": _cut(t, ROW_TITLE),
                                **({"description": _cut(d, ROW_DESCRIPTION)} if d else {}),
                            }
                            for i, t, d in items
                        ],
                    }
                ],
            },
        },
    }
    rendered = body + "\n" + "\n".join(f"  {n}. {t}" + (f" — {d}" if d else "") for n, (_, t, d) in enumerate(items, 1))
    return Outgoing("interactive", payload, rendered)


def choices_of(out: Outgoing) -> list[tuple[str, str]]:
    """(id, title) of the buttons or rows of a message, in order (for the terminal chat)."""
    action = out.body.get("interactive", {}).get("action", {})
    if "buttons" in action:
        return [(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"]]
    return [(r["id"], r["title"]) for s in action.get("sections", []) for r in s["rows"]]


def with_preface(out: Outgoing, line: str) -> Outgoing:
    """The same message with a first line added to its body (one bubble, not two)."""
    body = json.loads(json.dumps(out.body))
    if out.type == "text":
        body["text"]["body"] = _cut(f"{line}\n{body['text']['body']}", 4096)
    elif out.type == "interactive":
        limit = 1024 if body["interactive"]["type"] == "button" else 4096
        body["interactive"]["body"]["text"] = _cut(f"{line}\n{body['interactive']['body']['text']}", limit)
    return Outgoing(out.type, body, f"{line}\n{out.text}")
