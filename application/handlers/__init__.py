"""One handler per use case; each takes the context and one command."""
