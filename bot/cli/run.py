"""``bot ask``, ``bot model``, ``bot run`` and ``bot chat``: train, start and talk to the assistant."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click

from bot.cli.content import knowledge_or_exit
from bot.config import load_settings

KNOWLEDGE_DB = "dasg_knowledge"  # bot run --production: the knowledge store's database in the local PostgreSQL


@click.command("ask")
@click.argument("question")
def ask(question: str) -> None:
    """Answer QUESTION through the router over the loaded store, without Rasa NLU (no intent).

    Example: bot ask "what is MARAC?"
    """
    from bot.dialogue.build import get_router
    from bot.dialogue.state import ConversationState, TailoringState
    from bot.dialogue.types import Turn

    # A conversation already under way: no opening notice, no offer to tailor answers.
    state = ConversationState(notice_given=True, tailoring=TailoringState(offered=True))
    reply = get_router().respond(Turn(text=question, state=state))
    for message in reply.messages:
        click.echo(message.text)
        for button in message.buttons:
            click.echo(f"  [{button.title}]")


@click.group()
def model() -> None:
    """Train the Rasa model when its inputs change."""


@model.command("fingerprint")
def model_fingerprint_command() -> None:
    """Print the hash of everything the model depends on.

    Example: bot model fingerprint
    """
    from bot.runtime.training import model_fingerprint

    click.echo(model_fingerprint())


@model.command("ensure")
def model_ensure() -> None:
    """Train the model only if no model exists for the current inputs; print its path.

    Example: bot model ensure
    """
    from bot.runtime.training import ensure_model

    try:
        path, _ = ensure_model(echo=lambda m: click.echo(m, err=True))
    except RuntimeError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(str(path))


@click.command("run")
@click.option("--port", default=5005, show_default=True, help="Rasa server port (loopback only).")
@click.option("--action-port", default=5055, show_default=True, help="Action server port (loopback only).")
@click.option("--web-port", default=8080, show_default=True, help="Port of the web chat page (loopback only).")
@click.option("--chat/--no-chat", default=False, help="Also open a terminal chat here.")
@click.option("--production", is_flag=True, help="The production topology on this machine: PostgreSQL, Redis, "
              "several Rasa and action servers behind nginx (docs/deployment.md).")
@click.option("--rasa-servers", default=2, show_default=True, type=click.IntRange(1, 8),
              help="With --production: Rasa servers, on --port and the ports after it.")
@click.option("--action-servers", default=2, show_default=True, type=click.IntRange(1, 8),
              help="With --production: action servers, on --action-port and the ports after it.")
@click.option("--proxy-port", default=8000, show_default=True, help="With --production: nginx's port (loopback only).")
@click.option("--action-proxy-port", default=5050, show_default=True,
              help="With --production: nginx's port for the action servers (loopback only).")
@click.option("--tracker-db", default="dasg_tracker", show_default=True,
              help="With --production: the local PostgreSQL database that keeps the conversations.")
def run(port: int, action_port: int, web_port: int, chat: bool, production: bool, rasa_servers: int, action_servers: int,
        proxy_port: int, action_proxy_port: int, tracker_db: str) -> None:
    """Load the knowledge, train if needed, start the action and Rasa servers and the web chat page.

    A server that stops is restarted (after 2 s, then 4, 8, 16); after five quick failures in a row
    everything stops with exit code 1.

    With --production: PostgreSQL and Redis (started if they are not running, data in var/services),
    the Rasa servers on them and the action servers, all behind nginx on --proxy-port; each Rasa
    server counts as started when GET /health/ready answers 200. Secrets are generated into
    var/services/secrets.env once.

    Prints the page's address; the terminal chat is `bot chat` (or `bot run --chat`).

    Example: bot run --web-port 8080

    Example: bot run --production --rasa-servers 2 --action-servers 2
    """
    import os
    import signal
    import subprocess
    import threading
    from dataclasses import replace

    from bot.directory.refresher import FeedRefresher
    from bot.directory.store import demo_warning, ensure_default_directory, list_areas
    from bot.knowledge.store import make_engine, save_knowledge
    from bot.runtime.cluster import start_cluster
    from bot.runtime.servers import HOST, start_servers
    from bot.runtime.supervisor import Supervisor
    from bot.runtime.training import ensure_model
    from bot.scenarios.live import scenario_problems
    from bot.web.page import ensure_widget_built, start_page_server
    from bot.web.settings import WebConfigError, load_web_settings

    settings = load_settings()
    try:  # the channels' settings (origins, limits, keys) are checked before anything starts
        load_web_settings()
    except WebConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if production and "DASG_DATABASE_URL" not in os.environ:
        settings = replace(settings, database_url=_local_knowledge_database(settings.var_dir))
    _upgrade_schema_or_exit(settings.database_url)
    engine = make_engine(settings.database_url)
    report = save_knowledge(engine, knowledge_or_exit(settings.knowledge_dir))
    click.echo(f"Knowledge store ready: {report.entries} entries.")
    if ensure_default_directory(engine, settings) is not None:
        click.echo("No local service directory was loaded: loaded the fictional Demoshire demonstration directory.")
    areas = list_areas(engine)
    click.echo(f"Local services: {sum(n for _, n in areas)} in {len(areas)} areas ({', '.join(a for a, _ in areas)}).")
    warning = demo_warning(engine)
    if warning:
        click.echo(warning)
    for problem in scenario_problems(settings.scenarios_dir, settings.knowledge_dir):
        click.echo(f"Scenario file not loaded (the others are): {problem}", err=True)
    refresher = FeedRefresher(engine, _feeds(Path(settings.directories_dir) / FEEDS_FILE), echo=click.echo)
    page = servers = None
    try:
        ensure_widget_built(echo=click.echo)
        page = start_page_server(f"http://{HOST}:{proxy_port if production else port}", port=web_port)
        model_file, _ = ensure_model(echo=click.echo)
        if production:  # every process in its own session, as below
            servers = start_cluster(rasa_servers, action_servers, model=model_file, port=proxy_port,
                                    rasa_ports=[port + i for i in range(rasa_servers)],
                                    action_ports=[action_port + i for i in range(action_servers)],
                                    action_proxy_port=action_proxy_port,
                                    var_dir=settings.var_dir, knowledge_url=settings.database_url,
                                    tracker_db=tracker_db, echo=click.echo)
        else:
            click.echo("Starting the action server and the Rasa server (this takes about half a minute)...")
            # Their own sessions: Ctrl-C reaches only this process, which stops them in order.
            servers = start_servers(model_file, rasa_port=port, action_port=action_port,
                                    log_dir=settings.var_dir / "logs", detach=True)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        if page:
            page.stop()
        click.echo(f"Error: {exc}. Logs are in {settings.var_dir / 'logs'}.", err=True)
        sys.exit(1)

    def stop_on_terminate(signum, frame):  # `kill`, a closed terminal and service managers stop everything too
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_terminate)
    signal.signal(signal.SIGHUP, stop_on_terminate)
    # Ctrl-C stops everything even when bot run was started with SIGINT ignored (a background job
    # of a non-interactive shell inherits that, and Python then leaves it ignored).
    signal.signal(signal.SIGINT, stop_on_terminate)
    # In the terminal chat the main thread waits for input: giving up interrupts it like Ctrl-C.
    interrupt = (lambda: os.kill(os.getpid(), signal.SIGINT)) if chat else None
    supervisor = Supervisor(servers.children, echo=click.echo, on_give_up=interrupt)
    supervisor.start()
    refresher.start()
    retention_stop = threading.Event()
    _start_retention(servers, production, settings.retention_days, retention_stop)
    click.echo(f"The assistant is ready after {servers.ready_after:.0f} s. Press Ctrl-C to stop.")
    click.echo(f"\n  Open {page.url}\n")
    rest_token = getattr(servers, "rest_token", None)  # production's REST channel needs the token
    chat_url = "" if port == 5005 and not production else f" --url {servers.rest_url}"
    token_note = f" with DASG_REST_TOKEN from {settings.var_dir / 'services' / 'secrets.env'}" if rest_token else ""
    click.echo(f"(A terminal chat instead: .venv/bin/bot chat{chat_url} in another shell{token_note}.)")
    try:
        if chat:
            _chat_loop(servers.rest_url, rest_token)
        else:
            while not supervisor.finished.wait(1):
                pass
    except (KeyboardInterrupt, EOFError):
        click.echo("")
    finally:
        click.echo("Stopping the servers...")
        retention_stop.set()
        refresher.stop()
        supervisor.stop()
        page.stop()
        servers.stop()
    if supervisor.gave_up:
        sys.exit(1)


def _local_knowledge_database(var_dir: Path) -> str:
    """``bot run --production`` on one machine: the knowledge store in the local PostgreSQL too."""
    from bot.runtime.services import LocalPostgres, ServiceError

    postgres = LocalPostgres(var_dir)
    try:
        postgres.start()
        return postgres.create_database(KNOWLEDGE_DB)
    except ServiceError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


def _upgrade_schema_or_exit(database_url: str) -> None:
    """Bring the project's tables up to date (``bot db upgrade``) before anything reads them."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import SchemaNotCurrent, upgrade

    try:
        schema = upgrade(database_url)
    except (SQLAlchemyError, SchemaNotCurrent) as exc:
        click.echo(f"Error: could not upgrade the database: {exc}", err=True)
        sys.exit(1)
    if schema.changed:
        click.echo(f"Database schema upgraded to revision {schema.after}.")


def _start_retention(servers, production: bool, days: int, stop) -> None:
    """Delete conversations idle for ``days`` now and then daily, from the tracker database the
    Rasa servers use (the cluster's PostgreSQL, or the endpoints file of the development server)."""
    from sqlalchemy.engine import make_url

    from bot.db.tracker import ensure_sender_index
    from bot.privacy.retention import start_daily_purge, start_for_run

    if production:
        click.echo(ensure_sender_index(servers.database_url))
        start_daily_purge(make_url(servers.database_url), days, stop, click.echo)
        return
    rasa = [child for child in servers.children if "--endpoints" in getattr(child, "command", [])]
    if not rasa:
        click.echo("Retention: no Rasa server was started here, so no conversations are deleted.")
        return
    command = rasa[-1].command  # the endpoints file the Rasa server was started with (a copy with the token)
    start_for_run(Path(command[command.index("--endpoints") + 1]), days, stop, click.echo)


@click.command("chat")
@click.option("--url", default="http://127.0.0.1:5005/webhooks/rest/webhook", show_default=True,
              help="The Rasa REST webhook.")
@click.option("--token", envvar="DASG_REST_TOKEN", default=None, show_default=False,
              help="The REST channel's bearer token, when it needs one (default: $DASG_REST_TOKEN).")
def chat(url: str, token: str | None) -> None:
    """Talk to a running assistant in the terminal. Type 'quit' to leave.

    Example: bot chat --url http://127.0.0.1:5005/webhooks/rest/webhook
    """
    try:
        _chat_loop(url, token or None)
    except (KeyboardInterrupt, EOFError):
        click.echo("")


def _chat_loop(url: str, token: str | None = None) -> None:
    import requests

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    sender = f"terminal-{uuid.uuid4().hex[:12]}"
    click.echo("Type your question (or 'quit'). Buttons are numbered: type the number to choose one.")
    buttons: list[dict] = []
    while True:
        text = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        if text.strip().lower() in {"quit", "exit"}:
            return
        if text.strip().isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            replies = requests.post(url, json={"sender": sender, "message": text}, headers=headers, timeout=60).json()
        except requests.RequestException as exc:
            click.echo(f"Could not reach the assistant at {url}: {exc}", err=True)
            continue
        buttons = []
        for reply in replies:
            if reply.get("text"):
                click.echo(click.wrap_text(reply["text"], 90, preserve_paragraphs=True) + "\n")
            for button in reply.get("buttons") or []:
                buttons.append(button)
                click.echo(f"  {len(buttons)}. {button['title']}")


FEEDS_FILE = "feeds.yml"  # in the directories folder: ORUK feeds `bot run` keeps fresh (directories/feeds.example.yml)


def _feeds(path: Path) -> list:
    """The configured feeds, or none (said on the console) when the file is missing or broken."""
    from bot.directory.feeds import load_feeds
    from bot.directory.schema import DirectoryError

    if not path.exists():
        return []
    try:
        feeds = load_feeds(path)
    except DirectoryError as exc:
        click.echo(f"Directory feeds not refreshed: {exc}", err=True)
        return []
    click.echo(f"Directory feeds: {len(feeds)} in {path.name}, refreshed when due (checked hourly).")
    return feeds
