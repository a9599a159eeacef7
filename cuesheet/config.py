"""Settings: a TOML file in the user's config directory, then environment, then flags.

One frozen `Config` carries every setting, so a source or an export is
handed its settings explicitly and tests build one without touching files.
Secrets live only here: `masked()` is what `config show` prints, and nothing
else may write a `Config` anywhere.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cuesheet.errors import InputError
from cuesheet.notation import limits

ENV_CONFIG = "CUESHEET_CONFIG"
OFFICIAL_MUSICBRAINZ = "https://musicbrainz.org"
OFFICIAL_SPOTIFY_API = "https://api.spotify.com/v1/"
OFFICIAL_SPOTIFY_TOKEN = "https://accounts.spotify.com/api/token"
OFFICIAL_SPOTIFY_AUTHORIZE = "https://accounts.spotify.com/authorize"

SECRET_FIELDS = frozenset({"spotify_client_secret"})


@dataclass(frozen=True)
class Config:
    """Every setting with its default; the TOML keys are these names, grouped by table."""

    # [musicbrainz]
    musicbrainz_url: str = OFFICIAL_MUSICBRAINZ
    # Requests per second; MusicBrainz asks for at most 1 on its own servers (enforced there);
    # 0 = no limit, for a mirror of your own.
    musicbrainz_rate: float = 1.0
    contact: str = "https://github.com/cuesheet/cuesheet"
    # [spotify]
    spotify_client_id: str | None = None
    spotify_client_secret: str | None = field(default=None, repr=False)  # never in a repr or traceback
    spotify_api_url: str = OFFICIAL_SPOTIFY_API
    spotify_token_url: str = OFFICIAL_SPOTIFY_TOKEN
    spotify_authorize_url: str = OFFICIAL_SPOTIFY_AUTHORIZE
    spotify_redirect_uri: str = "http://127.0.0.1:8765/callback"
    spotify_market: str | None = None
    # [network]
    timeout: float = 10.0
    retries: int = 3
    # Seconds before the first retry; each further retry waits twice as long.
    backoff: float = 1.0
    # Longest Retry-After cuesheet sits out; a service asking for more gets a clear error instead
    # of a silent hang (Spotify has sent Retry-After of hours).
    max_wait: float = 60.0
    cache_ttl_days: float = 30.0
    # The response cache; None = responses.sqlite in the platform's user cache directory.
    cache_path: str | None = None
    # [curator]
    curator: str | None = None
    # [viewer] The last episode watched (any episode notation): `what` and `search` answer
    # nothing from later episodes (the spoiler guard; `--upto` overrides it).
    upto: str | None = None

    @property
    def has_spotify_credentials(self) -> bool:
        return bool(self.spotify_client_id and self.spotify_client_secret)

    def secrets(self) -> tuple[str, ...]:
        """The secret values that are set, so error messages and the cache can be scrubbed of them."""
        return tuple(v for f in fields(self) if f.name in SECRET_FIELDS and (v := getattr(self, f.name)))

    def cache_file(self) -> Path:
        """Where responses are cached: `cache_path`, else the user cache directory."""
        return Path(self.cache_path) if self.cache_path else cache_dir() / "responses.sqlite"

    def masked(self) -> dict[str, Any]:
        """The settings as `config show` prints them: secrets reduced to whether they are set."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS and value:
                value = "****" + value[-2:] if len(value) > 8 else "****"
            out[f.name] = value
        return out


# TOML table and key -> Config field.
_TOML_KEYS: dict[tuple[str, str], str] = {
    ("musicbrainz", "url"): "musicbrainz_url",
    ("musicbrainz", "rate"): "musicbrainz_rate",
    ("musicbrainz", "contact"): "contact",
    ("spotify", "client_id"): "spotify_client_id",
    ("spotify", "client_secret"): "spotify_client_secret",
    ("spotify", "api_url"): "spotify_api_url",
    ("spotify", "token_url"): "spotify_token_url",
    ("spotify", "authorize_url"): "spotify_authorize_url",
    ("spotify", "redirect_uri"): "spotify_redirect_uri",
    ("spotify", "market"): "spotify_market",
    ("network", "timeout"): "timeout",
    ("network", "retries"): "retries",
    ("network", "backoff"): "backoff",
    ("network", "max_wait"): "max_wait",
    ("network", "cache_ttl_days"): "cache_ttl_days",
    ("network", "cache_path"): "cache_path",
    ("curator", "name"): "curator",
    ("viewer", "upto"): "upto",
}

# Environment variable -> Config field. The names are a documented contract.
ENV_VARS: dict[str, str] = {
    "CUESHEET_MUSICBRAINZ_URL": "musicbrainz_url",
    "CUESHEET_MUSICBRAINZ_RATE": "musicbrainz_rate",
    "CUESHEET_CONTACT": "contact",
    "SPOTIPY_CLIENT_ID": "spotify_client_id",
    "SPOTIPY_CLIENT_SECRET": "spotify_client_secret",
    "SPOTIPY_REDIRECT_URI": "spotify_redirect_uri",
    "CUESHEET_SPOTIFY_API_URL": "spotify_api_url",
    "CUESHEET_SPOTIFY_TOKEN_URL": "spotify_token_url",
    "CUESHEET_SPOTIFY_AUTHORIZE_URL": "spotify_authorize_url",
    "CUESHEET_SPOTIFY_MARKET": "spotify_market",
    "CUESHEET_TIMEOUT": "timeout",
    "CUESHEET_RETRIES": "retries",
    "CUESHEET_BACKOFF": "backoff",
    "CUESHEET_MAX_WAIT": "max_wait",
    "CUESHEET_CACHE_TTL_DAYS": "cache_ttl_days",
    "CUESHEET_CACHE_PATH": "cache_path",
    "CUESHEET_CURATOR": "curator",
    "CUESHEET_UPTO": "upto",
}


def config_path() -> Path:
    """$CUESHEET_CONFIG, else config.toml in the platform's user config directory."""
    from cuesheet.notation.limits import check_path, env

    value = env(ENV_CONFIG)
    if value:
        return check_path(Path(value), ENV_CONFIG)
    import platformdirs

    return Path(platformdirs.user_config_dir("cuesheet", appauthor=False)) / "config.toml"


def cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("cuesheet", appauthor=False))


def _convert(name: str, value: Any, where: str, line_field: str) -> Any:
    kind = {f.name: f.type for f in fields(Config)}[name]
    try:
        if kind == "float":
            converted: Any = float(value)
        elif kind == "int":
            converted = int(value)
        else:
            if value in ("", None):
                return None
            if not isinstance(value, (str, int, float, bool)):
                raise TypeError
            text = str(value)
            problem = limits.text_problem(text, limits.ENV)
            if problem:
                raise InputError(problem, file=where, field=line_field)
            return text
        if kind == "float" and not math.isfinite(converted):
            raise OverflowError
    except OverflowError:  # int(inf), or a float inf/nan: a setting that would wait or retry for ever
        raise InputError(f"{limits.short(str(value))!r} is not a finite number", file=where,
                         field=line_field) from None
    except (TypeError, ValueError):
        raise InputError(f"{limits.short(str(value))!r} is not a valid {kind}", file=where,
                         field=line_field) from None
    # Checked here too, so the message names the file key or variable that set it.
    _check_value(name, converted, file=where, field=line_field)
    return converted


def _file_values(path: Path) -> dict[str, Any]:
    """The settings a TOML file sets, by field name; an unknown key is an error naming it."""
    import tomllib  # here, not at the top: a cold `cuesheet what` without a config file skips it

    from cuesheet.files.read import read_text  # the same: the bounded reader, only when there is a file

    values: dict[str, Any] = {}
    if not os.path.lexists(path):
        return values
    text = read_text(path, limits.CONFIG_FILE, "a config file")  # a folder, /dev/full: one line
    depth = limits.json_depth_problem(text)  # tomllib recurses once per level of an array
    if depth:
        raise InputError(f"not valid TOML: {depth}", file=str(path))
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise InputError(f"not valid TOML: {exc or 'nested too deeply'}", file=str(path)) from None
    for table, content in data.items():
        if not isinstance(content, dict):
            raise InputError("expected a table such as [spotify]", file=str(path), field=table)
        for key, value in content.items():
            name = _TOML_KEYS.get((table, key))
            if name is None:
                known = ", ".join(f"{t}.{k}" for t, k in _TOML_KEYS)
                raise InputError(f"unknown setting (known: {known})", file=str(path),
                                 field=f"{table}.{key}")
            values[name] = _convert(name, value, str(path), f"{table}.{key}")
    return values


def _env_values(env: dict[str, str]) -> dict[str, Any]:
    return {name: _convert(name, env[var][: limits.ENV + 1], "environment", var)
            for var, name in ENV_VARS.items() if env.get(var)}


def load(path: Path | None = None, env: dict[str, str] | None = None, **flags: Any) -> Config:
    """Defaults, overridden by the file, by the environment, then by flags that are not None."""
    env = dict(os.environ) if env is None else env
    path = path or config_path()
    values = _file_values(path)
    values.update(_env_values(env))
    for name, value in flags.items():
        if value is not None:
            values[name] = value
    config = replace(Config(), **values)
    _check(config)
    return config


# Field -> (lowest allowed value, whether the lowest is allowed itself).
_LIMITS: dict[str, tuple[float, bool]] = {
    "musicbrainz_rate": (0.0, True),  # 0 = no limit, for a mirror of your own
    "timeout": (0.0, False),
    "retries": (0, True),
    "backoff": (0.0, True),
    "max_wait": (0.0, True),
    "cache_ttl_days": (0.0, True),
}


def _check(config: Config) -> None:
    """Settings that would hang or loop for ever are refused up front, naming the setting."""
    env_names = {field: var for var, field in ENV_VARS.items()}
    for name in _LIMITS:
        _check_value(name, getattr(config, name), field=f"{name} ({env_names.get(name)})")


def _check_value(name: str, value: Any, *, file: str | None = None, field: str) -> None:
    if name not in _LIMITS:
        return
    low, inclusive = _LIMITS[name]
    if value < low or (value == low and not inclusive):
        sign = ">=" if inclusive else ">"
        raise InputError(f"{value!r} is out of range (must be {sign} {low:g})", file=file, field=field)


@dataclass(frozen=True)
class Setting:
    """One setting as `config show` prints it: where it is set and what it is (secrets masked)."""

    name: str
    toml: str
    env: str | None
    value: Any
    origin: str  # "default", "file" or "environment"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "toml": self.toml, "env": self.env, "value": self.value,
                "origin": self.origin}


def describe(path: Path | None = None, env: dict[str, str] | None = None) -> list[Setting]:
    """Every setting with its masked value and whether the default, the file or the environment set it."""
    env = dict(os.environ) if env is None else env
    path = path or config_path()
    masked = load(path, env).masked()
    in_file, in_env = _file_values(path), _env_values(env)
    toml_keys = {name: f"{table}.{key}" for (table, key), name in _TOML_KEYS.items()}
    env_vars = {name: var for var, name in ENV_VARS.items()}
    out = []
    for f in fields(Config):
        origin = "environment" if f.name in in_env else "file" if f.name in in_file else "default"
        out.append(Setting(f.name, toml_keys.get(f.name, f.name), env_vars.get(f.name), masked[f.name], origin))
    return out
