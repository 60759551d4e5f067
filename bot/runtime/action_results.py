"""Check the action server's replies against Rasa's schema once compiled, not once per turn.

Rasa 3.6 checks every action server reply with ``jsonschema.validate(result, schema)``
(``RemoteAction._validate_action_result``). That call first checks the *schema* against its
meta-schema and builds a new validator, every time: under load it was about half the Rasa server's
CPU per turn (py-spy, 20 concurrent conversations; docs/performance.md). ``install()`` replaces the
method with one that checks each reply against the same schema, with a validator built once, and
raises the same ``ValidationError`` with the same advice. Called by the input channels when Rasa
loads them, so it runs in every Rasa server this project starts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_ORIGINAL = RemoteAction._validate_action_result


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once: the schema is Rasa's own and never changes
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa's check of an action server reply, with the validator built once."""
    try:
        _validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


def install() -> None:
    """Use the compiled check in this process (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def installed() -> bool:
    return RemoteAction._validate_action_result is validate_action_result
