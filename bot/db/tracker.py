"""Rasa's tracker database: where it is, and the index on ``events.sender_id`` every turn's load needs.

Rasa makes its own ``events`` table (with that index) the first time it starts, so it is not one
of the project's migrations; a tracker database made by an older Rasa, or copied without its
indexes, can lack it, and then every message reads the whole table. ``bot db upgrade`` checks it
in the tracker database named by ``--tracker-url`` (or ``DASG_TRACKER_URL``), else by the
endpoints file's SQL tracker store (``DASG_ENDPOINTS``, else endpoints.yml), with the same
``${VARIABLES}`` Rasa expands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

EVENTS = "events"
INDEX = "ix_events_sender_id"  # the name Rasa's own create_all gives it
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class TrackerConfigError(ValueError):
    """The endpoints file names a tracker store this command cannot turn into a database address."""


def url_from_endpoints(path: Path, environ: Mapping[str, str], root: Path) -> str | None:
    """The SQLAlchemy URL of the SQL tracker store ``path`` configures (None: it configures another kind);
    an SQLite file is relative to ``root``, where ``bot run`` starts Rasa."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TrackerConfigError(f"{path}: cannot read the endpoints file ({exc})") from exc
    store = data.get("tracker_store") if isinstance(data, dict) else None
    if not isinstance(store, dict):
        return None  # Rasa's default: conversations in memory
    kind = str(store.get("type", ""))
    if kind.lower() != "sql" and not kind.endswith("SQLTrackerStore"):  # Rasa's own, or a subclass such as ours
        return None
    values = {key: _expand(value, environ, path, key) for key, value in store.items()}
    dialect = values.get("dialect") or "sqlite"
    database = values.get("db") or "rasa.db"
    if dialect == "sqlite":
        return f"sqlite:///{(root / database).resolve() if not Path(database).is_absolute() else database}"
    port = values.get("port")
    if port is not None and not str(port).isdigit():
        raise TrackerConfigError(f"{path}: tracker_store.port is {port!r}, not a number")
    return URL.create(dialect, username=values.get("username"), password=values.get("password"),
                      host=values.get("url"), port=int(port) if port else None, database=database).render_as_string(
        hide_password=False)


def _expand(value, environ: Mapping[str, str], path: Path, key: str):
    if not isinstance(value, str):
        return value
    missing = [name for name in _VARIABLE.findall(value) if name not in environ]
    if missing:
        raise TrackerConfigError(f"{path}: tracker_store.{key} uses ${{{missing[0]}}}, which is not set")
    return _VARIABLE.sub(lambda m: environ[m.group(1)], value)


def ensure_sender_index(url: str) -> str:
    """Create the ``events.sender_id`` index if the tracker database lacks it; returns what was found, for people."""
    shown = make_url(url).render_as_string(hide_password=True)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return f"Tracker database {shown}: not made yet (Rasa makes it, with the sender_id index, when it first starts)."
    engine = create_engine(url, future=True)
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table(EVENTS):
                return f"Tracker database {shown}: no events table yet (Rasa makes it, with the sender_id index)."
            if any(index["column_names"][:1] == ["sender_id"] for index in inspect(conn).get_indexes(EVENTS)):
                return f"Tracker database {shown}: the events table has its sender_id index."
            conn.exec_driver_sql(f"CREATE INDEX {INDEX} ON {EVENTS} (sender_id)")
            return f"Tracker database {shown}: created the index {INDEX} on events (sender_id)."
    finally:
        engine.dispose()
