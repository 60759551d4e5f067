"""The production topology on one machine: PostgreSQL, Redis, N Rasa servers and M action servers
behind nginx, for `bot run --production`, the production tests and the load benchmark.

Every Rasa server reads endpoints.production.yml (the same file a multi-machine deployment uses,
filled in from the environment): conversations in PostgreSQL, the Redis lock store, and the
action servers through nginx's action upstream, so a Rasa server keeps answering while one
action server restarts. nginx's configuration is rendered from deploy/nginx/ into
var/services/nginx/ and nginx runs in the foreground as one more child process.
"""

from __future__ import annotations

import os
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT, load_settings
from bot.runtime.servers import HOST, ServerProcess, _server_env, action_server_process, rasa_server_process
from bot.runtime.services import LocalPostgres, LocalRedis, ServiceError, find_binary, local_secrets, services_dir
from bot.runtime.supervisor import Supervisor

SITE_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx" / "dasg-site.conf.template"
PRODUCTION_ENDPOINTS = "endpoints.production.yml"
READY_PATH = "/health/ready"
TRACKER_DB = "dasg_tracker"


@dataclass
class Cluster:
    """The running topology: nginx in front, its Rasa servers and action servers, and where data lives."""

    url: str  # nginx's base URL: /webhooks/rest/webhook, /socket.io/, /health/ready
    rasa: list[ServerProcess]
    actions: list[ServerProcess]
    nginx: ServerProcess
    database_url: str  # the tracker store (conversations' events) in PostgreSQL
    knowledge_url: str  # the knowledge store the action servers read
    redis_url: str
    env: dict[str, str] = field(repr=False)  # the servers' environment, secrets included
    supervisor: Supervisor | None = None
    ready_after: float = 0.0

    @property
    def rest_url(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    @property
    def rest_token(self) -> str:
        return self.env["DASG_REST_TOKEN"]

    def rasa_url(self, index: int) -> str:
        """One Rasa server's own base URL (bypassing nginx)."""
        return self.rasa[index].ready_url.removesuffix(READY_PATH)

    @property
    def nginx_dir(self) -> Path:
        """nginx's prefix: its configuration, logs and temporary files."""
        return self.nginx.log_file.parent.parent

    @property
    def children(self) -> list[ServerProcess]:
        """Every process in start order: action servers, nginx, Rasa servers."""
        return [*self.actions, self.nginx, *self.rasa]

    def stop(self) -> None:
        """Stop every process; PostgreSQL and Redis keep running for the next start.

        nginx goes first: its idle keep-alive connections would hold each Rasa server in Sanic's
        graceful shutdown for 15 s.
        """
        if self.supervisor is not None:
            self.supervisor.stop()
        self.nginx.interrupt()
        self.nginx.wait_or_kill(10)
        for child in [*self.rasa, *self.actions]:
            child.interrupt()
        deadline = time.monotonic() + 20
        for child in [*self.rasa, *self.actions]:
            child.wait_or_kill(deadline - time.monotonic())


def render_site(rasa: list[str], actions: list[str], listen: str, action_listen: str, tls: str = "",
                template: Path = SITE_TEMPLATE) -> str:
    """The nginx site (upstreams and servers) for these ``host:port`` addresses."""
    def servers(addresses: list[str]) -> str:
        return "\n".join(f"    server {address} max_fails=1 fail_timeout=10s;" for address in addresses)

    return string.Template(template.read_text(encoding="utf-8")).substitute(
        rasa_servers=servers(rasa), action_servers=servers(actions), listen=listen, action_listen=action_listen, tls=tls)


# deploy/nginx/dasg.conf: the site for two machines (docs/deployment.md), rendered from the same template.
TWO_MACHINES = {
    "rasa": ["10.0.0.11:5005", "10.0.0.12:5005"],
    "actions": ["10.0.0.11:5055", "10.0.0.12:5055"],
    "listen": "443 ssl http2",
    "action_listen": "10.0.0.11:5050",
    "tls": "    ssl_certificate /etc/ssl/certs/dasg.pem;\n    ssl_certificate_key /etc/ssl/private/dasg.key;\n"
           "    ssl_protocols TLSv1.2 TLSv1.3;\n",
}
DEPLOY_SITE = PROJECT_ROOT / "deploy" / "nginx" / "dasg.conf"


def two_machine_site() -> str:
    """deploy/nginx/dasg.conf as it should read (a test keeps the file and the template in step)."""
    return ("# Generated from dasg-site.conf.template by bot.runtime.cluster.two_machine_site(); see docs/deployment.md.\n"
            "# Install as /etc/nginx/sites-available/dasg.conf on the machine that faces the users (app1).\n"
            + render_site(**TWO_MACHINES))


def write_nginx_config(prefix: Path, site: str) -> Path:
    """nginx.conf for ``nginx -p prefix -c nginx.conf``: foreground, pid, logs and temp files under prefix."""
    for folder in ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    user = ""
    if os.geteuid() == 0:  # workers must not run as root; Debian's nginx user owns only the temp files
        import pwd

        worker = pwd.getpwnam("www-data")
        for path in [prefix / "tmp", *(prefix / "tmp").rglob("*")]:
            os.chown(path, worker.pw_uid, worker.pw_gid)
        user = "user www-data;\n"
    (prefix / "dasg-site.conf").write_text(site, encoding="utf-8")
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"# Generated by bot.runtime.cluster from {SITE_TEMPLATE.relative_to(PROJECT_ROOT)}; edits are overwritten.\n"
        f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'logs/error.log'} warn;\n"
        "events {\n    worker_connections 1024;\n}\n"
        "http {\n"
        f"    access_log {prefix / 'logs/access.log'};\n"
        f"    client_body_temp_path {prefix / 'tmp/body'};\n    proxy_temp_path {prefix / 'tmp/proxy'};\n"
        f"    fastcgi_temp_path {prefix / 'tmp/fastcgi'};\n    uwsgi_temp_path {prefix / 'tmp/uwsgi'};\n"
        f"    scgi_temp_path {prefix / 'tmp/scgi'};\n"
        f"    include {prefix / 'dasg-site.conf'};\n"
        "}\n",
        encoding="utf-8",
    )
    return conf


def nginx_process(prefix: Path, conf: Path, port: int, root: Path, env: dict[str, str]) -> ServerProcess:
    """nginx in the foreground (``daemon off``), so the supervisor sees it stop; SIGINT is its fast shutdown."""
    return ServerProcess(
        name="nginx", command=[find_binary("nginx"), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs/error.log")],
        ready_url=f"http://{HOST}:{port}/nginx-alive", root=root, env=env, log_file=prefix / "logs" / "nginx.log",
        detach=True)


def production_env(var_dir: Path, postgres: LocalPostgres, redis: LocalRedis, tracker_db: str, action_proxy_port: int,
                   knowledge_url: str, web_config: Path) -> dict[str, str]:
    """The variables endpoints.production.yml and the servers read (deploy/dasg.env.example's names)."""
    secrets = local_secrets(var_dir)
    return {
        "DASG_PRODUCTION": "on",
        "DASG_ACTION_TOKEN": secrets["DASG_ACTION_TOKEN"],
        "DASG_SESSION_KEY": secrets["DASG_SESSION_KEY"],
        "DASG_REST_TOKEN": secrets["DASG_REST_TOKEN"],
        "DASG_WEB_CONFIG": str(web_config),
        "DASG_VAR_DIR": str(var_dir),
        "DASG_DATABASE_URL": knowledge_url,
        "ACTION_SERVER_URL": f"http://{HOST}:{action_proxy_port}/webhook",
        "DB_HOST": postgres.host, "DB_PORT": str(postgres.port), "DB_NAME": tracker_db,
        "DB_USER": postgres.user, "DB_PASSWORD": postgres.password,
        "REDIS_HOST": redis.host, "REDIS_PORT": str(redis.port), "REDIS_PASSWORD": redis.password or "",
        "RASA_TELEMETRY_ENABLED": "false",
    }


def write_web_config(var_dir: Path, source: Path | None = None) -> Path:
    """config/web.yml with ``rest: token``: production allows no local-only REST (behind nginx every request looks local)."""
    source = source or PROJECT_ROOT / "config" / "web.yml"
    data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    data["rest"] = "token"
    path = services_dir(var_dir) / "web.yml"
    path.write_text(f"# Generated from {source} by bot.runtime.cluster (rest: token); edit that file instead.\n"
                    + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def start_cluster(
    rasa_servers: int = 2,
    action_servers: int = 2,
    model: Path | None = None,
    port: int = 8000,
    rasa_ports: list[int] | None = None,
    action_ports: list[int] | None = None,
    action_proxy_port: int = 5050,
    var_dir: Path | None = None,
    knowledge_url: str | None = None,
    tracker_db: str = TRACKER_DB,
    root: Path = PROJECT_ROOT,
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    timeout: float = 300,
    supervise: bool = False,
    echo: Callable[..., None] = print,
    on_give_up: Callable[[], None] | None = None,
) -> Cluster:
    """Start PostgreSQL and Redis if needed, then the action servers, nginx and the Rasa servers; wait
    until every Rasa server is ready (GET /health/ready) and return the cluster (call ``stop()`` after).

    Rasa servers listen on ``rasa_ports`` (default 5005, 5006, ...), action servers on ``action_ports``
    (5055, 5056, ...), nginx on ``port`` (public) and ``action_proxy_port`` (for the Rasa servers), all
    on 127.0.0.1. ``supervise`` restarts a process that stops (as `bot run` does). Logs go to
    ``log_dir`` (default <var_dir>/logs) as rasa-<port>.log and actions-<port>.log; nginx's to
    <var_dir>/services/nginx-<port>/logs.
    """
    from bot.runtime.training import ensure_model

    if rasa_servers < 1 or action_servers < 1:
        raise ValueError("a cluster needs at least one Rasa server and one action server")
    rasa_ports = rasa_ports or [5005 + i for i in range(rasa_servers)]
    action_ports = action_ports or [5055 + i for i in range(action_servers)]
    if len(rasa_ports) != rasa_servers or len(action_ports) != action_servers:
        raise ValueError("give one port per server")
    settings = load_settings(env or os.environ)
    var_dir = Path(var_dir or settings.var_dir).resolve()
    started = time.monotonic()
    postgres, redis = LocalPostgres(var_dir), LocalRedis(var_dir)
    echo("Starting PostgreSQL and Redis (if they are not running)...")
    postgres.start()
    redis.start()
    database_url = postgres.create_database(tracker_db)
    create_tracker_tables(database_url)
    knowledge_url = knowledge_url or settings.database_url
    model = model or ensure_model(echo=echo)[0]
    server_env = _server_env({**(env or {}), **production_env(var_dir, postgres, redis, tracker_db, action_proxy_port,
                                                              knowledge_url, write_web_config(var_dir))})
    logs = Path(log_dir or var_dir / "logs")
    prefix = services_dir(var_dir) / f"nginx-{port}"  # one per cluster: a test cluster may run beside `bot run`
    site = render_site([f"{HOST}:{p}" for p in rasa_ports], [f"{HOST}:{p}" for p in action_ports],
                       listen=f"{HOST}:{port}", action_listen=f"{HOST}:{action_proxy_port}")
    cluster = Cluster(
        url=f"http://{HOST}:{port}",
        actions=[_named(action_server_process(p, root, server_env, logs / f"actions-{p}.log", detach=True), f"action server {p}")
                 for p in action_ports],
        nginx=nginx_process(prefix, write_nginx_config(prefix, site), port, root, server_env),
        rasa=[_named(rasa_server_process(model, p, root / PRODUCTION_ENDPOINTS, root, server_env, logs / f"rasa-{p}.log",
                                         detach=True, ready_path=READY_PATH), f"Rasa server {p}") for p in rasa_ports],
        database_url=database_url, knowledge_url=knowledge_url, redis_url=redis.url, env=server_env,
    )
    ok = False
    try:
        echo(f"Starting {action_servers} action server(s) and nginx...")
        _start_all([*cluster.actions, cluster.nginx], timeout)
        echo(f"Starting {rasa_servers} Rasa server(s) (each loads the model: a minute or so)...")
        _start_all(cluster.rasa, timeout)
        ok = True
    finally:
        if not ok:
            cluster.stop()
    cluster.ready_after = time.monotonic() - started
    if supervise:
        cluster.supervisor = Supervisor(cluster.children, echo=echo, ready_timeout=timeout, on_give_up=on_give_up)
        cluster.supervisor.start()
    return cluster


def create_tracker_tables(url: str) -> None:
    """Rasa's ``events`` table, made once here: Rasa servers starting together would race to create it."""
    import warnings

    import sqlalchemy as sa

    with warnings.catch_warnings():  # Rasa's declarative_base() warns about SQLAlchemy 2.0 on import
        warnings.simplefilter("ignore")
        from rasa.core.tracker_store import SQLTrackerStore

    engine = sa.create_engine(url)
    try:
        SQLTrackerStore.Base.metadata.create_all(engine)
    finally:
        engine.dispose()


def _named(process: ServerProcess, name: str) -> ServerProcess:
    process.name = name
    return process


def _start_all(children: list[ServerProcess], timeout: float) -> None:
    """Start the processes at once and wait for all; the first failure is raised (the caller stops the rest)."""
    errors: list[BaseException] = []

    def start(child: ServerProcess) -> None:
        try:
            child.start(timeout)
        except (RuntimeError, OSError) as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(child,), name=f"start {child.name}") for child in children]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


__all__ = ["Cluster", "ServiceError", "render_site", "start_cluster"]
