"""What a viewer's words mean: filler, episode references, position words, stems and numbers.

Viewers ask "the portishead one", "last song in the finale", "ep 4 dance",
"song when nellie falls". `understand()` splits such text, once, into the words
that should score, an episode it names, and whether it asks for the start or
the end of an episode. Pure functions over strings: the CLI and the web page
read the same `Query`, and tests need no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer  # PyStemmer: the Snowball algorithms in C

from cuesheet.notation.normalize import fold

# Words that frame a question and say nothing about which cue ("the one that
# goes", "what song plays when"). They never score; a question of nothing else
# is answered "nothing matches", not with a list of ties. "one" is here because
# viewers say "the portishead one", never the number one.
FILLER = frozenset(
    """a an the and or of to in on at by for from with into onto over under is are was were be been
    it its his her hers him she he they them their this that these those there here
    when where while what which who whom whose why how
    do does did done i im me my you your we our us s t
    song songs track tracks music tune tunes number scene scenes episode episodes ep eps show
    play plays playing played sing sings sang sung singing goes go went called named name
    one part bit some about like just then very really thing kind sort
    up out off get gets got getting gotten also too between versus vs against
    whats whos wheres whens hows thats theres heres ive id ill youre theyre dont doesnt didnt""".split()
)

# Chat and judgement: how a viewer feels about the song or frames the question ("ok so i was
# watching ... this really sweet old song, what is it"). They neither match nor sink an answer:
# "sweet" in a question is the viewer's taste, not a word of the scene.
MOOD = frozenset(
    """sad sadder saddest sweet amazing amazingly beautiful beautifully gorgeous great good best better
    nice lovely cute catchy favorite favourite fave awesome cool epic emotional touching haunting
    upbeat heartbreaking heartbreaker romantic pretty perfect iconic incredible fantastic wonderful
    awful terrible weird strange old slow fast loud soft banger bop jam tearjerker
    ok okay so um uh er hmm lol omg wow yeah yes no hey hi hello please pls plz thanks thank help
    anyone anybody someone somebody know knows tell remember recall wondering wonder wondered
    looking look trying try find identify id
    watching watched watch saw see seen seeing heard hear hearing listening listened
    literally totally actually basically honestly definitely probably maybe think thought guess
    guy guys girl dude lady gal man woman person people
    netflix tv series ago night yesterday""".split()
)

# Position words: where in the episode the cue plays. "cold open" is read as one phrase.
START_WORDS = frozenset("first opening opens open start starts starting beginning begins intro".split())
END_WORDS = frozenset("end ends ending last closing closes close final finally".split())

NUMBER_WORDS = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                     "eighty": 80, "ninety": 90, "hundred": 100})
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}
_ORDINAL_DIGITS = re.compile(r"^([0-9]+)(?:st|nd|rd|th)$")

_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """Snowball's English stem, so "falling"/"falls", "rejected"/"rejection" meet."""
    return _STEMMER.stemWord(word)


def number_value(word: str) -> int | None:
    """`fifty`, `fiftieth`, `50th`, `50` -> 50; other words -> None."""
    if word.isdigit() and len(word) <= 6:
        return int(word)
    if (m := _ORDINAL_DIGITS.match(word)) and len(m.group(1)) <= 6:
        return int(m.group(1))
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    return ORDINALS.get(word)


@lru_cache(maxsize=8192)
def key(word: str) -> str:
    """The form two words are compared in: a number's digits, else the Snowball stem."""
    n = number_value(word)
    return str(n) if n is not None else stem(word)


_APOSTROPHES = re.compile(r"['`´ʼ’‘′]")
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]\.){2,}")


def words(text: str) -> list[str]:
    """Lower-case ASCII words, apostrophes deleted ("ain't" -> "aint"), as `fold` makes them,
    but number words kept as they are: "the portishead one" is not the number 1."""
    text = _APOSTROPHES.sub("", text)
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)  # "U.S.A." is "usa"
    if not text.isascii():
        text = fold(text)  # transliteration; its number words are rare outside ASCII text
    return re.findall(r"[a-z0-9]+", text.lower().replace("&", " and ").replace("+", " and "))


def spellings(word: str) -> list[str]:
    """Other ways a number is written ("fifty" -> "50", "50th", "fiftieth"), for recall."""
    n = number_value(word)
    if n is None:
        return [word]
    out = [word, str(n)]
    out += [w for w, v in NUMBER_WORDS.items() if v == n] + [w for w, v in ORDINALS.items() if v == n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    out.append(f"{n}{suffix}")
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class EpisodeRef:
    """An episode named inside search text: a number (maybe with season), or first/last."""

    number: int | None = None
    season: int | None = None
    which: str | None = None  # "first" or "last" when named by place, not number
    said: str = ""

    def describe(self) -> str:
        if self.which:
            return f"the {self.which} episode" + (f" of season {self.season}" if self.season is not None else "")
        if self.season is not None:
            return f"S{self.season:02d}E{self.number:02d}"
        return f"episode {self.number}"


@dataclass(frozen=True)
class Query:
    """A question taken apart: `words` score, `filler` does not, the rest narrows or orders."""

    text: str
    words: tuple[str, ...]
    filler: tuple[str, ...] = ()
    # Chat and judgement words ("sad", "amazing", "watching"): said back, never scored.
    mood: tuple[str, ...] = ()
    episode: EpisodeRef | None = None
    position: str | None = None  # "start" or "end"
    position_words: tuple[str, ...] = field(default=())
    # The question without its episode reference and "cold open": filler, words and all.
    remainder: str = ""
    # A season named without an episode ("season 5", "s5"): it narrows, it does not score.
    season: int | None = None

    @property
    def all_words(self) -> tuple[str, ...]:
        return tuple(words(self.remainder))

    @property
    def phrase(self) -> str:
        """The question's words without episode and position words: for whole-title matches."""
        return " ".join(w for w in self.all_words if w not in self.position_words)


_NUM = r"([0-9]+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
_ORD = "(" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + r"|[0-9]+(?:st|nd|rd|th))"
# Order matters: the longest, most specific notation first, each removed once found.
_EPISODE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bs(?:eason)?\s*([0-9]+)\s*,?\s*(?:episode|ep|e)\s*([0-9]+)\b"), "se"),
    (re.compile(r"\b([0-9]+)x([0-9]+)\b"), "se"),
    # "season 5 finale", "s5 premiere": the first or last episode of that season.
    (re.compile(r"\bs(?:eason)?\s*([0-9]+)\s*(?:s\s+)?(finale|premiere|final\s+episode|last\s+episode"
                r"|first\s+episode)\b"), "season-place"),
    (re.compile(r"\b(?:the\s+)?(?:season\s+)?(?:finale|final\s+episode|last\s+episode)\b"), "last"),
    (re.compile(r"\b(?:the\s+)?(?:season\s+)?(?:pilot|first\s+episode|premiere|series\s+premiere)\b"), "first"),
    (re.compile(r"\b(?:episode|ep|e|track)\s*" + _NUM + r"\b"), "n"),
    (re.compile(r"\b(?:the\s+)?" + _ORD + r"\s+(?:episode|ep)\b"), "ord"),
]
# "last night", "first time", "at first": time words of the viewer's life, not of the episode.
_NOT_POSITION = re.compile(
    r"\b(?:last|first|final)\s+(?:night|week|weekend|time|year|month|day|summer|winter)\b"
    r"|\bat\s+first\b|\bthe\s+other\s+(?:day|night)\b"
)


def find_episode_ref(text: str) -> tuple[EpisodeRef | None, str]:
    """The first episode reference in folded text, and the text without it."""
    for pattern, kind in _EPISODE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        rest = (text[: m.start()] + " " + text[m.end():]).strip()
        said = m.group(0).strip()
        if kind == "se":
            season, number = number_value(m.group(1)), number_value(m.group(2))
            if season is None or number is None:  # a 7-digit "season" is not an episode reference
                continue
            return EpisodeRef(number, season, said=said), rest
        if kind == "season-place":
            season = number_value(m.group(1))
            if season is None:
                continue
            which = "first" if m.group(2) in ("premiere", "first episode") else "last"
            return EpisodeRef(which=which, season=season, said=said), rest
        if kind in ("first", "last"):
            return EpisodeRef(which=kind, said=said), rest
        value = number_value(m.group(1))
        if value:
            return EpisodeRef(value, said=said), rest
    return None, text


_SEASON = re.compile(r"\b(?:season\s*" + _NUM + r"|s([0-9]+)|" + _ORD + r"\s+season)\b")


def find_season(text: str) -> tuple[int | None, str]:
    """A season named on its own ("season 5", "s5", "season five", "the fifth season")."""
    m = _SEASON.search(text)
    if not m:
        return None, text
    value = number_value(next(g for g in m.groups() if g))
    if not value or value > 999:
        return None, text
    return value, (text[: m.start()] + " " + text[m.end():]).strip()


def understand(text: str) -> Query:
    """Take a viewer's question apart (see the module docstring)."""
    folded = " ".join(words(text))
    episode, rest = find_episode_ref(folded)
    season = None
    if episode is None or episode.season is None:
        season, rest = find_season(rest)
        if episode is not None and season is not None:  # "the finale of season 5", "ep 5 of season 5"
            episode = EpisodeRef(episode.number, season, episode.which, said=f"{episode.said} season {season}")
            season = None
    position = None
    position_words: list[str] = []
    chat: list[str] = []
    for m in reversed(list(_NOT_POSITION.finditer(rest))):
        chat += m.group(0).split()
        rest = (rest[: m.start()] + " " + rest[m.end():]).strip()
    if m := re.search(r"\bcold open(?:ing|s)?\b", rest):
        position, position_words = "start", m.group(0).split()
        rest = (rest[: m.start()] + " " + rest[m.end():]).strip()
    kept: list[str] = []
    filler: list[str] = []
    for w in rest.split():
        if w in START_WORDS or w in END_WORDS:
            side = "start" if w in START_WORDS else "end"
            position = position or side
            position_words.append(w)
        elif w in FILLER:
            filler.append(w)
        elif w in MOOD:
            chat.append(w)
        else:
            kept.append(w)
    return Query(
        text=text,
        words=tuple(dict.fromkeys(kept)),
        filler=tuple(filler),
        mood=tuple(chat),
        episode=episode,
        position=position,
        position_words=tuple(position_words),
        remainder=rest,
        season=season,
    )


# An episode argument that is only a place word: `what soundtrack last`, `--upto final`.
_BARE_PLACE = {"first": "first", "last": "last", "final": "last", "latest": "last", "newest": "last",
               "premiere": "first", "opener": "first"}


def episode_place(text: str) -> str | None:
    """"first"/"last" when an episode argument names one by place ("pilot", "last episode", "finale",
    a bare "last")."""
    said = " ".join(words(text))
    if said in _BARE_PLACE:
        return _BARE_PLACE[said]
    ref, rest = find_episode_ref(said)
    if ref is not None and ref.which and not rest.strip():
        return ref.which
    return None


def episode_number(text: str) -> int | None:
    """An episode argument in words ("episode four", "the fourth episode", "ep four", a bare
    "four", "fourth" or "4th"); bare digits are left to `episodes.parse_episode`."""
    said = " ".join(words(text))
    bare = said[4:] if said.startswith("the ") else said
    if bare and " " not in bare and not bare.isdigit() and (n := number_value(bare)):
        return n
    ref, rest = find_episode_ref(said)
    if ref is not None and ref.number and ref.season is None and not rest.strip():
        return ref.number
    return None
