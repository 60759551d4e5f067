"""The shared secret between the Rasa server and the action server: when it is required, and
whether a request carries it.

The Rasa server sends it as an ``Authorization: Bearer <token>`` header (set in the endpoints
file), never in the URL, so it does not end up in access logs or error messages.
"""

from __future__ import annotations

import hmac
import ipaddress

from bot.config import Settings

TOKEN_VARIABLE = "DASG_ACTION_TOKEN"
MIN_TOKEN_LENGTH = 32
HEADER = "Authorization"
# Paths the action server answers without the token: readiness checks only, no data.
OPEN_PATHS = frozenset({"/health"})
# The endpoints files name the variable, not its value, so the secret is never written to disk.
ENDPOINT_HEADERS = f"  headers:\n    {HEADER}: Bearer ${{{TOKEN_VARIABLE}}}\n"  # unquoted: Rasa expands only plain values


def token_problem(settings: Settings) -> str | None:
    """Why the action server must not start with these settings, or None."""
    token = settings.action_token
    if token is None:
        if settings.production:
            return f"{TOKEN_VARIABLE} is required when DASG_PRODUCTION is on (the Rasa server must prove who it is)"
        return None
    if len(token) < MIN_TOKEN_LENGTH:
        return (f"{TOKEN_VARIABLE} must be at least {MIN_TOKEN_LENGTH} characters; make one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    return None


def exposure_problem(host: str, token: str | None) -> str | None:
    """Why listening on ``host`` without a token is refused: anyone who reaches it could run the actions."""
    if token is not None or host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:  # a host name: treat it as reachable from elsewhere
        pass
    return f"the action server would listen on {host} without a token: set {TOKEN_VARIABLE}, or listen on 127.0.0.1"


def is_authorised(path: str, authorization: str | None, token: str | None) -> bool:
    """Whether a request to ``path`` with this Authorization header may be served."""
    if token is None or path in OPEN_PATHS:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
