"""Metrics, traces, structured logs, health endpoints and error reporting, all outside the application layer.

The application never imports any of this: decorators here implement the same ports as the adapters they wrap,
and the container puts them in place when `CHANWARDEN_INSTRUMENT` is on.
"""
