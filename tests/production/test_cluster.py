"""The production topology on one machine (bot.runtime.cluster): two Rasa servers and two action
servers on PostgreSQL and Redis behind nginx. Conversations alternate between the servers, their
events are read back from PostgreSQL, and one Rasa server is killed while they run.

One cluster for the module (about a minute to start); the tests run in file order and the last
ones take servers away.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from bot.config import PROJECT_ROOT
from bot.directory.store import import_directory
from bot.knowledge.store import make_engine, save_knowledge
from bot.runtime.cluster import start_cluster
from tests.conftest import SERVER_LOGS, free_port
from tests.conversation.sockets import SocketChat

CONVERSATIONS = 20
WIDGET_ORIGIN = "http://127.0.0.1:8080"  # allowed by config/web.yml
# Questions with cited answers (knowledge), then a follow-up; every one gets a reply.
QUESTIONS = [
    "what does the DA Act 2021 say about children",
    "what did the panel find about primary school children?",
    "the case was heard at marac last week, what should I be doing for the kids",
    "which document says that?",
]


@pytest.fixture(scope="module")
def cluster(trained_model, tmp_path_factory, knowledge, postgres, redis_server):
    var = tmp_path_factory.mktemp("cluster")
    knowledge_url = f"sqlite:///{var / 'knowledge.db'}"
    engine = make_engine(knowledge_url)
    save_knowledge(engine, knowledge)
    import_directory(engine, PROJECT_ROOT / "directories" / "demoshire.json")
    engine.dispose()
    tracker_db = f"test_tracker_{uuid.uuid4().hex[:10]}"
    running = start_cluster(
        rasa_servers=2, action_servers=2, model=trained_model, port=free_port(), rasa_ports=[free_port(), free_port()],
        action_ports=[free_port(), free_port()], action_proxy_port=free_port(), knowledge_url=knowledge_url,
        tracker_db=tracker_db, var_dir=PROJECT_ROOT / "var", log_dir=var, echo=lambda *args, **kwargs: None,
    )
    SERVER_LOGS.extend(child.log_file for child in running.actions)
    try:
        # The first turn on each action server builds its router (half a minute on a busy machine):
        # two turns at a time, one per Rasa server, which nginx hands to the two action servers.
        with ThreadPoolExecutor(2) as pool:
            for round_ in range(2):
                urls = [running.rasa_url(0), running.rasa_url(1)]
                list(pool.map(send, [running] * 2, urls, [f"warm-up-{round_}-a", f"warm-up-{round_}-b"], ["hello"] * 2,
                              [120] * 2))
        yield running
    finally:
        running.stop()
        postgres.drop_database(tracker_db)
        shutil.rmtree(running.nginx_dir, ignore_errors=True)


def send(cluster, base_url: str, sender: str, text: str, timeout: float = 60) -> list[dict]:
    """One turn over REST (with the production REST token); the replies, or an HTTP error raised."""
    answer = requests.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                           headers={"Authorization": f"Bearer {cluster.rest_token}"}, timeout=timeout)
    answer.raise_for_status()
    return answer.json()


def stored_events(database_url: str, senders: list[str]) -> dict[str, list[tuple[str, str | None, float]]]:
    """Each conversation's (type, action name, timestamp) in the order PostgreSQL stored them."""
    engine = sa.create_engine(database_url, future=True)
    query = sa.text("SELECT sender_id, type_name, action_name, timestamp FROM events "
                    "WHERE sender_id = ANY(:senders) ORDER BY id")
    events: dict[str, list[tuple[str, str | None, float]]] = defaultdict(list)
    with engine.connect() as conn:
        for sender, type_name, action, timestamp in conn.execute(query, {"senders": senders}):
            events[sender].append((type_name, action, timestamp))
    engine.dispose()
    return events


def turns_problems(events: list[tuple[str, str | None, float]], expected_turns: int) -> list[str]:
    """What is wrong with one conversation's stored events: every turn is user, actions, at least
    one bot message, then action_listen, before the next user message; timestamps never go back."""
    problems = []
    timestamps = [timestamp for _, _, timestamp in events]
    if timestamps != sorted(timestamps):
        problems.append("events stored out of time order")
    turns: list[list[tuple[str, str | None]]] = []
    for type_name, action, _ in events:
        if type_name == "user":
            turns.append([])
        elif turns:
            turns[-1].append((type_name, action))
    if len(turns) != expected_turns:
        problems.append(f"{len(turns)} user messages stored, {expected_turns} sent")
    for number, turn in enumerate(turns, start=1):
        listens = [i for i, (type_name, action) in enumerate(turn) if action == "action_listen"]
        bots = [i for i, (type_name, _) in enumerate(turn) if type_name == "bot"]
        if not bots:
            problems.append(f"turn {number}: no bot message")
        if listens != [len(turn) - 1] or (bots and bots[-1] > listens[-1]):
            problems.append(f"turn {number}: does not end with one action_listen after its replies: {turn}")
    return problems


def test_each_rasa_server_and_nginx_report_ready_with_every_dependency(cluster):
    for base_url in (cluster.rasa_url(0), cluster.rasa_url(1), cluster.url):
        answer = requests.get(f"{base_url}/health/ready", timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"ready": True, "checks": {"model": "ok", "tracker_store": "ok", "lock_store": "ok",
                                                           "action_server": "ok"}}


def test_twenty_conversations_alternating_servers_store_every_turn_whole_and_in_order(cluster):
    run = uuid.uuid4().hex[:8]
    senders = [f"prod-{run}-{i:02d}" for i in range(CONVERSATIONS)]
    targets = [cluster.rasa_url(0), cluster.rasa_url(1), cluster.url]  # each server directly, and through nginx
    replies: dict[str, list[int]] = defaultdict(list)

    def converse(index: int) -> None:
        sender = senders[index]
        for step, question in enumerate(QUESTIONS):
            if step == 1:  # two messages at once on two servers: the lock store must take them one at a time
                with ThreadPoolExecutor(2) as pair:
                    answers = list(pair.map(send, [cluster] * 2, targets[:2], [sender] * 2, [question] * 2))
            else:
                answers = [send(cluster, targets[(index + step) % 3], sender, question)]
            replies[sender].extend(len([m for m in answer if m.get("text")]) for answer in answers)

    with ThreadPoolExecutor(CONVERSATIONS) as pool:
        list(pool.map(converse, range(CONVERSATIONS)))

    expected_turns = len(QUESTIONS) + 1
    for sender in senders:
        assert len(replies[sender]) == expected_turns and all(replies[sender]), f"{sender}: a turn got no reply: {replies[sender]}"
    events = stored_events(cluster.database_url, senders)
    problems = {sender: turns_problems(events[sender], expected_turns) for sender in senders}
    assert not any(problems.values()), {sender: found for sender, found in problems.items() if found}


def test_a_widget_conversation_over_socket_io_polling_through_nginx_continues_on_the_other_server(cluster):
    # Polling only, as a browser starts: every request of the session must reach the same server.
    chat = SocketChat(cluster.url, origin=WIDGET_ORIGIN)
    try:
        assert any(m.get("text") for m in chat.send(QUESTIONS[0]))
        assert any(m.get("text") for m in chat.send(QUESTIONS[1]))
        session_id, token = chat.session_id, chat.token
    finally:
        chat.close()
    for index in (0, 1):  # the signed token is accepted by either server: the conversation goes on
        chat = SocketChat(cluster.rasa_url(index), origin=WIDGET_ORIGIN, session=False)
        try:
            assert chat.request_session(session_id, token)["session_id"] == session_id
            assert any(m.get("text") for m in chat.send(QUESTIONS[2 + index]))
        finally:
            chat.close()
    events = stored_events(cluster.database_url, [session_id])[session_id]
    assert turns_problems(events, expected_turns=4) == []


def test_killing_one_rasa_server_leaves_every_conversation_answered_by_the_other_within_10_s(cluster):
    run = uuid.uuid4().hex[:8]
    senders = [f"kill-{run}-{i:02d}" for i in range(CONVERSATIONS)]
    answered: dict[str, list[float]] = defaultdict(list)  # when each conversation got a reply
    stop = threading.Event()

    def converse(sender: str) -> None:  # a practitioner who tries again when a message fails
        step = 0
        while not stop.is_set():
            try:
                if send(cluster, cluster.url, sender, QUESTIONS[step % len(QUESTIONS)], timeout=30):
                    answered[sender].append(time.monotonic())
                    step += 1
            except requests.RequestException:
                pass
            stop.wait(0.3)

    threads = [threading.Thread(target=converse, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 120
        while not all(answered[s] for s in senders) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(answered[s] for s in senders), "not every conversation was answered before the kill"
        killed_at = time.monotonic()
        cluster.rasa[0].process.kill()
        deadline = killed_at + 30
        while time.monotonic() < deadline and not all(any(t > killed_at for t in answered[s]) for s in senders):
            time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert cluster.rasa[0].exit_code is not None
    waits = {sender: min((t for t in answered[sender] if t > killed_at), default=float("inf")) - killed_at
             for sender in senders}
    slow = {sender: round(wait, 1) for sender, wait in waits.items() if wait > 10}
    assert not slow, f"conversations not answered again within 10 s of the kill (seconds): {slow}"
    assert requests.get(f"{cluster.rasa_url(1)}/health/ready", timeout=10).status_code == 200


def test_without_an_action_server_the_rasa_server_reports_not_ready_and_says_why(cluster):
    for child in cluster.actions:
        child.process.kill()
        child.process.wait()
    answer = requests.get(f"{cluster.rasa_url(1)}/health/ready", timeout=15)
    assert answer.status_code == 503
    body = answer.json()
    assert body["ready"] is False
    assert body["checks"]["action_server"].startswith("the action server answered HTTP 502"), body
    assert (body["checks"]["model"], body["checks"]["tracker_store"], body["checks"]["lock_store"]) == ("ok", "ok", "ok")
    assert requests.get(f"{cluster.url}/health/ready", timeout=15).status_code == 503
