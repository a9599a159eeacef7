"""Turn messy song text into comparable parts.

Curators type songs the way they heard them ("elastic heart sia", "Deep In A
Dream - chet baker (live)", "Smile by Nat King Cole") and catalogs add their own
noise ("(2011 Remaster)", "[From the Netflix Series Soundtrack]", "feat. SZA").
This module does two separate jobs:

* `fold` makes two spellings of the same words equal, for comparison only;
* `split_version`, `split_featured`, `split_artists`, `parse_query` and
  `split_mashup` take text *apart* into title, artist, featured artists and
  version, keeping the text as typed so it can be shown and sent to sources.
  Version words are kept as information (`Version`), not thrown away: a live
  take is a different recording, and the scorer should know why it differs.

Nothing here raises: every public function accepts any `str`, because queries
come straight from people and catalog rows from scraped pages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii

__all__ = [
    "ArtistCredit", "QueryReading", "Version", "classify_version", "fold", "match_key", "parse_query",
    "repair_text", "split_artists", "split_featured", "split_mashup", "split_version", "strip_article",
]

# --- repairing ----------------------------------------------------------------------------

# What UTF-8 read as Latin-1 or cp1252 looks like: a lead byte (Â..ô) before a continuation
# byte (Latin-1's C1 controls and ¡..¿, or cp1252's letters for 0x80-0x9F), or a lone C1
# control. Text without one is left alone without asking ftfy (most text, and every ASCII row).
_MISREAD = re.compile(
    "[\xc2-\xf4][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|[\x80-\x9f]")


def repair_text(text: str) -> str:
    """Text that was UTF-8 read as Latin-1 or cp1252 decoded again ("LÃ©o FerrÃ©" -> "Léo Ferré",
    "Ã\x82me" -> "Âme"); any other text exactly as it was.

    The one repair every reader of outside text uses (catalog and cue imports, arguments,
    prompts, queries), so a value repaired on one path is repaired on all. ftfy decides
    (its tables and heuristics know the encodings' overlaps, a hand-written table would
    not); only its encoding fix is used, so quotes, ligatures and widths a curator typed
    stay as typed. What is still a control character afterwards is an error for the limits.
    """
    if text.isascii() or not _MISREAD.search(text):
        return text
    # Imported here: 110 ms of imports (wcwidth's tables) that only misread text pays for, not
    # the viewer's cold `what`.
    import ftfy

    return ftfy.fix_encoding(text)


# --- folding ---------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['`´ʼ’‘′]")
_DOTTED_ACRONYM = re.compile(r"\b[a-z](?:\.[a-z])+\.?(?![a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Small on purpose: enough for "Two Hearts" == "2 Hearts" and "Twenty One Pilots",
# not a number parser ("twenty one" stays two tokens on both sides, which is enough).
_NUMBERS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
    if i
}
# Text-speak curators type ("when i was ur man", "rock n roll"). Only spellings that are
# never a word of their own in a title; "r" (are) is left out because of "R. Kelly".
_SPEAK = {"u": "you", "ur": "your", "n": "and"}
_WORD_FOR = {**_SPEAK, **_NUMBERS}


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces, for comparison only.

    Accents and other scripts are transliterated (anyascii's table beats a
    hand-written one: "Beyoncé", "Sigur Rós", "Mötley Crüe", Cyrillic, CJK).
    Apostrophes are *deleted*, not turned into spaces, so "ain't" == "aint" and
    curly == straight quotes; a possessive keeps its s ("boss's" -> "bosss",
    "it's" -> "its") because dropping "'s" would also eat "it's" and "that's",
    and people type "its" far more often than "it". Dotted acronyms close up
    ("R.E.M." == "REM"), "&" and "+" read "and", number words one..twenty become
    digits, and all other punctuation separates words.
    """
    text = _APOSTROPHES.sub("", text)
    if not text.isascii():  # most catalog rows are ASCII: skip the transliteration cost
        text = _APOSTROPHES.sub("", anyascii(unicodedata.normalize("NFKC", text)))
    text = text.lower()
    if "." in text:
        text = _DOTTED_ACRONYM.sub(lambda m: m.group().replace(".", ""), text)
    text = text.replace("&", " and ").replace("+", " and ")
    # One dict and a list, not a generator: a catalog import folds every title (a fifth of its time).
    get = _WORD_FOR.get
    return " ".join([get(w, w) for w in _NOT_WORD.sub(" ", text).split()])


def strip_article(text: str) -> str:
    """Drop a leading "The " (or a catalog's trailing ", The"); works on raw or folded text.

    Only "the": typists drop it ("Beatles", "Killers") but keep "A" and "An",
    which are real words of names and titles ("A Tribe Called Quest", "A Day in
    the Life"). A name that is only "The" keeps it.
    """
    stripped = re.sub(r"(?i)^\s*the\s+(?=\S)|,\s*the\s*$", "", text)
    return stripped.strip() or text.strip()


def _tidy(text: str) -> str:
    """NFKC (fullwidth brackets, ligatures) and single spaces, keeping case and punctuation."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


# --- versions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """What kind of recording a title names beyond the song itself.

    `tags` are canonical names (see `_TAG_PATTERNS`), `year` the remaster or
    live year when one is given, `raw` the words that were taken out, as typed,
    joined by "; ". `Version()` is the plain recording.
    """

    tags: frozenset[str] = frozenset()
    year: int | None = None
    raw: str = ""


# Order matters: each pattern deletes what it matched, so "radio edit" is not also
# "edit" and "Taylor's Version" is a re-recording, not just "version".
_TAG_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (tags, re.compile(pattern))
    for tags, pattern in (
        (("from-series",), r"^(?:(?:music|songs?|theme) )?from .*\b(?:series|soundtrack|film|"
         r"movie|motion picture|musical|show|score|ost|season|episode|documentary|game|netflix|"
         r"hbo|disney|pixar|original)\b.*|\b(?:original )?(?:motion picture |television |tv |"
         r"broadway |cast )?(?:soundtrack|cast recording)\b|\bost\b"),
        (("radio edit",), r"\bradio (?:edit|version|mix|cut)\b"),
        (("single version",), r"\bsingle (?:version|mix|edit)\b"),
        (("album version",), r"\b(?:album|lp) (?:version|mix)\b"),
        (("re-recording",), r"\btaylors version\b|\bre ?record(?:ed|ing)?\b"),
        (("remaster",), r"\b(?:digitally )?remaster(?:ed|ing)?\b"),
        (("live", "acoustic"), r"\bunplugged\b"),
        # "live" alone, "live at/in/from <venue>" (the venue goes with it), "... live".
        # In brackets "(Live Forever)" would count, a rare cost; strict dash suffixes
        # refuse "Live and Let Die", which leaves "and let die" unexplained.
        (("live",), r"\blive (?:at|from|in|on)\b.*|\b(?:recorded|performed) live\b.*|"
         r"^live\b|\blive$|\bin concert\b"),
        (("acoustic",), r"\bacoustic\b|\bstripped\b"),
        (("piano",), r"\bpiano\b"),
        (("orchestral",), r"\borchestral\b|\bsymphonic\b"),
        (("sped-up",), r"\bsped up\b|\bspeed up\b|\bnightcore\b"),
        (("slowed",), r"\bslowed\b(?: (?:down|and reverb|reverb))?"),
        (("demo",), r"\bdemo\b"),
        (("extended",), r"\bextended\b"),
        (("instrumental",), r"\binstrumental\b"),
        (("karaoke",), r"\bkaraoke\b|\bin the style of\b.*"),
        (("cover",), r"\bcover\b|\boriginally performed by\b.*"),
        # Store tags for the same performance with or without its words bleeped
        # (iTunes "[Explicit]", Amazon "[Clean]", "(Album Version (Edited))").
        (("explicit",), r"\bexplicit\b|\buncensored\b"),
        (("clean",), r"\bclean\b|\bedited\b|\bcensored\b"),
        (("mono",), r"\bmono\b"),
        (("stereo",), r"\bstereo\b"),
        ((), r"\boriginal (?:mix|version)\b"),
        # Release words that leak into track titles: the song is the same.
        ((), r"\bbonus track\b|\b(?:deluxe|expanded|special|anniversary) edition\b|\bdeluxe\b"),
        # Up to three words before "remix" are the remixer ("Calvin Harris Remix").
        (("remix",), r"(?:\b\w+ ){0,3}\b(?:re)?mix(?:ed)?\b|\brmx\b|\brework\b|\bbootleg\b"),
        (("edit",), r"(?:\b\w+ ){0,2}\bedit\b"),
        # Pasted video titles: noise, but noise that is not part of the song's name.
        ((), r"\bofficial\b.*|\b(?:music |lyric )?video\b|\blyrics?\b|\baudio\b|"
         r"\bvisuali[sz]er\b|\bhd\b|\bhq\b"),
        # Any other named version ("Piano Version" is caught above; "Ibiza Version") is
        # another take than the plain recording; a bare "version" left over says nothing.
        (("variant",), r"(?:\b\w+ ){1,2}\bversion\b"),
        ((), r"\bversion\b"),
    )
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_QUOTED_FROM = re.compile(r"(?i)^\s*from\s+[\"“”'‘’«]")
_FILLER = frozenset("the a of and new bonus track".split())
_DASH = re.compile(r"\s+(?:-{1,2}|[–—])\s+")


def _classify(raw: str, *, strict: bool) -> tuple[frozenset[str], int | None] | None:
    """Tags and year when `raw` names a version, else None.

    A bracket group needs only one version word: "(Live)", "(Calvin Harris Remix)".
    A dash suffix is `strict`: every word must be accounted for, because
    "Wings - Live and Let Die" is an artist and a title, not a live take.
    """
    folded = fold(raw)
    tags: set[str] = set()
    hit = False
    rest = folded
    if _QUOTED_FROM.match(raw):
        tags.add("from-series")
        hit, rest = True, ""
    for names, pattern in _TAG_PATTERNS:
        rest, count = pattern.subn(" ", rest)
        if count:
            hit = True
            tags.update(names)
    years = _YEAR.findall(folded)
    year = int(years[0]) if years else None
    if not hit:
        # A bracketed bare year, "Song (1975)", says which release; as a dash suffix
        # it is more likely a title ("Prince - 1999").
        if not strict and years and folded == years[0]:
            return frozenset(), year
        return None
    if strict and any(not w.isdigit() and w not in _FILLER for w in rest.split()):
        return None
    return frozenset(tags), year


def classify_version(words: str) -> tuple[frozenset[str], int | None] | None:
    """Tags and year when every one of `words` is a version word ("piano version", "live 2011")."""
    found = _classify(words, strict=True)
    if found is None:
        years = _YEAR.findall(words)
        if years and fold(words) == years[0]:
            return frozenset(), int(years[0])
    return found


def _merge(versions: list[tuple[str, frozenset[str], int | None]]) -> Version:
    tags = frozenset().union(*(t for _, t, _ in versions)) if versions else frozenset()
    year = next((y for _, _, y in versions if y is not None), None)
    return Version(tags=tags, year=year, raw="; ".join(r for r, _, _ in versions))


_OPENERS = {"(": ")", "[": "]", "{": "}"}


def _bracket_spans(text: str) -> list[tuple[int, int]]:
    """Outermost balanced (), [] and {} groups as (start, end) slices; unbalanced ones are text."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[int, str]] = []
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            stack.append((i, _OPENERS[ch]))
        elif stack and ch == stack[-1][1]:
            start, _ = stack.pop()
            if not stack:
                spans.append((start, i + 1))
    return spans


_FEAT_GROUP = re.compile(r"(?i)^(?:feat\.|ft\.|w/)\s*(?=\S)|^(?:feat|ft|featuring|with)\s+(?=\S)")
_FEAT_INLINE = re.compile(r"(?i)\s+(?:feat\.|ft\.|feat|ft|featuring)\s+(?=\S)")


def _take_groups(
    text: str, *, versions: bool = True, featured: bool = True
) -> tuple[str, list[tuple[str, frozenset[str], int | None]], list[str]]:
    """Remove the bracket groups asked for (versions, featured credits); keep the others.

    "Que Sera, Sera (Whatever Will Be, Will Be)" keeps its group: no version word.
    If nothing would be left ("(Live)"), nothing is taken.
    """
    found_versions: list[tuple[str, frozenset[str], int | None]] = []
    credits: list[str] = []
    kept: list[str] = []
    last = 0
    for start, end in _bracket_spans(text):
        inner = text[start + 1 : end - 1].strip()
        feat = _FEAT_GROUP.match(inner)
        found = None if feat or not versions else _classify(inner, strict=False)
        if feat and featured:
            credits.append(inner[feat.end() :].strip())
        elif found is not None:
            found_versions.append((inner, *found))
        else:
            continue
        kept.append(text[last:start])
        last = end
    if not found_versions and not credits:
        return _tidy(text), [], []
    kept.append(text[last:])
    # "Song - (Live)" leaves a dangling dash once the group is gone.
    rest = _tidy(" ".join(kept)).strip(" -–—:/,")
    return (rest, found_versions, credits) if rest else (_tidy(text), [], [])


def _split_version(title: str) -> tuple[str, list[tuple[str, frozenset[str], int | None]]]:
    rest, versions, _ = _take_groups(title, versions=True, featured=False)
    # "Song - Live at Wembley - 2011 Remaster": peel strict dash suffixes from the end.
    while True:
        dashes = list(_DASH.finditer(rest))
        if not dashes:
            break
        head, tail = rest[: dashes[-1].start()].strip(), rest[dashes[-1].end() :].strip()
        found = _classify(tail, strict=True) if head else None
        if found is None:
            break
        versions.insert(0, (tail, *found))
        rest = head
    return rest, versions


def split_version(title: str) -> tuple[str, Version]:
    """The title without its version words, and those words as a `Version`.

    Versions are read from bracket groups anywhere ("(Live)", "[2011 Remaster]",
    "[From the Netflix Series Soundtrack]") and from " - " suffixes made only of
    version words ("Song - Live at Wembley", "Song - Remastered 2009"). A word
    that merely looks like one stays: "Live and Let Die" is a title.
    "(feat. X)" groups are left for `split_featured`.
    """
    rest, versions = _split_version(title)
    return rest, _merge(versions)


def split_featured(title: str) -> tuple[str, tuple[str, ...]]:
    """The title without "(feat. X)" / "[with X]" / trailing "feat. X", and the names credited.

    Names are `split_artists` candidates: the whole credit first, then its pieces.
    Unbracketed "with" and "x" are not credits in a title ("Dancing with a Stranger").
    """
    rest, _, credits = _take_groups(title, versions=False, featured=True)
    inline = _FEAT_INLINE.search(rest)
    if inline and rest[: inline.start()].strip():
        credits.append(rest[inline.end() :])
        rest = rest[: inline.start()].strip()
    names: list[str] = []
    for credit in credits:
        names += _names(credit)
    return rest, _unique(names)


# --- artists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ArtistCredit:
    """Who a credit names, as comparable candidates.

    `main[0]` is the whole main credit (everything before feat./ft./featuring/
    with/x/vs.); then come its "&", "," and "and" pieces. Those pieces are only
    *extra names to compare*, never a verdict, because "Simon & Garfunkel",
    "Earth, Wind & Fire" and "Mumford & Sons" are single acts while "Calvin
    Harris, Rihanna" is two. `featured` is built the same way from the rest.
    """

    main: tuple[str, ...] = ()
    featured: tuple[str, ...] = ()


_COLLAB = re.compile(r"(?i)(?<=\s)(?:feat\.?|ft\.?|featuring|with|w/|vs\.?|x|×)(?=\s)")
_PIECES = re.compile(r"(?i)\s*(?:&|,|\band\b)\s*")
_NEXT_X = re.compile(r"(?i)\s+[x×]\s")
# Acts whose name ends in a standalone "X": that X is never a collaboration separator.
_X_NAMES = re.compile(r"(?i)\b(?:lil nas|malcolm|generation|racer|brand|planet|professor)\s+x\b")


def _separators(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """Separator matches outside brackets and outside names like "Lil Nas X".

    An "x" directly followed by another " x " is a name's last letter
    ("Lil Nas X x Cardi B"), so only the second one splits.
    """
    inside = _bracket_spans(text) + [m.span() for m in _X_NAMES.finditer(text)]
    kept = []
    for m in pattern.finditer(text):
        if any(s <= m.start() < e for s, e in inside):
            continue
        if m.group().lower() in ("x", "×") and _NEXT_X.match(text, m.end()):
            continue
        kept.append(m)
    return kept


def _cut(text: str, matches: list[re.Match[str]]) -> list[str]:
    parts, last = [], 0
    for m in matches:
        parts.append(text[last : m.start()])
        last = m.end()
    parts.append(text[last:])
    return [p.strip(" ,;/-") for p in parts if p.strip(" ,;/-")]


def _names(credit: str) -> list[str]:
    credit = _tidy(credit).strip(" ,;")
    if not credit:
        return []
    pieces = [p.strip() for p in _PIECES.split(credit) if p.strip()]
    return [credit] + (pieces if len(pieces) > 1 else [])


def _unique(names: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return tuple(out)


def split_artists(artist: str) -> ArtistCredit:
    """Main and featured names of an artist credit ("Towkio feat. SZA", "Marshmello x Bastille").

    Only feat./ft./featuring/with/w//x/vs. divide main from featured: they are
    never part of an act's name, while "&", "," and "and" often are (see
    `ArtistCredit`). "x" is refused inside "Lil Nas X"-style names.
    """
    rest, _, credits = _take_groups(_tidy(artist), versions=False, featured=True)
    parts = _cut(rest, _separators(rest, _COLLAB))
    if not parts:
        return ArtistCredit(featured=_unique([n for c in credits for n in _names(c)]))
    featured = [n for p in parts[1:] + credits for n in _names(p)]
    return ArtistCredit(main=_unique(_names(parts[0])), featured=_unique(featured))


# --- queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryReading:
    """One way to read what someone typed: which part is the title, which the artist.

    Text is cleaned (versions and feat. credits taken out) but not folded, so
    it can be shown and sent to a source; compare with `fold`. `form` names the
    split: "given-artist", "artist-title", "title-artist", "title-by-artist",
    "artist-colon-title", "title" (whole text as a title although it had a
    separator) or "words" (no separator: title and artist words, in any order).
    """

    title: str
    artist: str | None
    version: Version
    featured: tuple[str, ...]
    form: str


_BY = re.compile(r"(?i)\s+by\s+(?=\S)")
_COLON = re.compile(r"(?<=\S):\s+(?=\S)")


def parse_query(text: str, artist: str | None = None) -> list[QueryReading]:
    """Every plausible reading of a free-text query, most likely first, without duplicates.

    "A - B" gives both A-as-artist and B-as-artist (people type both orders);
    "T by A" splits at each " by " (last first: "Stand by Me by Ben E. King");
    "A: T" is artist-colon-title; the whole text is always one more reading, so
    "Stand by Me" and "Blood - Water" still match as titles. The scorer tries
    every reading and keeps the best, so a wrong reading costs a lookup, not a
    wrong answer. An explicit `artist` comes first as "given-artist", its title
    being the text minus an echo of that artist ("Song - Artist"). Dashes need
    spaces around them, since "Jay-Z" and "Re-Run" are names.
    """
    core, group_versions, group_feat = _take_groups(_tidy(text))
    if not core:
        return []
    title_feat = [n for c in group_feat for n in _names(c)]
    readings: list[QueryReading] = []

    def add(title: str, who: str | None, form: str) -> None:
        title, versions = _split_version(title)
        title, feat = split_featured(title)
        credit = split_artists(who) if who else ArtistCredit()
        if not title or (who is not None and not credit.main):
            return
        reading = QueryReading(
            title=title,
            artist=credit.main[0] if credit.main else None,
            version=_merge(group_versions + versions),
            featured=_unique(title_feat + list(feat) + list(credit.featured)),
            form=form,
        )
        if all((r.title, r.artist) != (reading.title, reading.artist) for r in readings):
            readings.append(reading)

    dashes = list(_DASH.finditer(core))
    bys = list(_BY.finditer(core))
    # First and last of each separator only: enough for "Artist - Title - Live" and
    # "Stand by Me by Ben E. King" without one lookup per dash.
    dash_cuts = dashes[:1] + dashes[1:][-1:]
    by_cuts = (bys[:1] + bys[1:][-1:])[::-1]
    colon = _COLON.search(core)
    given = _tidy(artist or "")
    if given:
        title = core
        for m in dash_cuts + by_cuts:
            left, right = core[: m.start()].strip(), core[m.end() :].strip()
            if _same_artist(right, given):
                title = left
            elif m in dash_cuts and _same_artist(left, given):
                title = right
        add(title, given, "given-artist")
    whole, suffix_versions = _split_version(core)
    if suffix_versions or not _separated(core):
        # "elastic heart sia - live": the dash was a version, not a title/artist split.
        add(core, None, "title" if _separated(whole) else "words")
    for m in dash_cuts:
        left, right = core[: m.start()], core[m.end() :]
        add(right, left, "artist-title")
        add(left, right, "title-artist")
    for m in by_cuts:
        add(core[: m.start()], core[m.end() :], "title-by-artist")
    if colon:
        add(core[colon.end() :], core[: colon.start()], "artist-colon-title")
    add(core, None, "title")
    return readings


def _separated(text: str) -> bool:
    return bool(_DASH.search(text) or _BY.search(text) or _COLON.search(text))


def _same_artist(a: str, b: str) -> bool:
    return bool(a) and fold(strip_article(a)) == fold(strip_article(b))


# --- mashups and keys ------------------------------------------------------------------

_MASHUP = re.compile(
    r"(?i)(?<=\s)(?://|/|\+|×|x|vs\.?|versus|mash-?\s?up|mashed with)(?=\s)"
)


def split_mashup(text: str) -> list[str]:
    """Candidate parts of a mashup ("A / B", "A x B", "A vs B", "A mashup B"), or [] if none.

    Only a *candidate*: "Blood // Water" and "Florence + the Machine" are names,
    not mashups, and only the caller can tell. Contract: match each part on its
    own and keep the split only when every part matches well; otherwise match
    the whole text. Separators need spaces around them ("AC/DC" never splits),
    and nothing splits inside brackets or a name like "Lil Nas X".
    """
    text = _tidy(text)
    parts = _cut(text, _separators(text, _MASHUP))
    return parts if len(parts) > 1 else []


def match_key(title: str, artist: str) -> str:
    """A compact key for exact and duplicate detection: same song by the same act.

    The folded title without version or feat. credits, and the first main
    artist folded without a leading "the", both with spaces removed so "Good
    Bye" == "Goodbye". The version is left out on purpose: a live take and the
    studio cut share a key, and the `Version` tells them apart.
    """
    clean, _ = split_version(title)
    clean, _ = split_featured(clean)
    main = split_artists(artist).main
    who = fold(strip_article(main[0])) if main else ""
    return fold(clean).replace(" ", "") + "|" + who.replace(" ", "")
