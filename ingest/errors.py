"""Errors of the ingestion: what a user can act on, in German, naming the file."""

from __future__ import annotations


class LoaderError(Exception):
    """A file that cannot be read as a Vorlage.

    ``source`` is the path (or URL) of the file; ``message`` the full German sentence naming it,
    e.g. ``Die Datei „a.pdf“ ist verschlüsselt …``. ``str(error)`` gives the message.
    """

    def __init__(self, source: str, message: str) -> None:
        super().__init__(message)
        self.source = source
        self.message = message

    def __str__(self) -> str:
        return self.message
