from __future__ import annotations

from urllib.parse import unquote

import pytest

from cuesheet.notation import ids


def test_known_ids_give_the_services_own_pages() -> None:
    links = ids.listen_links("Roads", "Portishead", spotify_id="a" * 22,
                             mbid="12345678-1234-1234-1234-123456789abc")
    assert links == {
        "spotify": "https://open.spotify.com/track/" + "a" * 22,
        "musicbrainz": "https://musicbrainz.org/recording/12345678-1234-1234-1234-123456789abc",
    }


def test_no_ids_give_search_pages_for_title_and_artist() -> None:
    links = ids.listen_links("Roads", "Portishead")
    assert set(links) == {"spotify_search", "musicbrainz_search"}
    assert unquote(links["spotify_search"]).endswith("/search/Roads Portishead")
    assert "type=recording" in links["musicbrainz_search"]


def test_one_id_known_the_other_service_searches() -> None:
    links = ids.listen_links("Roads", "Portishead", spotify_id="b" * 22)
    assert set(links) == {"spotify", "musicbrainz_search"}


def test_no_title_no_search_and_extra_links_kept() -> None:
    assert ids.listen_links(None, extra={"youtube": "https://y/1"}) == {"youtube": "https://y/1"}


def test_search_text_is_quoted() -> None:
    url = ids.search_url("musicbrainz", "A & B?", "C/D")
    assert "&" not in url.split("query=")[1] and "?" not in url.split("query=")[1]
    with pytest.raises(ValueError):
        ids.search_url("deezer", "x")
