from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ._error_body import APIErrorBody

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "InternalServerError",
    "InvalidRequestError",
    "MissingCredentialsError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "SDKError",
    "StreamError",
    "UnprocessableEntityError",
    "WebhookPayloadError",
    "WebhookVerificationError",
]


class SDKError(Exception):
    """Base of every error this package raises."""


class MissingCredentialsError(SDKError):
    """An operation needs credentials the client was not given; raised before anything is sent."""


class WebhookVerificationError(SDKError):
    """A webhook's signature is missing, malformed, stale, or made with another key: do not trust its body."""


class WebhookPayloadError(SDKError):
    """A webhook's body is not JSON, or not any event the API documents."""


class PaginationError(SDKError):
    """A list cannot go on without skipping or repeating pages: the API gave a next page it gave before, or one
    outside the client's base URL."""


class StreamError(SDKError):
    """A streamed response held an item that cannot be read (the items before it were delivered)."""


class InvalidRequestError(SDKError, ValueError):
    """The call's arguments cannot make a request (a body JSON cannot encode, an empty path value, a URL
    httpx refuses); raised before anything is sent. A ValueError too, as such errors were before."""


class ClientClosedError(SDKError):
    """A call was made on a client after `close()` (or after its `with` block ended)."""


class APIError(SDKError):
    """A request was made and did not give a usable result."""

    message: str
    request: httpx.Request
    body: object | None
    """The decoded JSON body of the response, its text when it is not JSON, or None when there is none."""

    def __init__(self, message: str, request: httpx.Request, *, body: object | None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body


class APIResponseValidationError(APIError):
    """The response did not match the schema the API describes."""

    response: httpx.Response
    status_code: int

    def __init__(self, response: httpx.Response, body: object | None, *, message: str) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status (or a redirect a call that is not a GET does not follow)."""

    response: httpx.Response
    status_code: int
    parsed: APIErrorBody | None
    """The body parsed into the model the spec declares for this status of this operation (typed as any of the
    error bodies the API declares); None when it declares none, or the body does not match it (`body` holds it
    as JSON or text either way)."""

    def __init__(
        self, message: str, *, response: httpx.Response, body: object | None, parsed: APIErrorBody | None = None
    ) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.parsed = parsed


class APIConnectionError(APIError):
    """No response: the connection failed or broke."""

    def __init__(self, *, message: str = "Connection error.", request: httpx.Request) -> None:
        super().__init__(message, request, body=None)


class APITimeoutError(APIConnectionError):
    def __init__(self, request: httpx.Request) -> None:
        super().__init__(message="Request timed out.", request=request)


class BadRequestError(APIStatusError):
    """Status 400."""


class AuthenticationError(APIStatusError):
    """Status 401."""


class PermissionDeniedError(APIStatusError):
    """Status 403."""


class NotFoundError(APIStatusError):
    """Status 404."""


class ConflictError(APIStatusError):
    """Status 409."""


class UnprocessableEntityError(APIStatusError):
    """Status 422."""


class RateLimitError(APIStatusError):
    """Status 429."""


class InternalServerError(APIStatusError):
    """Any status of 500 or more."""


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response, body: object | None, parsed: APIErrorBody | None = None) -> APIStatusError:
    if response.status_code >= 500:
        error_class: type[APIStatusError] = InternalServerError
    else:
        error_class = STATUS_ERRORS.get(response.status_code, APIStatusError)
    detail = f": {body}" if body not in (None, "", {}) else ""
    message = f"{response.request.method} {response.request.url} returned {response.status_code}{detail}"
    return error_class(message, response=response, body=body, parsed=parsed)
