"""The chat channels' settings: allowed origins, limits, the REST mode and the session key.

Read from ``config/web.yml`` (``DASG_WEB_CONFIG`` names another file) when the Rasa server
loads the channels. Secrets come from the environment (``DASG_SESSION_KEY``,
``DASG_REST_TOKEN``) or, for the session key, a key file that is generated in development.
docs/security.md describes every setting.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT, load_settings
from bot.text.validation import ContentError, Problem, read_mapping, reporter

DEFAULT_FILE = PROJECT_ROOT / "config" / "web.yml"
REST_MODES = ("local", "token", "off")
MIN_KEY_CHARS = 32
_ORIGIN = re.compile(r"^(https?)://([a-z0-9.-]+|\[[0-9a-f:]+\])(?::(\d{1,5}|\*))?$")


class WebConfigError(ContentError):
    about = " in the web channels' settings"


@dataclass(frozen=True)
class Origins:
    """The browser origins allowed to use the channels: exact origins, or a host with any port (``:*``)."""

    exact: frozenset[str] = frozenset()
    any_port: frozenset[str] = frozenset()  # "scheme://host"

    def allows(self, origin: str | None) -> bool:
        """Whether a request with this Origin header may go on (no header: not a browser, allowed)."""
        if origin is None:
            return True
        origin = origin.strip().lower()
        if origin in self.exact:
            return True
        match = _ORIGIN.match(origin)
        return bool(match) and f"{match.group(1)}://{match.group(2)}" in self.any_port

    @property
    def listed(self) -> list[str]:
        return sorted(self.exact) + sorted(f"{o}:*" for o in self.any_port)


@dataclass(frozen=True)
class Limits:
    """What the channels refuse before any work is done."""

    max_message_chars: int = 2000
    max_request_bytes: int = 4_000_000
    socket_messages_per_minute: int = 30
    socket_burst: int = 10


@dataclass(frozen=True)
class WebSettings:
    """Everything the channels need to decide who may talk and how much."""

    origins: Origins
    limits: Limits
    rest_mode: str
    rest_token: str | None = field(default=None, repr=False)
    session_key: bytes = field(default=b"", repr=False)
    session_max_age: float = 24 * 3600.0
    production: bool = False


def load_web_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> WebSettings:
    """Read and check the settings file; every problem is reported at once (``WebConfigError``)."""
    env = os.environ if environ is None else environ
    path = Path(path or env.get("DASG_WEB_CONFIG") or DEFAULT_FILE)
    shown = str(path)
    data = read_mapping(path, shown, WebConfigError)
    problems: list[Problem] = []
    report = reporter(problems, shown)
    base = load_settings(dict(env))
    origins = _origins(data.get("allowed_origins"), report)
    limits = _limits(data.get("limits") or {}, report)
    rest_mode, rest_token = _rest(data.get("rest"), env, base.production, report)
    session = data.get("session") or {}
    if not isinstance(session, dict):
        report("session", "must be a mapping (key_file, max_age_hours)")
        session = {}
    max_age = _number(session.get("max_age_hours", 24), "session.max_age_hours", report, low=0.01)
    key = b""
    if not problems:
        key = _session_key(env, session.get("key_file"), base.var_dir, base.production, report)
    if problems:
        raise WebConfigError(problems)
    return WebSettings(origins, limits, rest_mode, rest_token, key, max_age * 3600.0, base.production)


def _origins(raw: Any, report) -> Origins:
    if raw is None:
        return Origins()
    if not isinstance(raw, list):
        report("allowed_origins", "must be a list of origins such as https://lscp.example")
        return Origins()
    exact, any_port = set(), set()
    for item in raw:
        origin = str(item).strip().lower().rstrip("/")
        match = _ORIGIN.match(origin)
        if not isinstance(item, str) or not match:
            report("allowed_origins", f"{item!r} is not an origin: scheme://host or scheme://host:port "
                                      "(or :* for any port), without a path; '*' and 'null' are not allowed")
        elif match.group(3) == "*":
            any_port.add(f"{match.group(1)}://{match.group(2)}")
        else:
            exact.add(origin)
    return Origins(frozenset(exact), frozenset(any_port))


def _limits(raw: Any, report) -> Limits:
    if not isinstance(raw, dict):
        report("limits", "must be a mapping")
        return Limits()
    known = Limits.__dataclass_fields__
    for name in raw:
        if name not in known:
            report(f"limits.{name}", f"unknown limit (known: {', '.join(known)})")
    values = {name: int(_number(raw.get(name, getattr(Limits, name)), f"limits.{name}", report, low=1))
              for name in known}
    return Limits(**values)


def _number(value: Any, name: str, report, low: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
        report(name, f"must be a number of at least {low:g}, not {value!r}")
        return low
    return float(value)


def _rest(raw: Any, env: Mapping[str, str], production: bool, report) -> tuple[str, str | None]:
    mode = str(raw).strip().lower() if raw is not None else ("off" if production else "local")
    token = (env.get("DASG_REST_TOKEN") or "").strip() or None
    if mode not in REST_MODES:
        report("rest", f"{raw!r}: use one of {', '.join(REST_MODES)}")
    elif mode == "local" and production:
        report("rest", "'local' is not allowed with DASG_PRODUCTION=on (behind a proxy every request "
                       "looks local): use 'token' or 'off'")
    elif mode == "token" and (token is None or len(token) < MIN_KEY_CHARS):
        report("rest", f"'token' needs DASG_REST_TOKEN set to at least {MIN_KEY_CHARS} characters")
    return mode, token


def _session_key(env: Mapping[str, str], key_file: Any, var_dir: Path, production: bool, report) -> bytes:
    """DASG_SESSION_KEY, else the key file, created with a random key outside production."""
    value = (env.get("DASG_SESSION_KEY") or "").strip()
    if value:
        if len(value) < MIN_KEY_CHARS:
            report("session", f"DASG_SESSION_KEY must be at least {MIN_KEY_CHARS} characters")
        return value.encode("utf-8")
    path = Path(key_file) if key_file else var_dir / "session.key"
    path = path if path.is_absolute() else PROJECT_ROOT / path
    if not path.exists() and production:
        report("session", f"no session key: set DASG_SESSION_KEY, or put one in {path} (session.key_file)")
        return b""
    if not path.exists():
        _create_key_file(path)
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < MIN_KEY_CHARS:
        report("session.key_file", f"{path} must hold a key of at least {MIN_KEY_CHARS} characters")
    return value.encode("utf-8")


def _create_key_file(path: Path) -> None:
    """A new random key, readable by this user only; a key another server wrote first is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as key:
        key.write(secrets.token_hex(32) + "\n")
    try:
        os.link(draft, path)  # whole, and only if no other server's key is there yet
    except FileExistsError:
        pass
    finally:
        draft.unlink()
