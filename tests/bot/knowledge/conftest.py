"""The router's knowledge replies and answering (search plus thresholds), for tests that look
below the router."""

import pytest

from bot.knowledge.handlers import AnswerHandler


@pytest.fixture(scope="session")
def talk(router):
    """The ``KnowledgeTalk`` the router's knowledge handlers share."""
    (handler,) = [h for h in router.handlers if isinstance(h, AnswerHandler)]
    return handler.talk


@pytest.fixture(scope="session")
def answering(talk):
    """The ``Answering`` the router's handlers share."""
    return talk.answering
