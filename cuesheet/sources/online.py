"""What the online sources share: the cache in front, retries behind, and one-line failures.

An online source answers from the cache when it may (fresh entry, `--offline`,
no credentials, network down), asks the service otherwise, and stores every
answer. A service that cannot be reached raises `SourceSkipped`, so `identify`
goes on with the other sources; one that answers badly after the retries
raises `SourceFailed`, which is both a `SourceSkipped` (identify goes on) and a
`SourceError` (a command that asked only this source prints one line, exit 1).
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from cuesheet.config import Config
from cuesheet.errors import SourceError
from cuesheet.notation.plural import plural
from cuesheet.sources import SourceSkipped
from cuesheet.sources.cache import Cache, normalise_key

log = logging.getLogger("cuesheet.sources")
T = TypeVar("T")

# The services' own hosts: their answers are cached under the plain request, any other host's apart.
OFFICIAL_HOSTS = {"musicbrainz": "musicbrainz.org", "spotify": "api.spotify.com"}

# Retry-After on the official services is seconds; a date form is parsed by the clients.
_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")


class SourceFailed(SourceError, SourceSkipped):
    """A source that answered badly even after retrying: one line naming the source and why."""

    def __init__(self, source: str, reason: str, *, remedy: str | None = None) -> None:
        Exception.__init__(self, f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.message = f"{source}: {reason}"
        self.remedy = remedy


class GaveUp(SourceFailed):
    """A service still failing after every retry; the source stays down for the rest of the run."""


class Transient(Exception):
    """A failure worth another try (5xx, 429, timeout, cut-off body), with the wait asked for."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Unreachable(Exception):
    """Nothing answered at all (refused, no route, no DNS): the source is skipped, not failed."""


@dataclass(frozen=True)
class Endpoint:
    """A service address as configured: scheme, host, port, and the URL's path prefix."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def netloc(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def parse_endpoint(url: str, setting: str) -> Endpoint:
    from cuesheet.errors import InputError

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url!r} is not an http(s) URL", field=setting,
                         remedy="e.g. http://127.0.0.1:5000 for a local mirror")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InputError(f"{url!r} has a bad port", field=setting) from None
    return Endpoint(parts.scheme, parts.hostname, port, parts.path)


def retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    m = _SECONDS.match(str(value))
    if m:
        return float(m.group(1))
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, parsedate_to_datetime(str(value)).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


# Secrets learnt while running (access tokens), scrubbed like the configured ones.
_RUNTIME_SECRETS: set[str] = set()


def remember_secret(value: str | None) -> None:
    if value and len(value) >= 8:
        _RUNTIME_SECRETS.add(value)


def _holds_runtime_secret(body: object) -> bool:
    if not _RUNTIME_SECRETS:
        return False
    import json

    text = json.dumps(body, ensure_ascii=False)
    return any(secret in text for secret in _RUNTIME_SECRETS)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Secrets out of any text that may be shown or stored (a server could echo them back)."""
    for secret in (*secrets, *_RUNTIME_SECRETS):
        if secret:
            text = text.replace(secret, "****")
    return re.sub(r"(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", r"\1 ****", text)


def scrub(body: T, secrets: tuple[str, ...] = ()) -> T:
    """A response body with every secret replaced, at any depth: what a server echoes back
    (an access token in a track name, a client secret in a message) must not be printed by
    `identify`, stored in `match_candidates` or written to the cache."""
    if not (secrets or _RUNTIME_SECRETS):
        return body
    if isinstance(body, str):
        # Exact secrets only: the Bearer/Basic pattern of `redact` would turn the song
        # "Basic Space" into "Basic ****".
        for secret in (*secrets, *_RUNTIME_SECRETS):
            if secret and secret in body:
                body = body.replace(secret, "****")  # type: ignore[assignment]
        return body
    if isinstance(body, dict):
        return {scrub(k, secrets): scrub(v, secrets) for k, v in body.items()}  # type: ignore[return-value]
    if isinstance(body, (list, tuple)):
        return type(body)(scrub(v, secrets) for v in body)  # type: ignore[return-value]
    return body


class RedactingFilter(logging.Filter):
    """Spotipy logs request headers (Bearer token, Basic client id:secret) at DEBUG: scrub them."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def quiet_client_logs(names: tuple[str, ...], secrets: tuple[str, ...]) -> None:
    """The clients' own log lines never reach the terminal unasked, and never carry secrets.

    Without a handler Python prints WARNING and above to stderr (spotipy warns on
    every rate limit and logs every HTTP error), which would break "one clear line".
    """
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
        for old in [f for f in logger.filters if isinstance(f, RedactingFilter)]:
            logger.removeFilter(old)
        logger.addFilter(RedactingFilter(secrets))


def probe(endpoint: Endpoint, timeout: float) -> str | None:
    """None when a TCP connection to the service opens, else why not (one short phrase).

    A connection is free of the services' request limits, so checking costs no quota.
    """
    try:
        with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout):
            return None
    except socket.gaierror:
        return f"cannot resolve {endpoint.host} (no network?)"
    except TimeoutError:
        return f"no answer from {endpoint.netloc} within {timeout:g} s"
    except OSError as exc:
        return f"cannot reach {endpoint.netloc} ({_os_reason(exc)})"


def _os_reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.lower()


class OnlineSource:
    """The cache-first, retrying, skip-on-unreachable behaviour both online sources share."""

    name = "online"

    def __init__(self, config: Config, cache: Cache | None = None, *, offline: str | None = None,
                 refresh: bool = False, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.cache = cache
        # Why this source answers from the cache only (e.g. "--offline"), or None when it may go online.
        self.offline = offline
        self.refresh = refresh
        self._sleep = sleep
        # Set once the service could not be reached, so a season's match does not knock 40 times.
        self.down: SourceSkipped | None = None
        self.requests = 0  # answers fetched from the service in this run (not the cache)
        # Set when an old cache entry stood in for the failing service, so the command can say so
        # (otherwise --refresh against a broken service would quietly print last month's answer).
        self.fell_back = False

    def fail(self, reason: str, *, remedy: str | None = None) -> SourceFailed:
        return SourceFailed(self.name, redact(reason, self.config.secrets()), remedy=remedy)

    def gave_up(self, reason: str, *, retried: bool = True) -> GaveUp:
        """The service kept failing (5xx, 429, timeouts) through every retry."""
        n = self.config.retries
        if retried and n:
            reason += f" after {plural(n, 'retry')}"
        return GaveUp(self.name, redact(reason, self.config.secrets()),
                      remedy="try again later, or use --offline")

    def cache_scope(self) -> tuple[str, ...]:
        """Answers from a mirror or a look-alike (the loopback fakes) are kept apart from the
        official service's, so trying the fakes never leaves made-up ids for a real run to find."""
        endpoint = getattr(self, "endpoint", None) or getattr(self, "api", None)
        official = OFFICIAL_HOSTS.get(self.name)
        if endpoint is None or official is None or endpoint.host == official:
            return ()
        return (f"@{endpoint.host}",)

    def cached(self, key_parts: tuple[object, ...], fetch: Callable[[], T]) -> T | None:
        """The answer for one request: from the cache when allowed, else fetched and stored.

        Returns None when the source is offline and the cache has nothing, so a
        search answers "no candidates" rather than failing the whole identify.
        """
        key = normalise_key(*self.cache_scope(), *key_parts)
        entry = self.cache.get(self.name, key) if self.cache is not None else None
        if entry is not None and (self.offline or (not self.refresh and self.cache.is_fresh(entry))):
            return entry.body  # type: ignore[no-any-return]
        if self.offline:
            return None
        if self.down is not None:
            if entry is not None:
                self.fell_back = True
                return entry.body  # type: ignore[no-any-return]
            raise self.down
        try:
            body = self.with_retries(fetch)
        except Unreachable as exc:
            self.down = SourceSkipped(self.name, redact(str(exc), self.config.secrets()))
            if entry is not None:
                self.fell_back = True
                return entry.body  # type: ignore[no-any-return]  # stale beats nothing
            raise self.down from None
        except GaveUp as exc:
            # Still failing after every retry: the service is in trouble, so the rest of this
            # run does not wait through the same retries again for each song.
            self.down = exc
            if entry is not None:
                self.fell_back = True
                return entry.body  # type: ignore[no-any-return]
            raise
        self.requests += 1
        # Scrubbed before anything else sees it: candidates, the terminal, the database, the cache.
        body = scrub(body, self.config.secrets())
        if self.cache is not None and not _holds_runtime_secret(body):
            self.cache.put(self.name, key, body)
        return body

    def with_retries(self, call: Callable[[], T]) -> T:
        """`call` again after a Transient failure, waiting backoff·2ⁿ (or what the service asked)."""
        attempts = self.config.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return call()
            except Transient as exc:
                if attempt == attempts:
                    raise self.gave_up(exc.reason) from None
                wait = self.config.backoff * 2 ** (attempt - 1)
                if exc.retry_after is not None:
                    if exc.retry_after > self.config.max_wait:
                        raise self.gave_up(
                            f"{exc.reason}; the service asks to wait {exc.retry_after:g} s "
                            f"(more than max_wait {self.config.max_wait:g} s)", retried=False) from None
                    wait = max(wait, exc.retry_after)
                log.info("%s: %s; retrying in %.2f s", self.name, exc.reason, wait)
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
