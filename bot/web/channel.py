"""The socket.io input channel the web widget talks to (named in credentials.yml).

Rasa 3.6's own socket.io channel splits a text on blank lines into several messages, sends
a ``custom`` payload as keyword arguments to ``emit`` (a TypeError for our payloads, which
have no ``data`` key) and, with python-socketio 5.10+, forgets to await ``enter_room``. This
channel keeps the same events and payload keys (``text``, ``quick_replies``) but sends each
bot message whole, with its ``custom`` payload in the same event, and tells the widget when
the assistant has finished answering (``bot_turn_end``) so it can hide its typing indicator.
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from socketio import AsyncServer

logger = logging.getLogger(__name__)

TURN_END_EVENT = "bot_turn_end"


class WidgetSocketIOOutput(SocketIOOutput):
    """Sends one ``bot_message_evt`` event per bot message: text, quick replies and custom together."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        payload = widget_payload(message)
        if payload:
            await self._send_message(recipient_id, payload)


def widget_payload(message: Dict[Text, Any]) -> Dict[Text, Any]:
    """The event payload for one bot message (empty when there is nothing to show)."""
    payload: Dict[Text, Any] = {}
    if message.get("text"):
        payload["text"] = message["text"]
    buttons = message.get("quick_replies") or message.get("buttons") or []
    if buttons:
        payload["quick_replies"] = [
            {"content_type": "text", "title": button.get("title", ""), "payload": button.get("payload", "")}
            for button in buttons
        ]
    if message.get("custom") is not None:
        payload["custom"] = message["custom"]
    if message.get("image"):
        payload["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
    return payload


class WidgetSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with whole messages, awaited rooms and an end-of-turn event.

    Credentials are those of Rasa's ``socketio`` channel, plus optional ``allowed_origins``
    (a list): when set, connections from pages on other origins are refused. Browsers do not
    apply CORS to WebSockets, so this is the check that covers them.
    """

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WidgetSocketIOInput":
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.allowed_origins = list(credentials.get("allowed_origins") or [])
        return channel

    allowed_origins: list = []

    def get_output_channel(self) -> Optional[WidgetSocketIOOutput]:
        return WidgetSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # cors_allowed_origins=[] leaves HTTP CORS to Rasa's --cors setting (sanic-cors).
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @webhook.route("/", methods=["GET"])
        async def health(_: Any) -> Any:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict]) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if self.allowed_origins and origin not in self.allowed_origins:
                logger.warning("Refused a socket.io connection from origin %s.", origin)
                return False
            return self._token_accepted(auth)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Dict) -> None:
            data = data if isinstance(data, dict) else {}
            if self.session_persistence and not data.get("session_id"):
                logger.warning("A socket.io message without a session_id was ignored.")
                return
            sender_id = data["session_id"] if self.session_persistence else sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            message = UserMessage(
                str(data.get("message", "")),
                WidgetSocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            try:
                await on_new_message(message)
            finally:
                await sio.emit(TURN_END_EVENT, {}, room=sender_id, namespace=self.namespace)

        return webhook

    def _token_accepted(self, auth: Optional[Dict]) -> bool:
        if not self.jwt_key:
            return True
        from rasa.core.channels.channel import decode_bearer_token

        token = (auth or {}).get("token")
        return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))
