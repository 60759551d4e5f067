"""Build the web widget (web/dist) and serve its page on loopback, pointed at the Rasa server.

``bot run`` and the browser tests use ``ensure_widget_built`` and ``start_page_server``.
The page is static apart from the Rasa server's address and the message limit of config/web.yml
(``limits.max_message_chars``, shown by the widget's character count), filled in when it is served.
Every response, errors included, carries the security headers; a connection idle for
``IDLE_TIMEOUT`` seconds is closed; any path but a plain file name in web/dist is a 404.
"""

from __future__ import annotations

import html
import mimetypes
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bot.config import PROJECT_ROOT
from bot.web.settings import DEFAULT_FILE as WEB_CONFIG_FILE
from bot.web.settings import Limits

HOST = "127.0.0.1"
WEB_DIR = PROJECT_ROOT / "web"
DIST_DIR = WEB_DIR / "dist"
WIDGET_FILE = "dasg-widget.js"
SERVER_PLACEHOLDER = "__DASG_SERVER__"
LIMIT_PLACEHOLDER = "__DASG_MAX_CHARS__"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
IDLE_TIMEOUT = 10.0  # seconds a connection may send nothing before it is closed
_REASONS = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 408: "Request timeout",
            414: "Address too long", 431: "Headers too large", 501: "Not implemented"}
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}


def _sources(web_dir: Path) -> list[Path]:
    """What the widget bundle is built from: its code, and the lists the personal-details warning
    reads from the knowledge files and the directories (so a new service name rebuilds it)."""
    root = web_dir.parent
    return [web_dir / "build.mjs", web_dir / "package-lock.json",
            *sorted((web_dir / "src").glob("*")), *sorted((web_dir / "public").glob("*")),
            root / "bot" / "privacy" / "detectors.json", *sorted((root / "knowledge").rglob("*.yml")),
            *sorted((root / "directories").glob("*.json"))]


def widget_is_current(web_dir: Path = WEB_DIR) -> bool:
    """Whether web/dist holds a build newer than every source file."""
    built = web_dir / "dist" / WIDGET_FILE
    if not built.exists():
        return False
    newest = max((p.stat().st_mtime for p in _sources(web_dir) if p.exists()), default=0)
    return built.stat().st_mtime >= newest


def ensure_widget_built(web_dir: Path = WEB_DIR, echo=print) -> Path:
    """Build the widget with node when its sources changed; return the dist folder."""
    if widget_is_current(web_dir):
        return web_dir / "dist"
    node = shutil.which("node")
    if not node:
        raise RuntimeError("Node.js (18 or later) is needed to build the web widget: install it, then run `make setup`")
    if not (web_dir / "node_modules" / "socket.io-client").is_dir():
        npm = shutil.which("npm") or "npm"
        echo("Installing the web widget's packages (npm ci)...")
        subprocess.run([npm, "ci", "--include=dev", "--no-audit", "--no-fund", "--loglevel=error"], cwd=web_dir, check=True)
    result = subprocess.run([node, str(web_dir / "build.mjs")], cwd=web_dir, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"building the web widget failed:\n{result.stderr.strip()}")
    echo(result.stdout.strip())
    return web_dir / "dist"


def content_security_policy(rasa_url: str) -> str:
    """Scripts and styles from the page's origin only; connections to it and to the Rasa server."""
    parts = urlsplit(rasa_url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    rasa_origin = f"{parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {rasa_origin} {socket_scheme}://{parts.netloc}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'"
    )


def render_page(template: str, rasa_url: str, max_chars: int = Limits.max_message_chars) -> str:
    """The page with the Rasa server's address (data-server) and the message limit (data-max-length)."""
    return (template.replace(SERVER_PLACEHOLDER, html.escape(rasa_url, quote=True))
            .replace(LIMIT_PLACEHOLDER, str(int(max_chars))))


def message_limit(path: Path | None = None) -> int:
    """``limits.max_message_chars`` of the channels' settings (``DASG_WEB_CONFIG`` or config/web.yml);
    the default when the file does not set a usable one (the Rasa server reports a bad value itself)."""
    path = Path(path or os.environ.get("DASG_WEB_CONFIG") or WEB_CONFIG_FILE)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        value = (data.get("limits") or {}).get("max_message_chars", Limits.max_message_chars)
    except (OSError, yaml.YAMLError, AttributeError):
        return Limits.max_message_chars
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else Limits.max_message_chars


@dataclass
class PageServer:
    """The page server running in a background thread."""

    httpd: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _handler(dist: Path, rasa_url: str, idle_timeout: float, max_chars: int) -> type[BaseHTTPRequestHandler]:
    policy = content_security_policy(rasa_url)

    class PageHandler(BaseHTTPRequestHandler):
        server_version = "dasg-web"
        sys_version = ""
        timeout = idle_timeout  # socket timeout: an idle or slow connection is dropped

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._respond(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            name = urlsplit(self.path).path.lstrip("/") or "index.html"
            # The name is checked before the file system sees it: long, encoded or nested paths are 404s.
            if not _SAFE_NAME.match(name) or not (dist / name).is_file():
                self.send_error(404)
                return
            path = dist / name
            body = path.read_bytes()
            if path.suffix == ".html":
                body = render_page(body.decode("utf-8"), rasa_url, max_chars).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", _TYPES.get(path.suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def end_headers(self) -> None:
            """Every response, the errors http.server sends itself included, gets the security headers."""
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Content-Security-Policy", policy)
            super().end_headers()

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """A short plain-text error (never the request's path or a traceback)."""
            reason = _REASONS.get(code, "Error")
            body = f"{code} {reason}\n".encode("ascii")
            self.close_connection = True
            self.send_response(code, reason)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass  # quiet: the terminal shows the address and nothing else

    return PageHandler


def start_page_server(rasa_url: str, port: int = 8080, host: str = HOST, dist: Path = DIST_DIR,
                      idle_timeout: float = IDLE_TIMEOUT, max_chars: int | None = None) -> PageServer:
    """Serve ``dist`` on ``host:port`` (0: any free port) with the widget pointed at ``rasa_url``;
    a connection that sends nothing for ``idle_timeout`` seconds is closed. ``max_chars``: the
    widget's message limit (default: config/web.yml's)."""
    if not (dist / "index.html").is_file():
        raise RuntimeError(f"the web widget is not built ({dist / 'index.html'} is missing): run `make setup`")
    try:
        limit = max_chars if max_chars is not None else message_limit()
        httpd = ThreadingHTTPServer((host, port), _handler(dist, rasa_url, idle_timeout, limit))
    except OSError as exc:
        raise RuntimeError(f"cannot serve the web page on {host}:{port} ({exc.strerror}); choose another --web-port") from exc
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="dasg-web", daemon=True)
    thread.start()
    return PageServer(httpd, thread)
