"""Error pages in the service's own style. Each says what happened and what to do next."""

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
}


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
    return render_error(status)


def _refuse_nul_characters():
    """No real text contains a NUL character, PostgreSQL cannot store one, and browsers never send
    one: a form or address carrying one is refused before any view sees it."""
    from flask import abort

    if any("\x00" in value for values in (request.args, request.form) for value in values.values()) or "\x00" in request.path:
        abort(400)


def register(app) -> None:
    app.before_request(_refuse_nul_characters)
    for status in PAGES:
        app.register_error_handler(status, lambda error, status=status: _error(error, status))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "Your form could not be sent because its security token was missing or had expired. "
            "Nothing was changed. Go back, reload the page and submit the form again.",
        )
