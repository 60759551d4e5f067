"""The REST input channel (credentials.yml names it; still at /webhooks/rest/): Rasa's, checked first.

Same address and reply format as Rasa's ``rest`` channel (``POST /webhooks/rest/webhook`` with
``{"sender", "message", "metadata"}``; a list of messages back, a ``custom`` payload as its own
message). Unlike it, this channel:

- is for local tools, tests and benchmarks: by default it answers programs on this machine
  only; config/web.yml can ask for a bearer token (``DASG_REST_TOKEN``) or turn it off;
- refuses browsers from origins not in ``allowed_origins`` and answers CORS from that list
  (simple requests only: a browser's preflight for a JSON POST is answered by Rasa's CORS layer,
  which lets nothing through without ``rasa run --cors``; REST is not for browsers);
- keeps only allow-listed ``metadata`` (``bot.privacy.metadata``), so nothing free-form is stored;
- answers a malformed body with HTTP 400 and the reason (413 when too large), never 500;
- replies "too long" to a message over the limit without running NLU;
- never continues a widget conversation (their ids start with ``web-``);
- answers a turn Rasa left silent (the action server down) with the 999 message or an apology.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic_cors.core import SANIC_CORS_EVALUATED

from bot.dialogue.logs import install as keep_text_out_of_logs
from bot.privacy.metadata import allowed_metadata
from bot.runtime.action_results import install as check_action_results_with_one_validator
from bot.web.sessions import PREFIX as WIDGET_PREFIX
from bot.web.turns import Turns, latest_intent, shared_turns

_SENDER = re.compile(r"^[A-Za-z0-9._:@+-]{1,128}$")
BODY_HELP = 'send a JSON object: {"sender": "<your id>", "message": "<text>"}'


class Refused(Exception):
    """A request the channel will not handle: the HTTP status and the reason it is given."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class GuardedRestInput(RestInput):
    """Rasa's REST channel with access rules, body checks, limits and a reply for silent turns."""

    turns: Turns

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedRestInput":
        keep_text_out_of_logs()
        check_action_results_with_one_validator()
        channel = cls()
        channel.turns = shared_turns()
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            headers = self._cors(request)
            try:
                self._check_access(request)
                sender, text, metadata = self._read_body(request)
            except Refused as refused:
                extra = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else {}
                return response.json({"error": refused.reason}, status=refused.status, headers={**headers, **extra})
            collector = CollectingOutputChannel()
            incoming = self.turns.read(text)
            if incoming.refusal is not None:
                await collector.send_response(sender, incoming.refusal)
                return response.json(collector.messages, headers=headers)
            message = UserMessage(incoming.text, collector, sender, input_channel=self.name(), metadata=metadata)
            await self.turns.run(
                lambda: on_new_message(message), incoming.text, lambda: len(collector.messages),
                lambda reply: collector.send_response(sender, reply),
                lambda: latest_intent(getattr(request.app.ctx, "agent", None), sender),
            )
            return response.json(collector.messages, headers=headers)

        return webhook

    def _cors(self, request: Request) -> dict[str, str]:
        """CORS headers for an allowed browser origin (none otherwise); Rasa's own CORS stays out."""
        setattr(request.ctx, SANIC_CORS_EVALUATED, "1")
        origin = request.headers.get("origin")
        if origin and self.turns.web.origins.allows(origin):
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {}

    def _check_access(self, request: Request) -> None:
        web = self.turns.web
        if web.rest_mode == "off":
            raise Refused(404, "the REST channel is off (config/web.yml: rest)")
        if not web.origins.allows(request.headers.get("origin")):
            raise Refused(403, "this origin may not use the assistant (config/web.yml: allowed_origins)")
        if web.rest_mode == "local" and not _is_loopback(request.ip):
            raise Refused(403, "the REST channel answers programs on this machine only (config/web.yml: rest)")
        if web.rest_mode == "token":
            given = request.headers.get("authorization", "")
            expected = f"Bearer {web.rest_token}"
            if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
                raise Refused(401, "a valid bearer token is required (Authorization: Bearer ...)")

    def _read_body(self, request: Request) -> tuple[str, Any, dict]:
        """The sender, the message (checked later, with a reply) and the metadata of a valid body."""
        limit = self.turns.limits.max_request_bytes
        body = request.body or b""
        if len(body) > limit:
            raise Refused(413, f"the request body is larger than {limit:,} bytes")
        if not body.strip():
            raise Refused(400, f"the request body is empty: {BODY_HELP}")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise Refused(400, f"the request body is not JSON: {BODY_HELP}") from None
        if not isinstance(data, dict):
            raise Refused(400, f"the request body must be a JSON object, not {_kind(data)}: {BODY_HELP}")
        if "message" not in data:
            raise Refused(400, f"'message' is missing: {BODY_HELP}")
        if not isinstance(data["message"], str):
            raise Refused(400, f"'message' must be a string, not {_kind(data['message'])}")
        metadata = data.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise Refused(400, f"'metadata' must be a JSON object, not {_kind(metadata)}")
        return _sender(data.get("sender")), data["message"], allowed_metadata(metadata)  # bot.privacy.metadata


def _sender(value: Any) -> str:
    """The conversation id: the one given, or a new one for each request that gives none."""
    if value is None:
        return f"rest-{uuid.uuid4().hex}"
    if not isinstance(value, str) or not _SENDER.match(value):
        raise Refused(400, "'sender' must be a string of 1 to 128 letters, digits or . _ : @ + -")
    if value.startswith(WIDGET_PREFIX):
        raise Refused(403, f"'sender' ids starting with '{WIDGET_PREFIX}' are the web widget's conversations")
    return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true or false",
            type(None): "null"}.get(type(value), "a number")


def _is_loopback(address: Optional[str]) -> bool:
    try:
        return ipaddress.ip_address((address or "").strip("[]")).is_loopback
    except ValueError:
        return False
