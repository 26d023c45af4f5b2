"""Request ids and structured logs.

Every request gets an id: the caller's `X-Request-ID` when it is a sensible token (a load balancer
or proxy usually sets one), otherwise a new one. It is returned in the `X-Request-ID` header and
carried by every log line written while the request runs, so one request can be followed through
the logs of several app servers. With `LOG_FORMAT=json` each line is one JSON object (time, level,
logger, message, request_id, and for the access line method, path, status and duration), for a
log collector; otherwise plain text for a developer's terminal."""

import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
access_log = logging.getLogger("app.access")


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    FIELDS = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                 "request_id": getattr(record, "request_id", None)}
        entry.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.name = "app"
    handler.addFilter(RequestIdFilter())
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.name != "app" and type(h) is not logging.StreamHandler] + [handler]
    root.setLevel(logging.INFO)
    if not any(isinstance(f, RequestIdFilter) for f in access_log.filters):
        access_log.addFilter(RequestIdFilter())  # set when the line is written, while the request is current

    @app.before_request
    def _start():
        supplied = request.headers.get("X-Request-ID", "")
        g.request_id = supplied if REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if app.config["ACCESS_LOG"] and "request_started" in g:
            duration = round((time.perf_counter() - g.request_started) * 1000, 1)
            access_log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code, duration,
                            extra={"method": request.method, "path": request.path, "status": response.status_code, "duration_ms": duration})
        return response
