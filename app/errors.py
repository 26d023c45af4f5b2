"""Error pages in the service's own style. Each says what happened and what to do next."""

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

PAGES = {
    400: ("There is a problem with your request", "Go back, reload the page and try again."),
    403: ("You do not have permission to see this page",
          "If you think you should, contact the accreditation team or your organisation's administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address."),
    405: ("That action is not allowed here", "Go back and use the buttons on the page."),
    410: ("This page is no longer available", "The link may have expired."),
    413: ("The information you sent was too large",
          "Nothing was saved. Go back, make the upload or text smaller and try again."),
    429: ("Too many attempts", "You have tried this too many times in a short time. Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you had already saved has been lost."),
    503: ("Sorry, the service is unavailable for a moment",
          "Try again in a minute. Nothing you had already saved has been lost, and answers you gave during an "
          "assessment are kept on your device and sent when the service is back."),
}

# How long a client should wait before trying again when the database cannot be reached.
RETRY_AFTER_SECONDS = 5


def render_error(status: int, detail: str | None = None):
    title, advice = PAGES[status]
    return render_template("errors/error.html", status=status, title=title, advice=advice, detail=detail), status


def _error(error, status: int):
    """Under /api/ every error is an RFC 9457 problem; elsewhere, a page."""
    if request.path.startswith("/api/"):
        from app.api.problems import from_http_exception, problem_response

        if isinstance(error, HTTPException):
            return from_http_exception(error)
        return problem_response(500, "Something went wrong on our side. Nothing was changed. Try again later")
    # A view may say why it refuses (abort(403, "...")); werkzeug's stock description is not shown.
    said = error.description if status == 403 and error.description != type(error).description else None
    return render_error(status, said)


def _database_unavailable(error: DBAPIError):
    """The database cannot be reached (restarting, failing over, network down): a 503 with Retry-After,
    not a 500, so that browsers' answer queues and API clients know to try again. The pool's pre-ping
    replaces broken connections once the database is back, so no restart of the app is needed."""
    from flask import g

    current_app.logger.error("database unavailable: %s", str(error.orig or error).strip().splitlines()[0])
    # Who is signed in cannot be looked up now: the page is drawn for a visitor (Flask-Login keeps the
    # request's user in g._login_user), rather than failing again on the way to saying so.
    g._login_user = current_app.login_manager.anonymous_user()
    unavailable = ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS)
    response = current_app.make_response(_error(unavailable, 503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _refuse_nul_characters():
    """No real text contains a NUL character, PostgreSQL cannot store one, and browsers never send
    one: a form or address carrying one is refused before any view sees it."""
    from flask import abort

    if any("\x00" in value for values in (request.args, request.form) for value in values.values()) or "\x00" in request.path:
        abort(400)


def register(app) -> None:
    app.before_request(_refuse_nul_characters)
    app.register_error_handler(OperationalError, _database_unavailable)
    for status in PAGES:
        app.register_error_handler(status, lambda error, status=status: _error(error, status))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "Your form could not be sent because its security token was missing or had expired. "
            "Nothing was changed. Go back, reload the page and submit the form again.",
        )
