"""`bot run --production` as an operator sees it: PostgreSQL, Redis, the servers and nginx come
up, the assistant answers through nginx (with the REST token only), and Ctrl-C stops every
process it started with exit code 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy

from bot.cli.run import KNOWLEDGE_DB
from bot.config import PROJECT_ROOT
from bot.db import head
from bot.runtime.services import local_secrets
from tests.bot.cli.test_run import Output, alive, children_of
from tests.conftest import free_port

BOT = Path(sys.executable).with_name("bot")


def wait_until_ready(process: subprocess.Popen, output: Output, timeout: float = 300) -> None:
    """Until bot run says it is ready; fails at once, with what it printed, if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            output.wait_for("The assistant is ready after", timeout=2)
            return
        except AssertionError:
            if process.poll() is not None:
                raise AssertionError(f"bot run --production exited with code {process.returncode}:\n"
                                     + "\n".join(output.all())) from None
    raise AssertionError("bot run --production was not ready after 300 s:\n" + "\n".join(output.lines))


def stop(process: subprocess.Popen) -> None:
    """After a failure: Ctrl-C, then kill bot run and its servers (they run in sessions of their own)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
        return
    except subprocess.TimeoutExpired:
        servers = children_of(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for pid in servers:  # SIGTERM: nginx's master then stops its workers too
        if alive(pid):
            os.kill(pid, signal.SIGTERM)


@pytest.mark.slow  # 1.5 to 2 minutes; the cluster itself is tested in the default run (test_cluster.py)
def test_bot_run_production_answers_through_nginx_and_ctrl_c_stops_everything(trained_model, tmp_path, postgres):
    tracker_db = f"test_run_{uuid.uuid4().hex[:10]}"
    proxy, action_proxy, rasa, actions = free_port(), free_port(), free_port(), free_port()
    # No DASG_DATABASE_URL: the one-machine production keeps the knowledge store in its PostgreSQL too.
    env = {key: value for key, value in os.environ.items() if key != "DASG_DATABASE_URL"} | {"PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(BOT), "run", "--production", "--rasa-servers", "1", "--action-servers", "1", "--port", str(rasa),
         "--action-port", str(actions), "--proxy-port", str(proxy),
         "--action-proxy-port", str(action_proxy), "--web-port", "0", "--tracker-db", tracker_db],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = Output(process.stdout)
    children: dict[int, str] = {}
    try:
        wait_until_ready(process, output)
        children = children_of(process.pid)
        kinds = sorted("nginx" if "nginx" in c else "actions" if "action_server" in c else "rasa" if " run --model" in c else c
                       for c in children.values())
        assert kinds == ["actions", "nginx", "rasa"]
        token = local_secrets(PROJECT_ROOT / "var")["DASG_REST_TOKEN"]
        url = f"http://127.0.0.1:{proxy}/webhooks/rest/webhook"
        body = {"sender": f"run-{uuid.uuid4().hex[:8]}", "message": "what does the DA Act 2021 say about children"}
        assert requests.post(url, json=body, timeout=30).status_code == 401
        replies = requests.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60).json()
        assert any(reply.get("text") for reply in replies)
        assert requests.get(f"http://127.0.0.1:{rasa}/health/ready", timeout=10).json()["ready"] is True
        knowledge = sqlalchemy.create_engine(postgres.url(KNOWLEDGE_DB))
        with knowledge.connect() as conn:  # loaded, at the newest schema, in PostgreSQL
            assert conn.execute(sqlalchemy.text("select count(*) from entries")).scalar() > 50
            assert conn.execute(sqlalchemy.text("select version_num from alembic_version")).scalar() == head()
        knowledge.dispose()
        said = "\n".join(output.all())
        assert "Knowledge store ready" in said and "with no event in the last 30 days." in said
        assert f"Tracker database postgresql://dasg:***@127.0.0.1:{postgres.port}/{tracker_db}" in said
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0, "\n".join(output.all())
    finally:
        stop(process)
        postgres.drop_database(tracker_db)
    assert "Stopping the servers..." in output.all()
    assert not [pid for pid in children if alive(pid)], "a server outlived bot run --production"
