"""Domain errors, mapped to HTTP status codes in one place (api/errors.py)."""


class NewsragError(Exception):
    """Base class of newsrag's own errors; the message is safe to show a user."""


class StoreUnavailable(NewsragError):
    """The Chroma store (usually a Chroma server) cannot be reached."""


class DocumentNotFound(NewsragError):
    """No article with that id is indexed."""


class ConversationNotFound(NewsragError):
    """A conversation id newsrag issued is no longer stored (expired, evicted, or another store)."""


class QuestionTooLong(NewsragError):
    """The question is longer than the configured limit."""


class InvalidRequest(NewsragError):
    """The request is well-formed JSON but asks for something impossible."""


class UnsupportedFileType(NewsragError):
    """An uploaded file is not .txt, .md, .jsonl or .html."""


class PayloadTooLarge(NewsragError):
    """An upload or request body is over the configured size limit."""


class IngestFailed(NewsragError):
    """Ingestion stopped part-way; the previous index is still served."""
