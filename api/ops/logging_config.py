"""Logging for the service: JSON lines in production, readable text in development.

`logging_config` is a `logging.config.dictConfig` dictionary, so the same setup serves
`todo-api serve` and uvicorn's `log_config` (which applies it in every worker process).
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

from api.middleware.request_id import request_id
from api.settings import LogFormat

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

# Attributes every LogRecord has; anything else on a record came from `extra=` (except
# uvicorn's `color_message`, the same message with terminal colours).
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))
) | {"message", "asctime", "request_id", "color_message"}


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request it was logged in ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


def escape_unprintable(text: str) -> str:
    """`text` with each character that is not printable escaped as Python would (`\\n`, `\\x1b`)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class TextFormatter(logging.Formatter):
    """TEXT_FORMAT lines, control characters escaped: a value from a client (a token's claim,
    a header) can neither start a forged line nor colour the terminal. A traceback, appended
    after the line, keeps its own newlines.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_unprintable(super().formatMessage(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid and rid != "-":
            entry["request_id"] = rid
        entry.update(
            (key, value)
            for key, value in vars(record).items()
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(log_format: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """The dictConfig for `log_format`: one stderr handler on the root logger."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"()": TextFormatter, "fmt": TEXT_FORMAT},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format.value,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # uvicorn's own loggers write through the root handler, in the same format.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # api.middleware.request_log writes one line per request; uvicorn's would be a second.
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def configure_logging(log_format: LogFormat, level: str = "INFO") -> None:
    """Apply `logging_config` to this process."""
    logging.config.dictConfig(logging_config(log_format, level))
