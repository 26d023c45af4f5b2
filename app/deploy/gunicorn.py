"""gunicorn's configuration for production: `gunicorn -c python:app.deploy.gunicorn wsgi:app`.

Every value can be set from the environment, so one image serves every environment:
- `PORT` (8000) and `BIND_ADDRESS` (0.0.0.0): where to listen;
- `WEB_CONCURRENCY` (4): sync workers, each serving one request at a time. Measured on 2 CPUs,
  4 sync workers gave the best throughput and the tightest p99 (benchmarks/knowledge_assessment.py);
  scale out with more app servers behind the load balancer rather than far more workers per CPU;
- `GUNICORN_TIMEOUT` (60): a worker stuck longer than this is restarted;
- `FORWARDED_ALLOW_IPS` (127.0.0.1): the proxy addresses whose X-Forwarded-* headers are trusted.

Access lines are written by the app itself (with request ids, and as JSON with LOG_FORMAT=json),
so gunicorn's own access log is off; its error log goes to stderr. The control socket (new in
gunicorn 25) is off: nothing here uses it."""

import os

bind = f"{os.environ.get('BIND_ADDRESS', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30  # on SIGTERM, requests in flight get this long to finish
keepalive = 5
max_requests = 5000  # recycle workers now and then, with jitter so they do not all restart at once
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
control_socket_disable = True
