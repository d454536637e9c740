"""Shared technical pieces: settings, wiring, the event codec, logging."""
