"""Throughput of the foundation's pages under gunicorn, on loopback only.

Starts gunicorn (2 workers) on a throwaway SQLite database with the demo data, sends a bounded
number of requests from a thread pool, prints requests per second and p50/p95/p99 latency per
page, and stops the server. Usage: .venv/bin/python benchmarks/http_pages.py [--requests 400]
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(environment, port):
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 30 seconds")


def timed_get(url):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
    return time.perf_counter() - start


def sign_in_once(base, password):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/account/sign-in", timeout=10).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "assessor@accreditation.example.org", "password": password})
    start = time.perf_counter()
    opener.open(base + "/account/sign-in", data=data.encode(), timeout=10).read()
    return time.perf_counter() - start


def measure(name, task, count, threads):
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        latencies = sorted(pool.map(lambda _: task(), range(count)))
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:<24} {count / elapsed:8.1f} req/s   p50 {q[49] * 1000:6.1f} ms   p95 {q[94] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "benchmark",
                       "SESSION_COOKIE_SECURE": "0", "SIGN_IN_RATE_LIMIT": "100000 per minute"}
        for command in (["db-upgrade"], ["seed-demo"]):
            subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *command], cwd=ROOT, env=environment,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        server = start_server(environment, port)
        base = f"http://127.0.0.1:{port}"
        try:
            measure("GET /healthz", lambda: timed_get(base + "/healthz"), args.requests, args.threads)
            measure("GET / (start page)", lambda: timed_get(base + "/"), args.requests, args.threads)
            measure("GET /account/sign-in", lambda: timed_get(base + "/account/sign-in"), args.requests, args.threads)
            password = environment.get("DEMO_PASSWORD", "kss-demo-accreditation")
            measure("POST sign-in (argon2id)", lambda: sign_in_once(base, password), max(args.requests // 10, 20), args.threads)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    import urllib.parse

    sys.exit(main())
