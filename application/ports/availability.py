"""How an adapter says a backing service is out of reach, so the application can fall back."""


class Unavailable(Exception):
    """The service did not answer in time or the connection failed; what it holds is unknown."""
