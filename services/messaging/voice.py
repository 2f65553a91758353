"""Voice notes into text, for the worker (`conversations.Listener`)."""

from services.messaging.graph import MediaError, WhatsApp, fetch_media
from services.messaging.ports import Transcriber
from services.messaging.whatsapp import Inbound


class VoiceNotes:
    def __init__(self, whatsapp: WhatsApp | None, speech: Transcriber) -> None:
        self.whatsapp, self.speech = whatsapp, speech

    async def __call__(self, msg: Inbound) -> tuple[str, float]:
        """A voice note's (transcript, confidence): media fetched at once (its URL
        expires in 5 minutes), then transcribed by the speech service."""
        if self.whatsapp is None:
            raise MediaError("without a WhatsApp token media cannot be fetched")
        audio = msg.payload.get("audio", {})
        data = await fetch_media(self.whatsapp, str(audio.get("id", "")), str(audio.get("sha256", "")))
        return await self.speech.transcribe(data, str(audio.get("mime_type", "")), "es")
