"""A loopback Spotify: accounts service and Web API answering in Spotify's documented JSON.

Served by pytest-httpserver, so the real spotipy client talks HTTP to it. It
keeps state (users, playlists, tokens) and is strict where Spotify is strict in
2026: `POST /me/playlists` only, `/playlists/{id}/items` with at most 100 URIs,
search limit at most 10, PKCE verifier checked against the challenge. Payload
shapes follow formats.md section 2 and Spotify's reference; ids are made up.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from werkzeug.wrappers import Request, Response

USER = "cuesheet-tester"
# What a sign-in grants: what cuesheet asks for (reading its own private playlist, changing playlists).
GRANTED = "playlist-read-private playlist-modify-private playlist-modify-public"


def track(track_id: str, name: str, artists: list[str], isrc: str | None = None,
          duration_ms: int = 200_000) -> dict[str, Any]:
    """A Spotify track object as /v1/search returns it."""
    return {
        "id": track_id,
        "name": name,
        "type": "track",
        "uri": f"spotify:track:{track_id}",
        "href": f"https://api.spotify.com/v1/tracks/{track_id}",
        "artists": [
            {"id": f"art{i:019d}", "name": a, "uri": f"spotify:artist:art{i:019d}"}
            for i, a in enumerate(artists)
        ],
        "album": {"id": "0TestAlbumId0000000001", "name": "Album", "release_date": "2014",
                  "release_date_precision": "year"},
        "duration_ms": duration_ms,
        "explicit": False,
        "preview_url": None,
        "external_ids": {"isrc": isrc} if isrc else {},
        "external_urls": {"spotify": f"https://open.spotify.com/track/{track_id}"},
        "is_local": False,
    }


@dataclass
class FakePlaylist:
    id: str
    name: str
    owner: str
    public: bool
    description: str
    items: list[str] = field(default_factory=list)

    def simplified(self, base: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": "playlist",
            "uri": f"spotify:playlist:{self.id}",
            "href": f"{base}/v1/playlists/{self.id}",
            "owner": {"id": self.owner, "type": "user", "uri": f"spotify:user:{self.owner}"},
            "public": self.public,
            "collaborative": False,
            "description": self.description,
            "snapshot_id": f"snap{len(self.items)}",
            "external_urls": {"spotify": f"https://open.spotify.com/playlist/{self.id}"},
            "items": {"href": f"{base}/v1/playlists/{self.id}/items", "total": len(self.items)},
        }


@dataclass
class FakeSpotify:
    base: str  # http://127.0.0.1:PORT
    client_id: str = "test-client-id"
    tracks: list[dict[str, Any]] = field(default_factory=list)
    playlists: dict[str, FakePlaylist] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    log: list[tuple[str, str, Any, dict[str, str]]] = field(default_factory=list)
    # Canned answers served first for a (method, path) before the normal behaviour.
    faults: dict[tuple[str, str], list[Response]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- helpers for tests ---------------------------------------------------------------
    def seed_token(self, token: str = "seeded-token") -> dict[str, Any]:
        self.tokens.add(token)
        import time

        return {
            "access_token": token, "token_type": "Bearer", "expires_in": 3600,
            "expires_at": int(time.time()) + 3600, "refresh_token": "seeded-refresh",
            "scope": GRANTED,
        }

    def add_playlist(self, name: str, owner: str = USER, items: list[str] | None = None,
                     public: bool = False) -> FakePlaylist:
        pid = f"0TestPlaylist{next(self._ids):09d}"
        p = FakePlaylist(pid, name, owner, public, "", list(items or []))
        self.playlists[pid] = p
        return p

    def calls(self, method: str, path_prefix: str) -> list[Any]:
        return [body for m, p, body, _ in self.log if m == method and p.startswith(path_prefix)]

    def queries(self, method: str, path: str) -> list[dict[str, str]]:
        return [args for m, p, _, args in self.log if m == method and p == path]

    # --- the server ------------------------------------------------------------------------
    def __call__(self, request: Request) -> Response:
        path = request.path
        body: Any = None
        if request.mimetype == "application/json" and request.get_data():
            body = json.loads(request.get_data())
        elif request.form:
            body = dict(request.form)
        self.log.append((request.method, path, body, dict(request.args)))
        canned = self.faults.get((request.method, path.rstrip("/")))
        if canned:
            return canned.pop(0)
        if path == "/authorize":
            return self._authorize(request)
        if path == "/api/token":
            return self._token(request)
        if not path.startswith("/v1/"):
            return _error(404, "Service not found")
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return _error(401, "Invalid access token")
        route = path[len("/v1"):].rstrip("/")  # spotipy asks for "me/"; Spotify takes both
        if route == "/me" and request.method == "GET":
            return _json({"id": USER, "display_name": "Tester", "type": "user",
                          "uri": f"spotify:user:{USER}"})
        if route == "/me/playlists" and request.method == "GET":
            return self._list_playlists(request)
        if route == "/me/playlists" and request.method == "POST":
            p = self.add_playlist(body["name"], public=bool(body.get("public")))
            p.description = body.get("description") or ""
            return _json(p.simplified(self.base), 201)
        if re.fullmatch(r"/users/[^/]+/playlists", route):
            return _error(403, "Forbidden: use POST /me/playlists")  # removed for dev-mode apps
        m = re.fullmatch(r"/playlists/([^/]+)(/items|/tracks)?", route)
        if m:
            return self._playlist(request, m.group(1), m.group(2), body)
        if route == "/search" and request.method == "GET":
            return self._search(request)
        return _error(404, "Service not found")

    def _authorize(self, request: Request) -> Response:
        a = request.args
        assert a["client_id"] == self.client_id
        assert a["response_type"] == "code"
        assert a["code_challenge_method"] == "S256"
        assert set(a["scope"].split()) >= {"playlist-modify-private", "playlist-modify-public"}
        code = f"code{next(self._ids)}"
        self.codes[code] = {"challenge": a["code_challenge"], "redirect_uri": a["redirect_uri"],
                            "scope": a["scope"]}
        location = a["redirect_uri"] + "?" + urlencode({"code": code, "state": a.get("state", "")})
        return Response(status=302, headers={"Location": location})

    def _token(self, request: Request) -> Response:
        f = request.form
        if f.get("client_id") != self.client_id:
            return _json({"error": "invalid_client", "error_description": "Invalid client"}, 400)
        if f.get("grant_type") == "authorization_code":
            issued = self.codes.pop(f.get("code", ""), None)
            if issued is None:
                return _json({"error": "invalid_grant", "error_description": "Invalid authorization code"}, 400)
            digest = hashlib.sha256(f["code_verifier"].encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            if challenge != issued["challenge"] or f.get("redirect_uri") != issued["redirect_uri"]:
                return _json({"error": "invalid_grant", "error_description": "code_verifier was incorrect"}, 400)
        elif f.get("grant_type") == "refresh_token":
            if not f.get("refresh_token"):
                return _json({"error": "invalid_grant", "error_description": "Invalid refresh token"}, 400)
        else:
            return _json({"error": "unsupported_grant_type"}, 400)
        token = f"token{next(self._ids)}"
        self.tokens.add(token)
        granted = issued["scope"] if f.get("grant_type") == "authorization_code" else GRANTED
        return _json({"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                      "refresh_token": f"refresh{token}", "scope": granted})

    def _list_playlists(self, request: Request) -> Response:
        limit = int(request.args.get("limit", 20))
        offset = int(request.args.get("offset", 0))
        if limit > 50:
            return _error(400, "Invalid limit")
        mine = list(self.playlists.values())
        page = mine[offset : offset + limit]
        url = f"{self.base}/v1/me/playlists"
        nxt = f"{url}?offset={offset + limit}&limit={limit}" if offset + limit < len(mine) else None
        return _json({"href": f"{url}?offset={offset}&limit={limit}", "limit": limit, "offset": offset,
                      "total": len(mine), "next": nxt, "previous": None,
                      "items": [p.simplified(self.base) for p in page]})

    def _playlist(self, request: Request, pid: str, sub: str | None, body: Any) -> Response:
        p = self.playlists.get(pid)
        if p is None:
            return _error(404, "Not found.")
        if sub == "/tracks":
            return _error(403, "Forbidden: use /items")  # the 2026 rules for dev-mode apps
        if p.owner != USER and request.method != "GET":
            return _error(403, "You cannot change a playlist you do not own")
        if sub is None and request.method == "PUT":
            for key in ("name", "public", "description"):
                if body and key in body:
                    setattr(p, key, body[key])
            return Response(status=200)
        if sub == "/items" and request.method == "GET":
            # 2026: each entry says `item` where it said `track`.
            limit = int(request.args.get("limit", 100))
            offset = int(request.args.get("offset", 0))
            url = f"{self.base}/v1/playlists/{pid}/items"
            page = p.items[offset:offset + limit]
            nxt = f"{url}?offset={offset + limit}&limit={limit}" if offset + limit < len(p.items) else None
            return _json({"href": url, "limit": limit, "offset": offset, "total": len(p.items), "next": nxt,
                          "previous": None,
                          "items": [{"added_at": "2026-11-24T12:00:00Z", "is_local": False,
                                     "item": {"type": "track", "uri": u, "id": u.rsplit(":", 1)[1]}}
                                    for u in page]})
        if sub == "/items":
            uris = body if isinstance(body, list) else (body or {}).get("uris")
            if request.method in ("PUT", "POST"):
                if uris is None or len(uris) > 100:
                    return _error(400, "You can add a maximum of 100 tracks per request.")
                if not all(re.fullmatch(r"spotify:track:[0-9A-Za-z]{22}", u) for u in uris):
                    return _error(400, "Invalid track uri")
                if request.method == "PUT":
                    p.items = list(uris)
                    return _json({"snapshot_id": f"snap{len(p.items)}"})
                position = request.args.get("position")
                at = int(position) if position is not None else len(p.items)
                p.items[at:at] = uris
                return _json({"snapshot_id": f"snap{len(p.items)}"}, 201)
        return _error(405, "Method not allowed")

    def _search(self, request: Request) -> Response:
        q = request.args.get("q", "")
        limit = int(request.args.get("limit", 5))
        if limit > 10:
            return _error(400, "Invalid limit")
        if request.args.get("type") != "track":
            return _error(400, "Unsupported type")
        found = []
        isrc = re.search(r"isrc:(\S+)", q)
        title = re.search(r'track:"([^"]*)"', q)
        artist = re.search(r'artist:"([^"]*)"', q)
        for t in self.tracks:
            if isrc and (t["external_ids"].get("isrc") or "").upper() != isrc.group(1).upper():
                continue
            if title and title.group(1).lower() not in t["name"].lower():
                continue
            if artist and not any(artist.group(1).lower() in a["name"].lower() for a in t["artists"]):
                continue
            found.append(t)
        href = f"{self.base}/v1/search?" + urlencode({"q": q, "type": "track", "limit": limit})
        return _json({"tracks": {"href": href, "limit": limit, "offset": 0, "total": len(found),
                                 "next": None, "previous": None, "items": found[:limit]}})


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps({"error": {"status": status, "message": message}}), status=status,
                    content_type="application/json", headers=headers or {})


def rate_limited(retry_after: int) -> Response:
    return _error(429, "API rate limit exceeded", {"Retry-After": str(retry_after)})


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)
