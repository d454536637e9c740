"""Bot API errors: `{ok: false, error_code, description}`, with `parameters.retry_after` on 429."""

from application.ports.telegram import TelegramError


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict:
        body: dict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": max(1, int(self.retry_after + 0.999))}
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


def from_fault(error: TelegramError) -> ApiError:
    """An injected fault (the fault plan speaks the bot port's kinds) as the Bot API would answer it."""
    if error.kind == TelegramError.FLOOD_WAIT:
        seconds = max(1, int(error.retry_after + 0.999))
        return ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
    if error.kind == TelegramError.NOT_ADMIN:
        return bad_request("not enough rights")
    if error.kind == TelegramError.TIMEOUT:
        # Telegram did not answer the Bot API server in time; it says so rather than hanging the bot.
        return ApiError(502, "Bad Gateway")
    return ApiError(500, "Internal Server Error")
