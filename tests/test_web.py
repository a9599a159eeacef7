"""The web page through the ASGI test client: pages, JSON twins, errors, safety."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from typer.testing import CliRunner

from cuesheet.cli import app as cli_app
from cuesheet.db.connection import connect
from cuesheet.files.build import build
from cuesheet.viewer import resolve
from cuesheet.viewer.answers import episode_cues
from cuesheet.viewer.resolve import episodes, find_episode, find_show
from cuesheet.web.app import create_app


@pytest.fixture
def client(shipped_db: Path) -> TestClient:
    return TestClient(create_app(shipped_db), raise_server_exceptions=False)


@pytest.fixture
def mini(mini_db: Path) -> TestClient:
    return TestClient(create_app(mini_db), raise_server_exceptions=False)


def cli_json(db: Path, *args: str) -> object:
    result = CliRunner().invoke(cli_app, [*args, "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def main_html(response) -> str:  # type: ignore[no-untyped-def]
    """The page's own content, without the header and footer every page shares."""
    return response.text.split("<main>", 1)[1].split("</main>", 1)[0]


# --- the JSON twins are the CLI's --json ----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "args"),
    [
        ("/index.json", ["shows"]),
        ("/soundtrack.json", ["episodes", "soundtrack"]),
        ("/soundtrack/1/3.json", ["what", "soundtrack", "3"]),
        ("/soundtrack/1/3.json?q=dinner+candle", ["what", "soundtrack", "3", "dinner", "candle"]),
        ("/search.json?q=elastik+hart", ["search", "elastik", "hart"]),
        ("/search.json?q=song+when+nellie+falls+from+the+sky&limit=3",
         ["search", "song", "when", "nellie", "falls", "from", "the", "sky", "--limit", "3"]),
    ],
)
def test_json_twin_is_what_the_cli_prints(client: TestClient, shipped_db: Path, url: str, args: list[str]) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == cli_json(shipped_db, *args)


def test_season_json_is_that_seasons_episodes(mini: TestClient, mini_db: Path) -> None:
    everything = cli_json(mini_db, "episodes", "mini")
    assert mini.get("/mini-musical/2.json").json() == [e for e in everything if e["season"] == 2]


# --- pages ------------------------------------------------------------------------------------


def test_home_has_a_plain_get_search_form_and_the_shows(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<form class="search big" action="/search" method="get"' in html
    assert 'name="q"' in html
    assert '<a class="show" href="/soundtrack">Soundtrack</a>' in html
    assert "<script" not in html  # works without JavaScript because there is none


def test_search_answers_a_misspelling_with_links_to_episode_and_song(client: TestClient) -> None:
    response = client.get("/search", params={"q": "elastik hart"})
    assert response.status_code == 200
    html = main_html(response)
    assert 'href="/soundtrack/1/1#cue-1"' in html
    assert 'href="/song/sia/elastic-heart">Elastic Heart</a>' in html
    both = main_html(client.get("/search", params={"q": "elastic heart"}))
    assert both.index("Elastic Heart") < both.index("</article>")  # best first, as the CLI ranks
    assert 'value="elastik hart"' in response.text  # the box keeps the words for another try


def test_search_with_no_answer_says_so(client: TestClient) -> None:
    response = client.get("/search", params={"q": "xylophone quartet zebra"})
    assert response.status_code == 200
    assert "Nothing matches" in main_html(response)
    assert client.get("/search.json", params={"q": "xylophone quartet zebra"}).json() == []


def test_episode_page_is_the_cue_sheet_in_order(client: TestClient) -> None:
    html = main_html(client.get("/soundtrack/1/3"))
    titles = ["Deep in a Dream", "Morning View", "Simple Things", "Ain&#39;t No Sunshine", "Not Gonna Blink"]
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions)
    assert [f'id="cue-{n}"' in html for n in range(1, 6)] == [True] * 5
    # Cue 1: the sources' disagreement, with both values and who says what.
    cue1 = html.split('id="cue-1"')[1].split("</article>")[0]
    assert "Sources disagree</strong> on the artist" in cue1
    assert "Chet Baker" in cue1 and "Frank Sinatra" in cue1 and "(rsc-ep3)" in cue1
    assert "Performed by Sam (Paul James)" in cue1
    # Sources link to where the facts come from.
    assert 'href="https://www.bustle.com/' in cue1
    # Cue 4 is a mashup: the partner song follows with a plus.
    cue4 = html.split('id="cue-4"')[1].split("</article>")[0]
    assert 'class="plus"' in cue4 and "When I Was Your Man" in cue4
    assert "numbered in a source's song list order" in html
    assert 'rel="prev" href="/soundtrack/1/2"' in html and 'rel="next" href="/soundtrack/1/4"' in html


def test_episode_words_rank_the_cues(client: TestClient) -> None:
    html = main_html(client.get("/soundtrack/1/3", params={"q": "dinner candle"}))
    assert "The cues that fit" in html
    first = html.split("<article", 2)[1]
    assert 'id="cue-1"' in first and "Deep in a Dream" in first
    assert html.count("<article") < 5


def test_episode_words_that_fit_nothing_keep_the_sheet(client: TestClient) -> None:
    response = client.get("/soundtrack/1/3", params={"q": "zzzqqq"})
    assert response.status_code == 404
    html = main_html(response)
    assert "No cue in S01E03" in html and "whole cue sheet" in html
    assert html.count("<article") == 5
    assert client.get("/soundtrack/1/3.json", params={"q": "zzzqqq"}).json()["status"] == 404


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/soundtrack/S01E03", "/soundtrack/1/3"),
        ("/soundtrack/s1e3.json", "/soundtrack/1/3.json"),
        ("/soundtrack/track-3?q=dinner+candle", "/soundtrack/1/3?q=dinner+candle"),
        ("/soundtrack/sam-and-dante", "/soundtrack/1/3"),
    ],
)
def test_an_episode_named_in_the_address_redirects_to_its_page(client: TestClient, url: str, target: str) -> None:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == target


def test_an_episode_name_that_fits_nothing_or_several_is_a_404_with_links(client: TestClient) -> None:
    response = client.get("/soundtrack/sam")
    assert response.status_code == 404
    assert 'href="/soundtrack/1/3"' in main_html(response) and 'href="/soundtrack/1/7"' in main_html(response)
    assert client.get("/soundtrack/S09E99.json").json()["status"] == 404
    assert "There is no page at /song/x" in main_html(client.get("/song/x"))


def test_episode_by_time_gives_the_cue_playing(mini: TestClient) -> None:
    html = main_html(mini.get("/mini-musical/1/1", params={"at": "13:00"}))
    assert "Playing at 13:00" in html
    assert html.count("<article") == 1 and "12:31–14:05" in html and "Believer" in html


def _empty_episode_6(shipped_db: Path) -> None:
    """Episode 6 without its cue (the shipped one holds one unidentified song)."""

    conn = connect(shipped_db).conn
    conn.execute("DELETE FROM cues WHERE episode_id = (SELECT id FROM episodes WHERE number = 6)")
    conn.close()


def test_episode_without_cues_is_a_page_not_an_error(client: TestClient, shipped_db: Path) -> None:
    _empty_episode_6(shipped_db)
    response = client.get("/soundtrack/1/6")
    assert response.status_code == 200
    assert "No cues known yet" in main_html(response)
    assert client.get("/soundtrack/1/6.json").json() == []


def test_show_and_season_pages_list_episodes(client: TestClient, shipped_db: Path) -> None:
    _empty_episode_6(shipped_db)
    for url in ("/soundtrack", "/soundtrack/1"):
        html = main_html(client.get(url))
        assert html.count('href="/soundtrack/1/') == 10
        assert "no cues yet" in html  # episode 6
        assert "may have more" in html


def test_song_page_lists_every_scene_and_the_other_versions(client: TestClient) -> None:
    response = client.get("/song/joni-mitchell/both-sides-now")
    assert response.status_code == 200
    html = main_html(response)
    assert "Plays in 1 scene" in html
    assert 'href="/soundtrack/1/4#cue-3"' in html
    assert 'href="/song/judy-collins/both-sides-now">Judy Collins</a>' in html
    data = client.get("/song/joni-mitchell/both-sides-now.json").json()
    assert [(a["code"], a["cue"]) for a in data] == [("S01E04", 3)]


def test_song_page_across_episodes_in_broadcast_order(mini_data: Path, tmp_path: Path) -> None:
    sheet = mini_data / "mini" / "s02e01.yaml"
    sheet.write_text(
        sheet.read_text().replace(
            "cues: []",
            "cues:\n  - cue: 1\n    kind: background\n    scene: Closing shot at the bakery\n"
            "    songs:\n      - title: smile\n        artist: NAT KING COLE\n",
        )
    )
    path = tmp_path / "two.sqlite"
    build(mini_data, path)
    data = TestClient(create_app(path)).get("/song/nat-king-cole/smile.json").json()
    assert [(a["season"], a["episode"], a["cue"]) for a in data] == [(1, 1, 2), (2, 1, 1)]


def test_listen_links_are_shown_and_only_web_links_become_hrefs(mini_db: Path) -> None:
    conn = sqlite3.connect(mini_db)
    with conn:
        rec = conn.execute(
            "INSERT INTO recordings (title, artist, mbid, spotify_id, links) VALUES (?, ?, ?, ?, ?)",
            ["Smile", "Nat King Cole", "0b5c1e4e-1111-4c1a-9a55-2b7f4d1f0a01", "4uLU6hMCjMI75M1A2tKUQC",
             json.dumps({"evil": "javascript:alert(1)"})],
        ).lastrowid
        conn.execute("UPDATE cue_songs SET recording_id = ?, match_status = 'accepted' WHERE title = 'Smile'", [rec])
    conn.close()
    client = TestClient(create_app(mini_db))
    html = main_html(client.get("/mini-musical/1/1"))
    assert 'href="https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"' in html
    assert 'href="https://musicbrainz.org/recording/0b5c1e4e-1111-4c1a-9a55-2b7f4d1f0a01"' in html
    assert "javascript:" not in html
    song = main_html(client.get("/song/nat-king-cole/smile"))
    assert "Listen:" in song and "open.spotify.com" in song


# --- safety -----------------------------------------------------------------------------------


def test_user_text_is_escaped(client: TestClient) -> None:
    evil = '<script>alert("x")</script>'
    for url in ("/search", "/soundtrack/1/3"):
        response = client.get(url, params={"q": evil})
        assert "<script>" not in response.text
        assert "&lt;script&gt;" in response.text


def test_stored_text_is_escaped(shipped_db: Path) -> None:
    conn = sqlite3.connect(shipped_db)
    with conn:
        conn.execute("UPDATE cues SET scene = '<img src=x onerror=alert(1)>' WHERE id = 1")
    conn.close()
    html = TestClient(create_app(shipped_db)).get("/soundtrack/1/1").text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("q", ['"', "' OR 1=1 --", "NEAR(a b)", "*", "-heart", "^elastic", "a AND", "%", "🎵"])
def test_search_syntax_characters_are_plain_text(client: TestClient, q: str) -> None:
    assert client.get("/search", params={"q": q}).status_code == 200


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=60), at=st.text(max_size=12))
def test_any_text_gets_an_answer_or_a_clear_error(client: TestClient, q: str, at: str) -> None:
    for url, params in (("/search", {"q": q}), ("/search.json", {"q": q}),
                        ("/soundtrack/1/3", {"q": q, "at": at})):
        response = client.get(url, params=params)
        assert response.status_code in (200, 400, 404), (url, params, response.text[:300])


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/the-wire", 404, "no show matches"),
        ("/soundtrack/1/11", 404, "No episode S01E11"),
        ("/soundtrack/1/0", 404, "out of range"),
        ("/soundtrack/99999999999/3", 404, "out of range"),
        ("/soundtrack/2", 404, "has no season 2"),
        ("/soundtrack/1/3/extra", 404, "there is no page"),
        ("/song/nobody/nothing", 404, "no song"),
        ("/search", 400, "type a few words"),
        ("/search?q=%20%20", 400, "type a few words"),
        ("/search?q=" + "a" * 201, 400, "at most 200"),
        ("/search?q=heart&limit=0", 400, "between 1 and 50"),
        ("/search?q=heart&limit=ten", 400, "whole number"),
        ("/search?q=heart&show=the+wire", 404, "no show matches"),
        ("/soundtrack/1/3?at=25:99", 400, ""),
    ],
)
def test_bad_paths_and_inputs_get_an_error_page(client: TestClient, url: str, status: int, says: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert says.lower() in response.text.lower()
    assert "Traceback" not in response.text and "cuesheet." not in main_html(response)


@pytest.mark.parametrize(
    ("url", "status"),
    [("/the-wire.json", 404), ("/soundtrack/1/11.json", 404), ("/soundtrack/2.json", 404),
     ("/song/nobody/nothing.json", 404), ("/search.json", 400), ("/search.json?q=a&limit=99", 400)],
)
def test_json_errors_are_json(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["status"] == status and body["error"]


def test_error_page_links_to_the_nearest_episodes(client: TestClient) -> None:
    html = main_html(client.get("/soundtrack/1/11"))
    assert 'href="/soundtrack/1/10">S01E10 Track 10: Finale</a>' in html
    assert 'href="/soundtrack">All Soundtrack episodes</a>' in html


def test_a_typo_in_the_show_redirects_to_its_address(client: TestClient) -> None:
    response = client.get("/Soundtrak/1/3?q=dinner", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/soundtrack/1/3?q=dinner"
    assert client.get("/netflix-soundtrack.json", follow_redirects=False).headers["location"] == "/soundtrack.json"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_nothing_but_get(client: TestClient, method: str) -> None:
    response = client.request(method, "/soundtrack/1/3")
    assert response.status_code == 405
    assert "read-only" in response.text


def test_pages_leave_the_database_file_untouched(shipped_db: Path) -> None:
    before = shipped_db.read_bytes()
    client = TestClient(create_app(shipped_db))
    for url in ("/", "/search?q=heart", "/soundtrack", "/soundtrack/1", "/soundtrack/1/3?q=dinner",
                "/song/sia/elastic-heart", "/index.json"):
        assert client.get(url).status_code == 200
    assert shipped_db.read_bytes() == before


def test_an_old_database_is_not_migrated_by_the_site(shipped_db: Path) -> None:
    conn = sqlite3.connect(shipped_db)
    with conn:
        last = conn.execute("SELECT max(name) FROM _migrations").fetchone()[0]
        conn.execute("DELETE FROM _migrations WHERE name = ?", [last])
    conn.close()
    response = TestClient(create_app(shipped_db)).get("/")
    assert response.status_code == 503
    assert "needs upgrading" in response.text
    conn = sqlite3.connect(shipped_db)
    assert conn.execute("SELECT count(*) FROM _migrations WHERE name = ?", [last]).fetchone()[0] == 0
    conn.close()


def test_missing_or_broken_database_is_a_503(tmp_path: Path) -> None:
    response = TestClient(create_app(tmp_path / "gone.sqlite")).get("/")
    assert response.status_code == 503 and "no database at" in response.text.lower()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    response = TestClient(create_app(junk)).get("/search.json?q=heart")
    assert response.status_code == 503 and response.json()["status"] == 503


def test_an_unexpected_error_is_a_500_page_and_a_log_line(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(resolve, "shows", broken)
    with caplog.at_level(logging.ERROR, logger="cuesheet.web"):
        response = client.get("/")
    assert response.status_code == 500
    assert "Something broke" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "secret internals" in caplog.text


def test_security_headers_on_pages_and_errors(client: TestClient) -> None:
    for url in ("/", "/nope/1/2/3"):
        headers = client.get(url).headers
        assert "script-src" not in headers["content-security-policy"]
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert headers["x-content-type-options"] == "nosniff"


def test_stylesheet_is_served(client: TestClient) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")


def test_every_page_names_an_icon_the_site_serves(client: TestClient) -> None:
    """Without one, every browser asks for /favicon.ico and logs a 404 on each visit."""
    for url in ("/", "/soundtrack/1/3", "/nope"):
        assert '<link rel="icon" href="/static/favicon.svg"' in client.get(url).text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


# --- the command --------------------------------------------------------------------------------


def test_serve_refuses_a_missing_database_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 1
    assert "no database at" in result.output and "Traceback" not in result.output


def test_serve_refuses_a_taken_port(shipped_db: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["serve", "--db", str(shipped_db), "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} is already in use" in result.output


def test_other_commands_do_not_import_the_web_stack() -> None:
    code = (
        "import sys; import cuesheet.cli; "
        "bad = [m for m in ('starlette', 'jinja2', 'uvicorn', 'cuesheet.web.app') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- issue #13: spoiler guard, catalog box, listen links, 400s that keep their context ----------


def test_search_upto_hides_later_episodes_and_carries_the_choice(client: TestClient) -> None:
    html = main_html(client.get("/search", params={"q": "nellie falls", "upto": "S01E04"}))
    assert "Roads" not in html and "Portishead" not in html
    assert "Later episodes have more" in html
    assert '<option value="S01E04" selected>' in html
    assert "/soundtrack/1/1?upto=S01E04#cue-" in html  # card links keep the choice
    data = client.get("/search.json", params={"q": "nellie falls", "upto": "S01E04"}).json()
    assert data and all(a["episode"] <= 4 for a in data)


def test_episode_after_upto_shows_no_cue_and_no_count(client: TestClient) -> None:
    response = client.get("/soundtrack/1/9", params={"upto": "4"})
    html = main_html(response)
    assert response.status_code == 200
    assert "later episodes have more" in html.lower()
    assert "article" not in html and "Roads" not in html and "2 songs" not in html
    assert client.get("/soundtrack/1/9.json", params={"upto": "4"}).json() == []


def test_home_examples_name_songs_not_scenes(client: TestClient) -> None:
    import re

    home = main_html(client.get("/"))
    examples = re.findall(r'href="(/search\?q=[^"]+)"', home)
    assert len(examples) >= 3
    for url in examples:
        answers = client.get(url.replace("/search?", "/search.json?")).json()
        assert answers, url
        assert not any("scene" in r for r in answers[0]["reasons"]), (url, answers[0]["reasons"])


def test_catalog_box_apart_from_cue_answers(shipped_db: Path) -> None:
    conn = sqlite3.connect(shipped_db)
    with conn:
        rec = conn.execute("INSERT INTO recordings (title, artist, title_key, artist_key) VALUES"
                           " ('Hey There Delilah', 'Plain White T''s', 'hey there delilah', 'plain white ts')").lastrowid
        conn.execute("INSERT INTO recording_fts (rowid, title_key, artist_key) VALUES"
                     " (?, 'hey there delilah', 'plain white ts')", [rec])
    conn.close()
    client = TestClient(create_app(shipped_db))
    html = main_html(client.get("/search", params={"q": "hey there delilah"}))
    box = html.split('<aside class="catalog">', 1)[1].split("</aside>", 1)[0]
    assert "No known episode uses it" in box and "Hey There Delilah" in box
    assert "open.spotify.com/search/" in box
    assert client.get("/search.json", params={"q": "hey there delilah"}).json() == []


def test_every_card_has_listen_links(client: TestClient) -> None:
    html = main_html(client.get("/soundtrack/1/3"))
    cards = html.split('<article class="cue"')[1:]
    assert len(cards) == 5
    for card in cards:
        assert "open.spotify.com" in card and "musicbrainz.org" in card


def test_a_400_on_an_episode_keeps_its_context_and_echoes_nothing(client: TestClient) -> None:
    huge = "dinner " * 9_000  # ~63 kB: as long as the test client lets a query be
    response = client.get("/soundtrack/1/3", params={"q": huge})
    assert response.status_code == 400
    assert len(response.text) < 20_000 and "dinner dinner" not in response.text
    assert 'href="/soundtrack/1/3"' in main_html(response)
    nul = client.get("/search", params={"q": "heart\x00<b>"})
    assert nul.status_code == 400 and "\x00" not in nul.text
    bad_time = client.get("/soundtrack/1/3", params={"at": "25:99"})
    assert bad_time.status_code == 400 and 'href="/soundtrack/1/3"' in main_html(bad_time)


def test_song_page_names_the_performers_once_per_card(client: TestClient) -> None:
    html = main_html(client.get("/song/sia/elastic-heart"))
    assert html.count("Performed by Nellie (Callie Hernandez)") == 1


# --- the spoiler guard on every page a viewer can reach ---------------------------------------


class _Links(__import__("html.parser").parser.HTMLParser):
    """Every href on a page (with the link's class), and the text outside the upto <select>."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._in_select = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self._in_select += 1
        if tag in ("a", "link") and a.get("href"):
            self.links.append((a["href"] or "", a.get("class") or ""))
        if tag == "form" and a.get("action"):
            self.links.append((a["action"] or "", "form"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._in_select -= 1

    def handle_data(self, data: str) -> None:
        if not self._in_select:  # the "I've watched up to…" choices name every episode by design
            self.text.append(data)


def _later_texts(shipped_db: Path) -> set[str]:
    """What only episodes after S01E02 hold: their codes, titles, scenes, and songs heard nowhere earlier."""

    conn = connect(shipped_db, readonly=True).conn
    show = find_show(conn, "soundtrack")
    texts: set[str] = set()
    early_songs: set[str] = set()
    later_songs: set[str] = set()
    for e in episodes(conn, show):
        cues = episode_cues(conn, find_episode(conn, show, e["code"]))
        songs = {s.title for a in cues for s in a.songs if s.title}
        if (e["season"], e["episode"]) <= (1, 2):
            early_songs |= songs
            continue
        texts |= {e["code"], e["episode_title"]}
        texts |= {a.scene[:40] for a in cues if a.scene}
        later_songs |= songs
    return texts | (later_songs - early_songs)


def test_every_page_reachable_with_upto_keeps_it_and_shows_nothing_later(client: TestClient, shipped_db: Path) -> None:
    later = _later_texts(shipped_db)
    assert "Roads" in later and "S01E04" in later  # the check below has teeth
    seen: set[str] = set()
    todo = ["/?upto=S01E02", "/search?q=both+sides+now&upto=S01E02", "/search?q=roads&upto=S01E02"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        page = _Links()
        page.feed(response.text)
        text = " ".join(page.text)
        leaks = [t for t in later if t in text]
        assert not leaks, (url, leaks)
        for href, cls in page.links:
            if not href.startswith("/") or href.startswith("/static/"):
                continue  # listen links, the stylesheet
            if cls == "reveal":
                continue  # "Show this episode anyway": the viewer's own choice to see it
            if cls == "form":
                continue  # a form carries upto in a hidden field (checked below)
            assert "upto=S01E02" in href, (url, href)
            todo.append(href.split("#")[0])
        if 'method="get"' in response.text:
            assert response.text.count('name="upto"') >= 1, url
    assert any(u.startswith("/song/") for u in seen) and any("/soundtrack/1/" in u for u in seen)
    assert len(seen) > 10


def test_song_page_and_its_json_honour_upto(client: TestClient) -> None:
    html = main_html(client.get("/song/joni-mitchell/both-sides-now", params={"upto": "S01E02"}))
    assert "S01E04" not in html and "Track 4" not in html and "Plays in" not in html
    assert "You have watched up to S01E02; later episodes have more." in html
    guarded = client.get("/song/portishead/roads.json", params={"upto": "S01E04"})
    assert guarded.status_code == 200 and guarded.json() == []
    assert guarded.headers["cuesheet-notice"] == "you have watched up to S01E04; later episodes have more"
    full = client.get("/song/portishead/roads.json").json()
    assert [a["code"] for a in full] == ["S01E09"] and "cuesheet-notice" not in client.get("/song/portishead/roads.json").headers
    assert "Plays in 1 scene up to S01E09:" in client.get("/song/portishead/roads", params={"upto": "9"}).text
    seen = client.get("/song/portishead/roads.json", params={"upto": "S01E09"}).json()
    assert seen == full


def test_search_page_says_nothing_up_to_the_episode_matches(client: TestClient) -> None:
    html = main_html(client.get("/search", params={"q": "roads", "upto": "4"}))
    assert "Nothing up to S01E04 matches &#39;roads&#39;; later episodes have more." in html
    assert "Roads" not in html and "Portishead" not in html
    answer = client.get("/search.json", params={"q": "roads", "upto": "4"})
    assert answer.json() == []
    assert answer.headers["cuesheet-notice"] == "nothing up to S01E04 matches 'roads'; later episodes have more"


def test_a_time_on_an_episode_without_times_is_the_sheet_and_a_message(client: TestClient) -> None:
    response = client.get("/soundtrack/1/3", params={"at": "23:10"})
    assert response.status_code == 200
    html = main_html(response)
    assert "No cue in S01E03" in html and "has a time yet" in html and html.count("<article") == 5
    answer = client.get("/soundtrack/1/3.json", params={"at": "23:10"})
    assert answer.status_code == 200
    assert answer.json() == client.get("/soundtrack/1/3.json").json()  # the sheet, as the page shows it
    assert "has a time yet" in answer.headers["cuesheet-notice"]


def test_a_watched_episode_is_asked_as_any_other(client: TestClient) -> None:
    asked = client.get("/soundtrack/1/3.json", params={"q": "dinner candle", "upto": "S01E04"}).json()
    assert asked == client.get("/soundtrack/1/3.json", params={"q": "dinner candle"}).json()
    assert len(asked) < len(client.get("/soundtrack/1/3.json").json())


def test_messages_repeat_only_the_start_of_a_long_search_or_address(client: TestClient) -> None:
    q = " ".join(f"qzx{i}" for i in range(35))  # under the 200-character limit, over the echo's 80
    html = main_html(client.get("/search", params={"q": q}))
    said = html.split('<p class="empty">', 1)[1].split("</p>", 1)[0]  # the heading repeats the search whole
    assert said.startswith("Nothing matches <q>qzx0 qzx1") and "qzx34" not in said and "…</q>" in said
    path = "/song/" + "a" * 300 + "/x/y"
    assert "a" * 100 not in main_html(client.get(path))
    assert len(client.get("/search.json", params={"q": q}).headers["cuesheet-notice"]) < 150
