"""The action server: rasa-sdk's app for the ``actions`` package, on the configured interface
(loopback by default) and, when a token is configured, only for callers that send it.

``python -m rasa_sdk`` has no interface option (it listens on 0.0.0.0 unless SANIC_HOST is set)
and no authentication, so this launcher builds the same Sanic app
(``rasa_sdk.endpoint.create_app``, which imports the ``actions`` package) and serves it itself.
It lives outside ``bot/`` because ``bot/`` never imports rasa_sdk.

Example: python -m action_server --port 5055
"""

from __future__ import annotations

import argparse
import logging
import sys

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request

from bot.config import load_settings
from bot.runtime.action_auth import HEADER, exposure_problem, is_authorised, token_problem

logger = logging.getLogger("action_server")


def build_app(actions: str, token: str | None) -> Sanic:
    """rasa-sdk's app for the ``actions`` package (imported here), refusing calls without ``token``."""
    app = create_app(actions, cors_origins=None)  # only the Rasa server calls it: no browser origin

    @app.middleware("request")
    async def require_token(request: Request):
        if not is_authorised(request.path, request.headers.get(HEADER), token):
            # The body is neither read nor logged: it is the conversation.
            logger.warning("Refused a call to %s without a valid action token.", request.path)
            return response.json({"error": "a valid action token is required"}, status=401)
        return None

    return app


def argument_parser(default_host: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Start the action server.")
    parser.add_argument("--actions", default="actions", help="the package holding the actions")
    parser.add_argument("--host", default=default_host,
                        help="the interface to listen on (default: DASG_ACTION_HOST, or 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5055, help="the port to listen on")
    utils.add_logging_level_option_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> None:
    settings = load_settings()
    args = argument_parser(settings.action_host).parse_args(argv)
    problem = token_problem(settings) or exposure_problem(args.host, settings.action_token)
    if problem:
        print(f"Error: {problem}.", file=sys.stderr)
        sys.exit(2)
    # Logging first, as `python -m rasa_sdk` does, so handlers the actions install on import stay.
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), None, args.loglevel, None)
    utils.update_sanic_log_level()
    app = build_app(args.actions, settings.action_token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    protection = "a token is required" if settings.action_token else "no token (local use only)"
    logger.info("Action server on http://%s:%d; %s.", args.host, args.port, protection)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
