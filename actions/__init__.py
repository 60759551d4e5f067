"""Thin rasa-sdk actions: read the tracker, call ``bot``, send the replies.

rasa-sdk imports this package when the action server starts: from then on no log record above
DEBUG carries message text (``bot.dialogue.logs``).
"""

from bot.dialogue.logs import install

install()
