"""Kernel layer: framework-level, app-agnostic building blocks.

Errors, idempotency, the event log (hash chain and checkpoints), audit, permissions helpers,
pagination, feature flags, clock, logging and metrics. The kernel imports no app; apps plug
into it through the hooks it exposes.
"""
