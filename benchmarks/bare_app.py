"""A minimal Flask app: the floor that benchmarks/knowledge_assessment.py compares the service with.

Served by the same gunicorn, with the same worker settings: `gunicorn --chdir benchmarks bare_app:app`.
No database, sessions, CSRF or templates: what is left is Flask, Werkzeug, gunicorn and the HTTP
round trip on loopback.
"""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.get("/bare")
def bare_get():
    """A small JSON body, about the size of the status answer during an attempt."""
    return jsonify(status="in_progress", secondsLeft=3600, onBreak=False)


@app.post("/bare")
def bare_post():
    """Accepts the same small JSON body as the answer save and echoes it back."""
    body = request.get_json(silent=True) or {}
    return jsonify(saved=True, answer=body.get("answer", []), flagged=bool(body.get("flagged")),
                   revision=body.get("revision", 0), secondsLeft=3600)
