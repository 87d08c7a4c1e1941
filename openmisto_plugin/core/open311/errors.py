"""Errors of the Open311 layer: transport failures, platform errors, unreadable answers."""

from __future__ import annotations

from ..i18n import tr

#: Kinds a :class:`NetworkError` can have (the transport's view of a failure).
NETWORK_KINDS = ("unreachable", "timeout", "tls", "too_large", "canceled", "other")

#: Kinds an :class:`Open311Error` can have (see docs/architecture.md).
ERROR_KINDS = (
    "unreachable",
    "timeout",
    "tls",
    "forbidden",
    "not_found",
    "conflict",
    "bad_request",
    "server",
    "not_open311",
    "parse",
    "unauthorized",  # 401: the key was not accepted (expired, not yet valid): try later, stop the push
    "throttled",  # 429: too many requests (``retry_after_s`` when the platform says how long)
    "redirect",  # 3xx: never followed (the key would go along)
    "insecure",  # the key would travel to another place or unencrypted: nothing was sent
    "too_large",  # an answer above the size limit, or more pages than the limit
    "not_supported",  # 405/501: the platform has no such call
    "no_write_back",  # POST servicerequestupdates is not offered: responses wait in the outbox
    "unconfirmed",  # a 2xx to a POST that does not confirm it: not counted as delivered
    "canceled",  # the user canceled while the request was in flight: nothing to retry, the next sync goes on
)

#: Kinds worth trying again after a pause.
RETRYABLE_KINDS = frozenset({"unreachable", "timeout", "server", "throttled", "unauthorized", "unconfirmed"})


class NetworkError(Exception):
    """The request never got an HTTP answer (``kind`` in :data:`NETWORK_KINDS`)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind if kind in NETWORK_KINDS else "other"
        self.message = message


class Open311Error(Exception):
    """A call to the platform failed; ``kind`` says how (one of :data:`ERROR_KINDS`).

    ``message`` is technical English (for logs, secrets masked); ``platform_message``
    is what the platform said, if anything; :meth:`user_message` is for people.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        http_status: int | None = None,
        platform_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.http_status = http_status
        self.platform_message = platform_message
        #: the call that failed, without the key ("GET http://host/open311/v2/requests.json?page=2")
        self.request: str | None = None
        self.retry_after_s: float | None = None  # the platform's Retry-After, in seconds

    def __str__(self) -> str:
        parts = [f"[{self.kind}]", self.message]
        if self.http_status is not None:
            parts.append(f"(HTTP {self.http_status})")
        if self.platform_message:
            parts.append(f"- {self.platform_message}")
        return " ".join(parts)

    @property
    def retryable(self) -> bool:
        """True when the same call may succeed later (network trouble, 5xx)."""
        return self.kind in RETRYABLE_KINDS

    def user_message(self) -> str:
        """A translated sentence a municipal user understands, with the platform's reason."""
        text = _user_texts().get(self.kind) or tr("The exchange with the platform failed.")
        if self.platform_message:
            text += " " + tr("The platform says: {0}").format(self.platform_message)
        elif self.kind == "parse" and self.message:
            text += " " + tr("Details: {0}").format(self.message)
        if self.request and self.http_status is not None:
            text += " " + tr("({0} answered {1})").format(self.request, self.http_status)
        return text

    def answer_text(self) -> str:
        """The request and the answer in one line: ``GET …/x.json answered 404: <the platform's words>``."""
        text = tr("{0} answered {1}").format(self.request or self.message, self.http_status or self.kind)
        if self.platform_message:
            text += ": " + self.platform_message
        return text


class ParseError(Open311Error):
    """A whole page could not be read (truncated, not a list, not JSON/XML)."""

    def __init__(self, message: str) -> None:
        super().__init__("parse", message)


def _user_texts() -> dict[str, str]:
    """Translated sentences per kind (built at call time so the current locale applies)."""
    return {
        "unreachable": tr("The platform could not be reached. Check the platform address and the network connection."),
        "timeout": tr("The platform did not answer in time. Try again later."),
        "tls": tr("The secure connection to the platform failed (certificate or TLS error)."),
        "forbidden": tr(
            "The platform refused access: the API key is wrong or has no right to do this. Check the key in the "
            "plugin's settings, or ask the platform's administrator for a key of your role."
        ),
        "not_found": tr("The platform does not know this address or this report."),
        "conflict": tr("The report was changed on the platform in the meantime. Synchronise and try again."),
        "bad_request": tr("The platform rejected the data as invalid."),
        "server": tr("The platform had an internal error. Try again later."),
        "not_open311": tr("The address does not point to an Open311 platform. Check the platform URL."),
        "parse": tr("The platform's answer could not be read."),
        "unauthorized": tr(
            "The platform did not accept the API key (HTTP 401). Check the key in Settings; the responses wait."
        ),
        "canceled": tr("Canceled."),
        "throttled": tr("The platform asks to slow down (too many requests). The next sync tries again."),
        "redirect": tr(
            "The platform sent the request elsewhere (a redirect). It was not followed, so the API key stayed "
            "here. Check the platform address in Settings."
        ),
        "insecure": tr(
            "The API key was not sent: the address is not the configured platform, or the connection is not "
            "encrypted (http). Use an https address, or allow plain http in Settings."
        ),
        "too_large": tr("The platform's answer is larger than the plugin accepts; it was cut off."),
        "not_supported": tr("The platform does not offer this call."),
        "no_write_back": tr(
            "This platform accepts no responses from QGIS. They are kept here as waiting: export them and "
            "enter them on the platform by hand; they are sent when the platform accepts them."
        ),
        "unconfirmed": tr(
            "The platform did not confirm the response. It stays waiting and is sent again at the next sync."
        ),
    }
