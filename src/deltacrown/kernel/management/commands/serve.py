"""Kernel layer, CLI: ``deltacrown serve`` — HTTP and WebSocket with uvicorn.

With no REDIS_URL (embedded mode) the task consumer runs in this process too. With several
workers, Prometheus metrics are aggregated across them through a shared directory.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve HTTP and WebSocket on HOST:PORT with uvicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument(
            "--tasks",
            choices=["auto", "embedded", "off"],
            default=os.environ.get("SERVE_TASKS", "auto"),
            help="run the task consumer in this process: auto = when REDIS_URL is unset",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

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
        try:
            uvicorn.run(
                "deltacrown.config.asgi:application",
                host=host,
                port=port,
                workers=workers,
                lifespan="off",
                access_log=False,  # request logs come from the platform, without client addresses
                log_config=None,
                server_header=False,
            )
        except KeyboardInterrupt:
            pass
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)
            self.stdout.write("DeltaCrown stopped.\n")
