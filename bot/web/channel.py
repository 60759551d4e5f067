"""The socket.io input channel the web widget talks to (named in credentials.yml).

Rasa 3.6's own socket.io channel splits a text on blank lines into several messages, sends
a ``custom`` payload as keyword arguments to ``emit`` (a TypeError for our payloads, which
have no ``data`` key), forgets to await ``enter_room`` with python-socketio 5.10+, and lets a
client name any conversation id. This channel keeps the same events and payload keys (``text``,
``quick_replies``) but sends each bot message whole with its ``custom`` payload, and:

- issues the conversation id and a signed token itself (``bot.web.sessions``): a client
  continues a conversation only with its token, and cannot choose, join or write another;
- checks the Origin of every request against ``allowed_origins`` (config/web.yml) and answers
  CORS for its polling transport from the same list;
- refuses before any work what is too long, malformed or too fast, with a reply;
- keeps only allow-listed ``metadata`` (``bot.privacy.metadata``), so nothing free-form is stored;
- answers a turn Rasa left silent (the action server down) with the 999 message or an apology;
- ends every turn with ``bot_turn_end``, so the widget's typing indicator always stops.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic_cors.core import SANIC_CORS_EVALUATED
from socketio import AsyncServer

from bot.dialogue.logs import install as keep_text_out_of_logs
from bot.privacy.metadata import allowed_metadata
from bot.runtime.action_results import install as check_action_results_with_one_validator
from bot.web.sessions import Session, SessionTokens
from bot.web.turns import Reply, Turns, latest_intent, shared_turns

TURN_END_EVENT = "bot_turn_end"
SESSION_EVENT = "session_confirm"


class WidgetSocketIOOutput(SocketIOOutput):
    """Sends one ``bot_message_evt`` event per bot message: text, quick replies and custom together."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        payload = widget_payload(message)
        if payload:
            self.sent += 1
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


@dataclass
class RateLimit:
    """A token bucket: ``burst`` messages at once, then ``per_minute`` a minute."""

    burst: int
    per_minute: int
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(init=False)
    checked: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens, self.checked = float(self.burst), self.clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.checked) * self.per_minute / 60.0)
        self.checked = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


@dataclass
class Connection:
    """One socket.io connection: its conversation (once issued or proved) and its rate limit."""

    rate: RateLimit
    session: Session | None = None

    @property
    def room(self) -> str | None:
        return self.session.id if self.session else None


class _AppBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint that remembers the app it joins (its ``ctx.agent`` reads trackers)."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        self.ctx.app = app
        super().register(app, options)


class WidgetSocketIOInput(SocketIOInput):
    """The widget's socket.io channel (credentials as Rasa's ``socketio`` channel; the origins,
    limits and session key come from config/web.yml, see ``bot.web.settings``)."""

    turns: Turns

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WidgetSocketIOInput":
        credentials = credentials or {}
        if "allowed_origins" in credentials:
            raise ValueError("allowed_origins moved from credentials.yml to config/web.yml (docs/security.md)")
        keep_text_out_of_logs()
        check_action_results_with_one_validator()
        channel = super().from_credentials(credentials)
        assert isinstance(channel, WidgetSocketIOInput)
        channel.turns = shared_turns()
        return channel

    def get_output_channel(self) -> Optional[WidgetSocketIOOutput]:
        return WidgetSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        limits = self.turns.limits
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self._origin_allowed,
                          max_http_buffer_size=limits.max_request_bytes)
        webhook = _AppBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        self.tokens = SessionTokens(self.turns.web.session_key, self.turns.web.session_max_age)
        connections: dict[str, Connection] = {}
        namespace = self.namespace

        @webhook.route("/", methods=["GET"])
        async def health(_: Any) -> Any:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Any = None) -> bool:
            if not self._token_accepted(auth):
                return False
            connections[sid] = Connection(RateLimit(limits.socket_burst, limits.socket_messages_per_minute))
            return True

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: Text) -> None:
            connections.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any = None, *_: Any) -> None:
            connection = connections.get(sid)
            if connection is None:
                return
            token = data.get("token") if isinstance(data, dict) else None
            session = self.tokens.verify(token) or self.tokens.issue()
            if connection.room and connection.room != session.id:
                sio.leave_room(sid, connection.room, namespace=namespace)
            connection.session = session
            sio.enter_room(sid, session.id, namespace=namespace)
            await sio.emit(SESSION_EVENT, {"session_id": session.id, "token": session.token},
                           room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any = None, *_: Any) -> None:  # any shape a client sends
            connection = connections.get(sid)
            try:
                if connection is None:  # not (or no longer) a connection this channel accepted
                    await self._say(sid, self.turns.say("session_invalid"))
                else:
                    await self._answer(sid, connection, data, on_new_message, webhook)
            finally:
                room = connection.room if connection and connection.room else sid
                await sio.emit(TURN_END_EVENT, {}, room=room, namespace=namespace)

        return webhook

    async def _answer(self, sid: Text, connection: Connection, data: Any,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]], webhook: _AppBlueprint) -> None:
        """One ``user_uttered`` event: refused before any work, or handed to Rasa and answered."""
        refusal = self._refusal(connection, data)
        if refusal is None:
            incoming = self.turns.read(data.get("message"))
            metadata = _metadata(data.get(self.metadata_key))
            refusal = incoming.refusal or (self.turns.say("unreadable_request") if metadata is None else None)
        if refusal is not None:
            await self._say(sid, refusal)
            return
        assert connection.session is not None  # _refusal proved it
        sender = connection.session.id
        output = WidgetSocketIOOutput(self.sio, self.bot_message_evt)
        message = UserMessage(incoming.text, output, sender, input_channel=self.name(), metadata=metadata)
        app = getattr(webhook.ctx, "app", None)
        await self.turns.run(
            lambda: on_new_message(message), incoming.text, lambda: output.sent,
            lambda reply: output.send_response(sender, reply),
            lambda: latest_intent(getattr(app.ctx, "agent", None) if app else None, sender),
        )

    def _refusal(self, connection: Connection, data: Any) -> Reply | None:
        """Why the event cannot be a turn: too fast, not an object, or not this conversation's token."""
        if not connection.rate.allow():
            return self.turns.say("too_fast")
        if not isinstance(data, dict):
            return self.turns.say("unreadable_request")
        proved = self.tokens.verify(data.get("token"))
        if connection.session is None or proved is None or proved.id != connection.session.id:
            return self.turns.say("session_invalid")
        return None

    async def _say(self, sid: Text, reply: Reply) -> None:
        await self.sio.emit(self.bot_message_evt, widget_payload(reply), room=sid, namespace=self.namespace)

    def _origin_allowed(self, origin: Optional[str], environ: Optional[Dict] = None) -> bool:
        """engineio's Origin check and CORS answer for this channel, from config/web.yml."""
        request = (environ or {}).get("sanic.request")
        if request is not None:  # Rasa's own CORS layer (rasa run --cors) must not add a second answer
            setattr(request.ctx, SANIC_CORS_EVALUATED, "1")
        return self.turns.web.origins.allows(origin)

    def _token_accepted(self, auth: Optional[Dict]) -> bool:
        if not self.jwt_key:
            return True
        from rasa.core.channels.channel import decode_bearer_token

        token = (auth or {}).get("token") if isinstance(auth, dict) else None
        return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))


def _metadata(value: Any) -> dict | None:
    """The message's metadata (an object, or a JSON string as Rasa also accepts) cut to the allow-list
    (``bot.privacy.metadata``: nothing free-form reaches Rasa or the store); None if it is not an object."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    return allowed_metadata(value) if isinstance(value, dict) else None
