"""nginx in front of several servers as bot.runtime.cluster configures it (REST round robin,
socket.io sticky, a server that is down skipped), the two-machine site in deploy/nginx, and the
systemd template units. The whole cluster with Rasa runs in tests/production."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bot.config import PROJECT_ROOT
from bot.runtime.cluster import DEPLOY_SITE, nginx_process, render_site, two_machine_site, write_nginx_config
from bot.runtime.services import find_binary
from tests.bot.runtime.test_deploy import unit
from tests.conftest import free_port

DEPLOY = PROJECT_ROOT / "deploy"
TEMPLATE_UNITS = ("dasg-rasa@.service", "dasg-actions@.service")


class Backend(ThreadingHTTPServer):
    """A stand-in server that answers every request with its own name."""

    def __init__(self, name: str):
        self.name = name

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


@dataclass
class Proxy:
    url: str  # nginx's public address
    action_url: str  # nginx's address for the Rasa servers' action calls
    rasa: list[Backend]
    actions: list[Backend]


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    """nginx (as the cluster runs it) in front of two stand-in Rasa servers and two action servers."""
    rasa, actions = [Backend("rasa-a"), Backend("rasa-b")], [Backend("actions-a"), Backend("actions-b")]
    port, action_port = free_port(), free_port()
    site = render_site([b.address for b in rasa], [b.address for b in actions], f"127.0.0.1:{port}", f"127.0.0.1:{action_port}")
    prefix = PROJECT_ROOT / "var" / "services" / f"nginx-test-{port}"  # as root, nginx's workers must reach it
    nginx = nginx_process(prefix, write_nginx_config(prefix, site), port, PROJECT_ROOT, {})
    nginx.start(timeout=20)
    try:
        yield Proxy(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{action_port}", rasa, actions)
    finally:
        nginx.interrupt()
        nginx.wait_or_kill(10)
        for backend in [*rasa, *actions]:
            backend.shutdown()
            backend.server_close()
        shutil.rmtree(prefix, ignore_errors=True)


def names(url: str, count: int, method: str = "post") -> Counter:
    return Counter(getattr(requests, method)(url, json={}, timeout=10).text for _ in range(count))


def test_rest_turns_go_round_robin_to_every_rasa_server(proxy):
    assert names(f"{proxy.url}/webhooks/rest/webhook", 10) == Counter({"rasa-a": 5, "rasa-b": 5})


def test_one_socket_io_client_always_reaches_the_same_rasa_server(proxy):
    served = names(f"{proxy.url}/socket.io/?EIO=4&transport=polling", 10, method="get")
    assert len(served) == 1 and sum(served.values()) == 10


def test_action_calls_are_shared_by_the_action_servers(proxy):
    assert names(f"{proxy.action_url}/webhook", 10) == Counter({"actions-a": 5, "actions-b": 5})


def test_a_rasa_server_that_is_down_is_skipped_without_a_failed_request(proxy):
    proxy.rasa[0].shutdown()
    proxy.rasa[0].server_close()
    assert names(f"{proxy.url}/webhooks/rest/webhook", 6) == Counter({"rasa-b": 6})
    assert names(f"{proxy.url}/socket.io/?EIO=4&transport=polling", 4, method="get") == Counter({"rasa-b": 4})


def test_anything_else_is_not_found(proxy):
    assert requests.get(f"{proxy.url}/conversations/x/tracker", timeout=10).status_code == 404


def test_the_two_machine_site_is_the_template_filled_in_and_nginx_accepts_it(tmp_path):
    assert DEPLOY_SITE.read_text(encoding="utf-8") == two_machine_site(), \
        "deploy/nginx/dasg.conf is out of step with the template: regenerate it with two_machine_site()"
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed for a test certificate")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(tmp_path / "dasg.key"), "-out", str(tmp_path / "dasg.pem")], check=True, capture_output=True)
    site = two_machine_site().replace("/etc/ssl/certs/dasg.pem", str(tmp_path / "dasg.pem"))
    site = site.replace("/etc/ssl/private/dasg.key", str(tmp_path / "dasg.key"))
    # nginx -t binds its addresses: this machine's own instead of 10.0.0.11 and port 443
    site = site.replace("listen 10.0.0.11:5050;", f"listen 127.0.0.1:{free_port()};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{free_port()} ssl http2;")
    conf = write_nginx_config(tmp_path / "nginx", site)
    result = subprocess.run([find_binary("nginx"), "-t", "-p", str(tmp_path / "nginx"), "-c", str(conf),
                             "-e", str(tmp_path / "nginx" / "error.log")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", TEMPLATE_UNITS)
def test_each_template_unit_listens_on_its_instance_port_hardened_and_without_secrets(name):
    settings = unit(name)
    command = shlex.split(settings["ExecStart"][0])
    assert command[command.index("--port") + 1] == "%i"
    for key, value in {"Restart": "on-failure", "User": "dasg", "EnvironmentFile": "/etc/dasg/dasg.env",
                       "NoNewPrivileges": "yes", "ProtectSystem": "strict", "KillSignal": "SIGINT"}.items():
        assert settings.get(key) == [value], f"{name}: {key}={settings.get(key)}"
    text = (DEPLOY / name).read_text(encoding="utf-8")
    assert not re.search(r"(TOKEN|PASSWORD|SESSION_KEY)\w*=\S", text)


def test_the_rasa_template_unit_uses_the_production_endpoints_and_names_its_interface_in_the_example():
    command = shlex.split(unit("dasg-rasa@.service")["ExecStart"][0])
    options = dict(zip(command[2::2], command[3::2], strict=True))
    assert options["--endpoints"] == "endpoints.production.yml"
    assert options["--interface"] == "${DASG_RASA_INTERFACE}"
    assert "DASG_RASA_INTERFACE=" in (DEPLOY / "dasg.env.example").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_template_units(tmp_path):
    for name in TEMPLATE_UNITS:  # the programs must exist: point the copies at this checkout
        (tmp_path / name).write_text((DEPLOY / name).read_text(encoding="utf-8").replace("/opt/dasg", str(PROJECT_ROOT)))
    instances = [str(tmp_path / "dasg-rasa@5005.service"), str(tmp_path / "dasg-actions@5055.service")]
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *instances], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
