"""Gunicorn settings for Prometheus metrics across worker processes.

With ``PROMETHEUS_MULTIPROC_DIR`` set, every worker writes its metric samples to files in
that directory and ``/metrics`` on any worker reads them all. The directory must start empty
(old files would add stale samples), and the samples of a worker that exits are marked dead.
Used as ``gunicorn --config python:webexcommerce.gunicorn_conf``.
"""

import os
import shutil

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server):
    if MULTIPROCESS_DIR:
        shutil.rmtree(MULTIPROCESS_DIR, ignore_errors=True)
        os.makedirs(MULTIPROCESS_DIR, exist_ok=True)


def child_exit(server, worker):
    if MULTIPROCESS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
