"""Thin rasa-sdk actions: read the tracker, call ``bot``, send the replies."""
