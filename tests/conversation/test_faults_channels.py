"""The chat channels under misuse, through the running servers: malformed and oversized input,
other origins, other people's conversations, typed commands, bursts, a fuzz corpus and the logs.

Every input gets a reply (and, on the socket, the end-of-turn event); nothing reaches NLU that
the channel refuses; no one reads or writes a conversation they were not given.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
import requests
import socketio
import yaml

from bot.web.turns import TURN_FAILED
from tests.conftest import TEST_DATA
from tests.conversation.conftest import Chat, kinds, texts
from tests.conversation.sockets import SocketChat, types, warm_up

pytestmark = pytest.mark.conversation

MARKER = "quokkazanzibar"
TOKEN = "<this connection's token>"
PAGE = "http://127.0.0.1:8080"


def load_fuzz() -> list[str]:
    items = yaml.safe_load((TEST_DATA / "fuzz_messages.yml").read_text(encoding="utf-8"))["messages"]
    messages = []
    for item in items:
        if isinstance(item, dict) and "json" in item:
            messages.append(json.loads(item["json"]))
        elif isinstance(item, dict):
            messages.append(item["repeat"] * item["times"])
        else:
            messages.append(item)
    return messages


def post(servers, body: bytes | str, headers: dict | None = None) -> requests.Response:
    return requests.post(servers.rest_url, data=body, headers={"Content-Type": "application/json", **(headers or {})},
                         timeout=60)


def user_events(servers, sender: str) -> int:
    with sqlite3.connect(servers.tracker_db) as db:
        return db.execute("select count(*) from events where sender_id = ? and type_name = 'user'", (sender,)).fetchone()[0]


def rasa_log(servers) -> Path:
    return Path(servers.tracker_db).parent / "rasa.log"


@pytest.fixture(scope="module", autouse=True)
def warm(servers):
    warm_up(servers.rest_url)


@pytest.fixture
def socket_chat(servers):
    chats: list[SocketChat] = []

    def connect(**options) -> SocketChat:
        chats.append(SocketChat(servers.base_url, **options))
        return chats[-1]

    yield connect
    for chat in chats:
        chat.close()


# -- REST ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, reason", [
    (b"[]", "must be a JSON object, not a list"),
    (b"null", "must be a JSON object, not null"),
    (b"", "the request body is empty"),
    (b"   ", "the request body is empty"),
    (b"{not json", "is not JSON"),
    (b"\xff\xfe\x00", "is not JSON"),
    (b"[" * 5000, "is not JSON"),
    (b'"hello"', "must be a JSON object, not a string"),
    (b"{}", "'message' is missing"),
    (b'{"message": 5}', "'message' must be a string, not a number"),
    (b'{"message": null}', "'message' must be a string, not null"),
    (b'{"message": ["hi"]}', "'message' must be a string, not a list"),
    (b'{"message": {"text": "hi"}}', "'message' must be a string, not an object"),
    (b'{"message": "hi", "metadata": []}', "'metadata' must be a JSON object, not a list"),
    (b'{"message": "hi", "metadata": "x"}', "'metadata' must be a JSON object, not a string"),
    (b'{"message": "hi", "sender": 7}', "'sender' must be a string"),
    (b'{"message": "hi", "sender": "two words"}', "'sender' must be a string"),
])
def test_malformed_rest_bodies_get_400_and_the_reason(servers, body, reason):
    response = post(servers, body)
    assert response.status_code == 400, response.text
    assert reason in response.json()["error"]


def test_a_body_over_the_byte_limit_is_refused_unread(servers):
    response = post(servers, b'{"message": "' + b"a" * 4_000_001 + b'"}')
    assert response.status_code == 413
    assert "larger than 4,000,000 bytes" in response.json()["error"]


def test_rest_refuses_pages_not_listed_and_answers_cors_for_listed_ones(servers):
    body = json.dumps({"sender": f"test-{uuid.uuid4().hex[:8]}", "message": "hi"})
    for origin in ("null", "https://evil.example", "http://127.0.0.1.evil.example:8080"):
        response = post(servers, body, {"Origin": origin})
        assert response.status_code == 403 and "origin" in response.json()["error"], origin
        assert "Access-Control-Allow-Origin" not in response.headers
    allowed = post(servers, body, {"Origin": PAGE})
    assert allowed.status_code == 200 and allowed.json()
    assert allowed.headers["Access-Control-Allow-Origin"] == PAGE, "once (requests joins repeated headers)"


# -- oversized messages -----------------------------------------------------------------------------

def test_huge_messages_are_refused_before_nlu_while_a_conversation_goes_on(servers, socket_chat):
    chat = Chat(servers.rest_url)
    huge = {}

    def send_huge(size: int) -> None:
        sender = f"test-huge-{size}-{uuid.uuid4().hex[:6]}"
        huge[size] = (sender, requests.post(servers.rest_url, json={"sender": sender, "message": "x" * size}, timeout=60))

    threads = [threading.Thread(target=send_huge, args=(size,)) for size in (1_000_000, 3_000_000)]
    for thread in threads:
        thread.start()
    answer = chat.send("what is MARAC?")
    for thread in threads:
        thread.join()
    assert "guidance" in kinds(answer)
    for size, (sender, response) in huge.items():
        assert response.status_code == 200
        assert kinds(response.json()) == ["too_long"], size
        assert "2,000 characters or fewer" in texts(response.json())[0]
        assert user_events(servers, sender) == 0, "refused before Rasa read it"
    socket = socket_chat()
    assert types(socket.send("y" * 3_000_000)) == ["too_long"]
    assert "guidance" in types(socket.send("what is MARAC?"))


# -- whose conversation ------------------------------------------------------------------------------

def test_conversation_ids_come_from_the_server(socket_chat):
    chat = socket_chat(session=False)
    chosen = "web-" + "1" * 32
    given = chat.request_session(session_id=chosen)
    assert given["session_id"] != chosen and given["session_id"].startswith("web-")
    assert given["token"].startswith(given["session_id"] + ".")


def test_no_one_can_join_read_or_write_another_clients_conversation(servers, socket_chat):
    owner = socket_chat()
    assert "guidance" in types(owner.send("what is MARAC?"))
    victim_id = owner.session_id
    forged = f"{victim_id}.1796000000.{'A' * 43}"

    intruder = socket_chat(session=False)
    for offer in ({"session_id": victim_id}, {"session_id": victim_id, "token": forged},
                  {"token": victim_id}, {"token": owner.token.rsplit(".", 1)[0]}):
        assert intruder.request_session(**offer)["session_id"] != victim_id, offer
    # Writing with the owner's id in the payload goes to the intruder's own conversation.
    reply = intruder.send("tell me more", session_id=victim_id)
    assert "opening_notice" in types(reply), "a new conversation, not the owner's"
    assert types(intruder.send("hi", token=forged)) == ["session_invalid"]
    assert owner.received_nothing(), "the owner's screen got nothing from the intruder"
    # Nor over REST.
    response = requests.post(servers.rest_url, json={"sender": victim_id, "message": "tell me more"}, timeout=60)
    assert response.status_code == 403
    # The owner's conversation is untouched, and the owner (a reload: a new connection) continues it.
    again = socket_chat(token=owner.token)
    assert again.session_id == victim_id
    assert any("Source:" in (m.get("text") or "") for m in again.send("tell me more"))


def test_the_socket_refuses_pages_not_listed(servers, socket_chat):
    for origin in ("null", "https://evil.example", "http://localhost.evil.example"):
        with pytest.raises(socketio.exceptions.ConnectionError, match="400"):
            socket_chat(origin=origin)
    assert socket_chat(origin="http://localhost:5173").session_id


# -- malformed events and bursts ---------------------------------------------------------------------

def test_malformed_socket_events_get_a_reply_and_the_end_of_turn(socket_chat):
    chat = socket_chat()
    cases = [
        ((None,), "unreadable_request"), (([],), "unreadable_request"), (("what is MARAC?",), "unreadable_request"),
        ((5,), "unreadable_request"), (({"message": 5, "token": TOKEN},), "unreadable_request"),
        (({"message": None, "token": TOKEN},), "unreadable_request"),
        (({"message": "hi", "token": TOKEN, "metadata": [1]},), "unreadable_request"),
        (({"message": "hi", "token": TOKEN, "metadata": "{not json"},), "unreadable_request"),
        (({"message": "hi"},), "session_invalid"), (({"message": "hi", "token": 5},), "session_invalid"),
        (({"message": "x" * 2001, "token": TOKEN},), "too_long"),
        (({"message": "hi", "token": TOKEN}, "extra", "arguments"), None),
    ]
    for index, (args, expected) in enumerate(cases):
        if index % 8 == 7:  # one connection may send only so fast: go on in a new one (a reload)
            chat = socket_chat(token=chat.token)
        chat.emit(*(dict(a, token=chat.token) if isinstance(a, dict) and a.get("token") == TOKEN else a for a in args))
        replies = chat.until_turn_end()
        assert replies, args
        if expected:
            assert types(replies) == [expected], args
            assert "call 999" in replies[0]["text"]


def test_a_burst_on_one_connection_is_slowed_down_with_a_reply(socket_chat):
    chat = socket_chat()
    for _ in range(14):  # the burst allowed is 10 (too long, so that Rasa has no work to queue)
        chat.emit({"message": "x" * 2001, "token": chat.token})
    replies = []
    for _ in range(14):
        replies += chat.until_turn_end()
    assert len(replies) == 14, "each message got a reply, and its end-of-turn"
    assert types(replies).count("too_long") == 10
    assert types(replies).count("too_fast") == 4
    assert "wait a moment" in next(r["text"] for r in replies if types([r]) == ["too_fast"])


# -- commands users may type --------------------------------------------------------------------------

def test_typed_commands_are_ordinary_text_and_restart_wipes_nothing(chat):
    chat.send("what is MARAC?")
    for command in ("/restart", "/session_start", '/anything{"x": "y"}', "/ask_marac"):
        reply = chat.send(command)
        assert reply and kinds(reply) and "error" not in kinds(reply), command
    more = chat.send("tell me more")
    assert any("Source:" in t for t in texts(more)), "the conversation was not wiped"
    danger = chat.send("/he is outside with a knife right now")
    assert kinds(danger)[0] == "immediate_danger"


# -- every input answered --------------------------------------------------------------------------

@pytest.mark.parametrize("channel", ["rest", "socket"])
def test_every_fuzz_message_gets_a_reply(servers, socket_chat, channel):
    messages = load_fuzz()
    assert len(messages) >= 60
    log_size = rasa_log(servers).stat().st_size
    chat, socket = Chat(servers.rest_url), None
    for index, message in enumerate(messages):
        if channel == "rest":
            response = requests.post(servers.rest_url, json={"sender": chat.sender, "message": message}, timeout=60)
            assert response.status_code == 200, (index, response.text)
            replies = response.json()
        else:
            if index % 8 == 0:  # a new connection now and then: one connection may send only so fast
                socket = socket_chat(token=socket.token if socket else None)
            replies = socket.send(message)
        assert replies and all(r.get("text") or r.get("custom") for r in replies), (index, message[:80])
        assert "unavailable" not in (kinds(replies) if channel == "rest" else types(replies)), (index, message[:80])
    with open(rasa_log(servers), "rb") as log:
        log.seek(log_size)
        assert TURN_FAILED not in log.read().decode("utf-8", "replace"), "the channel's catch-all fired"


# -- logs -------------------------------------------------------------------------------------------

def test_no_message_text_reaches_the_server_logs(servers, socket_chat):
    logs = [rasa_log(servers), rasa_log(servers).with_name("actions.log")]
    sizes = {path: path.stat().st_size for path in logs}
    sender = f"test-{MARKER}-not-valid-here!"
    chat = Chat(servers.rest_url)
    sent = [
        f"what is MARAC? {MARKER}", f"/{MARKER}", f"/restart {MARKER}", f'/choose_entry{{"entry_id": "{MARKER}"}}',
        f'/{MARKER}{{"entry_id": "x"}}@0.5 rest', f"/x{{{MARKER}", f"{MARKER} " * 500, f"he has a knife {MARKER} now",
    ]
    for text in sent:
        assert chat.send(text)
    for body in (f'{{"message": "{MARKER}"', f'{{"message": "hi", "metadata": ["{MARKER}"]}}',
                 f'{{"message": "hi", "sender": "{sender}"}}', f'["{MARKER}"]', f'{{"message": 5, "{MARKER}": 1}}'):
        assert post(servers, body).status_code == 400
    socket = socket_chat()
    for text in sent:
        assert socket.send(text)
    socket.emit({"message": MARKER})
    socket.emit(MARKER)
    socket.emit({"message": MARKER, "token": socket.token, "metadata": MARKER})
    for _ in range(3):
        socket.until_turn_end()
    for path in logs:
        with open(path, "rb") as log:
            log.seek(sizes[path])
            added = log.read().decode("utf-8", "replace")
        assert MARKER not in added.lower(), f"{path.name}:\n" + "\n".join(
            line for line in added.splitlines() if MARKER in line.lower())[:3000]
