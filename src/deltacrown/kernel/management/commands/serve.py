"""Kernel layer, CLI: ``deltacrown serve`` — HTTP and WebSocket with uvicorn.

With no REDIS_URL (embedded mode) the task consumer runs in this process too. With several
workers, Prometheus metrics are aggregated across them through a shared directory, and the
process manager tells prometheus-client when a worker ended (``kernel.metrics.forget_process``):
a crashed worker's open connections stop counting as soon as it is replaced.
"""

from __future__ import annotations

import os
import shutil
import socket
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from deltacrown.kernel import metrics


class Command(BaseCommand):
    help = "Serve HTTP and WebSocket on HOST:PORT with uvicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument(
            "--send-buffer",
            type=int,
            default=int(os.environ.get("SERVE_SEND_BUFFER", "0")),
            help="kernel send buffer per connection in bytes (0: the system's autotuning)",
        )
        parser.add_argument(
            "--tasks",
            choices=["auto", "embedded", "off"],
            default=os.environ.get("SERVE_TASKS", "auto"),
            help="run the task consumer in this process: auto = when REDIS_URL is unset",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, workers = options["host"], options["port"], max(1, options["workers"])
        if workers > 1:
            # Several processes write samples to a shared directory; /metrics merges them.
            metrics_dir = settings.VAR_DIR / "metrics"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True, exist_ok=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

        run_tasks = options["tasks"] == "embedded" or (
            options["tasks"] == "auto" and not settings.REDIS_URL
        )
        consumer = None
        if run_tasks:
            from deltacrown.kernel.tasks_runtime import start_embedded_consumer

            consumer = start_embedded_consumer()

        base = f"http://{host}:{port}"
        self.stdout.write(
            f"DeltaCrown serving on {base}/  (API docs {base}/api/v1/docs, admin {base}/admin/)\n"
            f"  workers={workers} tasks={'in-process' if consumer else 'external worker'}"
            "  — press Ctrl-C to stop\n"
        )
        config = uvicorn.Config(
            "deltacrown.config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            access_log=False,  # request logs come from the platform, without client addresses
            log_config=None,
            server_header=False,
            # Event messages are small JSON written once for every follower of a stream;
            # per-message deflate would compress them again per connection and keep a zlib
            # context (tens of KB) per socket.
            ws_per_message_deflate=False,
        )
        sock = config.bind_socket()
        if options["send_buffer"] > 0:
            # Accepted connections inherit it: what a stalled client can hold in kernel memory
            # on top of its bounded outgoing queue (REALTIME_QUEUE_SIZE).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, options["send_buffer"])
        try:
            if workers > 1:
                _Supervisor(config, sockets=[sock]).run()
            else:
                server = uvicorn.Server(config)
                server.run(sockets=[sock])
                if not server.started:
                    raise SystemExit(STARTUP_FAILURE)
        except KeyboardInterrupt:
            pass
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)
            self.stdout.write("DeltaCrown stopped.\n")


class _Supervisor(Multiprocess):
    """uvicorn's process manager, which also forgets the live metrics of every worker that is
    gone: one that died and was replaced (``keep_subprocess_alive``), or one retired by a
    signal (SIGHUP restarts all, SIGTTOU removes one: ``handle_signals``). At shutdown nothing
    needs forgetting: the next ``serve`` empties the metrics directory."""

    def _forget_replaced(self, before: set[int | None]) -> None:
        for pid in before - {process.pid for process in self.processes}:
            if pid is not None:
                metrics.forget_process(pid)

    def keep_subprocess_alive(self) -> None:
        before = {process.pid for process in self.processes}
        super().keep_subprocess_alive()
        self._forget_replaced(before)

    def handle_signals(self) -> None:
        before = {process.pid for process in self.processes}
        super().handle_signals()
        self._forget_replaced(before)
