"""Real peer bots played against the simulated world through the local Bot API server."""
