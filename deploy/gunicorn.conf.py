"""gunicorn for sanduku: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app`` (the systemd unit
``sanduku-web.service`` runs exactly that). Settings can be changed in the environment file
(``/etc/sanduku/sanduku.env``) without editing this one."""

import os

#: Behind nginx on the same machine; nginx alone faces the internet.
bind = os.environ.get("SANDUKU_BIND", "127.0.0.1:8000")

#: Sync workers, 2 × CPUs + 1: a USSD hop is CPU-bound (see the README's benchmarks) and
#: holds no state in the process. ``WEB_CONCURRENCY`` overrides.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"

#: Africa's Talking gives up on a USSD answer after 15 s: a worker silent for 12 s is killed
#: and replaced (the database gives up connecting after 5 s, Redis after 2 s, so a healthy
#: request never comes near this).
timeout = 12
#: SIGTERM (systemctl stop/restart): requests in hand finish, for at most this long.
graceful_timeout = 20
#: nginx keeps connections to us open between requests.
keepalive = 5
#: A worker is replaced after this many requests (and a random few more, so not all at once).
max_requests = 5000
max_requests_jitter = 500

#: The app is built once, in the master, after the start check (``sanduku check``): a bad
#: configuration stops gunicorn at once, and a worker replaced later (a timeout, max_requests)
#: starts from the checked app without checking again, even while the database is away.
preload_app = True

#: One access line per request to stdout (the journal). The path only: never the query string
#: (a callback token may be in it) nor the Referer; phone numbers travel in POST bodies, which
#: are never logged. The client's address comes from nginx's X-Real-IP; the last field is the
#: request id the app's own lines and the jobs it caused carry (ops.logs).
accesslog = os.environ.get("SANDUKU_ACCESS_LOG", "-")
access_log_format = (
    '%({x-real-ip}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
#: The process title shows which service this is (``ps``, ``top``).
proc_name = "sanduku-web"


def post_fork(server, worker):
    """No database connection made in the master (the start check) crosses into a worker."""
    import contextlib

    import ledger.db

    with contextlib.suppress(RuntimeError):  # not configured: nothing to drop
        ledger.db.engine().dispose(close=False)


def on_starting(server):
    """``/metrics`` in multiprocess mode: each worker counts in ``PROMETHEUS_MULTIPROC_DIR``
    (the unit's runtime directory); the counts of an earlier run are not this run's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.unlink(os.path.join(directory, name))


def child_exit(server, worker):
    """A worker gone (replaced, stopped): its live gauges no longer count."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
