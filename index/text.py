"""Word-level helpers shared by BM25, sentence scoring and follow-up rewriting."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

TOKEN = re.compile(r"(?u)\b\w\w+\b")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "dozens": "24",
}  # fmt: skip
# the months as the articles write them (matched in any case where users' typing is read)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_LIKE = re.compile(rf"\b(1[89]\d\d|20\d\d|{MONTHS})\b", re.IGNORECASE)
NUMBER_LIKE = re.compile(r"\b\d[\d,.]*\b|\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
# "more than 10", "over 160", "about 20", "10 other countries"
_QUANTITY = re.compile(
    r"(?P<q>more than|over|above|at least|greater than|nearly|almost|about|around|roughly|"
    r"approximately|some|up to|less than|fewer than|under)?\s*"
    r"\b(?P<n>\d[\d,]*(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")\b(?P<other>\s+other\b)?",
    re.IGNORECASE,
)
_QUALIFIER = {
    "more than": ">", "over": ">", "above": ">", "at least": ">", "greater than": ">",
    "nearly": "~", "almost": "~", "about": "~", "around": "~", "roughly": "~",
    "approximately": "~", "some": "~", "up to": "<", "less than": "<", "fewer than": "<",
    "under": "<",
}  # fmt: skip
# A run of capitalized words (names of people, places, organisations), which may hold "and", "of",
# "for" or "the" between capitalized words ("Belt and Road Science and Technology Exchange Conference").
# a capitalized word, camel case too ("McCarthy", "MeerKAT", "DeSantis", "OpenAI")
_CAP = r"(?:[A-Z][a-z’'\-]*[a-z](?:[A-Z][a-z’'\-]*[a-z]|[A-Z]+)*|[A-Z]{2,}|[A-Z])"
# "Northwest A&F University", "AT&T": an ampersand joins too
_NAME = re.compile(rf"\b{_CAP}(?:(?:[ &-]|\s(?:and|of|for|the|on|&)\s){_CAP})*\b")
# Words that make a capitalized run an organisation, place or event rather than a person.
ORG_WORDS = frozenset(
    "University Academy Academician's Institute Institution Garden Forum Society Conference Center Centre "
    "Park Bureau Ministry Embassy Organisation Organization Laboratory Laboratories Council Committee "
    "Office Station Array Telescope Initiative Award Project Program Programme Platform Union Daily "
    "Province City Republic Sciences Science Technology Research Association Agency Group Company "
    "Government State News Times Post Exchange Cooperation Road Belt Earth Network Digital Ocean "
    "Division Department School College Hospital Foundation Bank Fund Airlines".split()
)
TITLE_WORDS = frozenset(
    "Academician Professor Prof Dr Mr Mrs Ms Chief Researcher Scientist Deputy Director Minister "
    "Counselor President Chairman Chair Vice Manager Spanish Italian Chinese Australian German "
    "Kazakh Uruguayan American British French Senator Governor Mayor Secretary General Sir Lady "
    "Former Astrophysicist Dean Head Ambassador Premier King Queen Prince Princess".split()
)


_local = threading.local()


def _stemmer():  # type: ignore[no-untyped-def]
    """One Snowball stemmer per thread: PyStemmer's objects keep state between calls."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


# Words that shape a question but name nothing asked about; left out of a question's terms.
QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how many much does did do doing done is are was were "
    "be been tell me please know anything something about kind sort one ones say said says give "
    "name list describe explain happen happened s".split()
)


# Function words BM25's 33 stop words keep ("has", "so", "exactly", "some"): they name nothing a
# question asks about, yet each took a share of the question's weight in the answer step, and one
# no article uses ("so" of "so far") counted as missing (ask/answer.py MISSING_PENALTY). First and
# second persons, auxiliaries, determiners and the adverbs and fillers of typed questions; a
# question's terms leave them out, the BM25 search keeps them (docs/benchmarks.md, session 11).
# Third persons ("he", "his", "it", "their") stay: a sentence that says them goes on about someone
# or something, as a follow-up asking with them does (leaving them out lost 8 follow-ups).
FUNCTION_WORDS = frozenset(
    "i me my mine myself we us our ours ourselves you your yours yourself yourselves "
    "am has have had having can could would should shall may might must ought "
    "this that these those some any each every all both either neither such other another "
    "so very just really exactly actually basically even also still yet ever already again "
    "too quite rather perhaps maybe anyway anyhow somehow else "
    "than then thus hence however though although while whereas whether "
    "up down out off over under above below around among onto upon within without via "
    "here there now ago "
    "hey hi hello ok okay please pls plz thanks thank kinda sorta gonna wanna gotta "
    "got get gets getting guy guys thing things stuff".split()
)


# Words that say which one of a series or when ("the first forum", "the former chief scientist"),
# by class: the answer step matches them (ask/answer.py), the search asks for their other words
QUALIFIERS = {
    "current": "now", "currently": "now", "incumbent": "now",
    "former": "past", "previous": "past", "ex": "past",
    "first": "1", "inaugural": "1", "1st": "1", "maiden": "1",
    "second": "2", "2nd": "2", "third": "3", "3rd": "3", "fourth": "4", "4th": "4",
    "fifth": "5", "5th": "5",
}  # fmt: skip


# a sentence whose subject is a person's pronoun: "He told reporters ...", "Since joining ..., he
# has ..."; and one that opens with any pronoun or "this/these", whose words may be those of the
# sentence before ("Its data platform ...", "This global facility ...")
HE_SHE_OPENS = re.compile(r"^(?:[^.;]{0,160},\s+)?(?:he|she)\b", re.I)
# "It ...", "In 2021, its ...": not "Notably, Australia's CSIRO contributed ..., and since its launch,
# it has ...", which names what "it" is itself
IT_OPENS = re.compile(r"^(?:[A-Z][^.;A-Z]{0,80},\s+)?(?:[Ii]t|[Ii]ts)\b")
REFERS_BACK = re.compile(
    r"^(?:[^.;]{0,160},\s+)?(?:he|she|they|it|his|her|its|their|this|these)\b|^here\s*,", re.I
)
# "Here, astrophysicist Ma Yinzhe collaborates ...": where, the sentence before says
HERE_OPENS = re.compile(r"^here\s*,", re.I)


# nouns that name a person by role or trade: "which minister ...?" asks for a person
PERSON_NOUNS = (
    "researcher|scientist|minister|professor|chairman|chair|director|person|official|academician|"
    "president|leader|manager|astrophysicist|ecologist|expert|counselor|spokesperson|player|"
    "member|representative|diplomat|ambassador|envoy|astronomer|physicist|biologist|engineer|"
    "scholar|academic|politician|governor|mayor|secretary|deputy|winner|recipient|laureate|"
    "author|ceo|founder|actor|singer|coach|"
    # people news quizzes ask for (rtqa 2023-25 training weeks' questions)
    "superstar|celebrity|musician|artist|rapper|comedian|actress|athlete|billionaire|"
    "lawmaker|senator|judge|justice|candidate|journalist|activist|entrepreneur"
)


# a qualifier as a word of its own or "ex-" ("ex-head"), not one joined on ("second-in-command",
# "first-hand")
QUALIFIER_WORD = re.compile(
    r"\bex(?=-)|\b(?:" + "|".join(sorted(QUALIFIERS, key=len, reverse=True)) + r")\b(?!-\w)",
    re.I,
)


# "when did the forum start?" asks when the first one was: "Since the inaugural forum was held in
# 2022", not "the 2024 Tengchong Scientists Forum". Not an activity's start ("when did its
# construction start?"), nor something only a pronoun names (what it is, the focus knows)
STARTED = re.compile(
    r"^\W*(?:when|what year|which year|in what year|in which year)\b"
    r"(?!.*\b(?:it|its|they|their|them|construction|work|works|operations?|building|development|"
    r"testing|production|research|talks|negotiations)\b)"
    r".*?\b(?P<start>start|started|begin|began|begun|kick(?:ed)? off|get started)\s*\W*$",
    re.I,
)


def qualifier_alike(text: str) -> list[str]:
    """The other words of the qualifiers ``text`` says ("first" -> "inaugural", "maiden", "1st"):
    what the search also asks for, as "the first forum" is "the inaugural forum"; "when did it
    start?" asks for the first one."""
    said = {m.group().lower() for m in QUALIFIER_WORD.finditer(text)}
    classes = {QUALIFIERS[w] for w in said}
    if not any(c.isdigit() for c in classes) and STARTED.search(text):
        classes.add("1")
    return [w for w, c in QUALIFIERS.items() if c in classes and w not in said]


def query_terms(text: str) -> list[str]:
    """Stemmed content words of a question, without question words and function words;
    duplicates removed."""
    stop = stopwords() | QUESTION_WORDS | FUNCTION_WORDS
    kept = [w for w in words(text) if w not in stop]
    return list(dict.fromkeys(stem_words(kept)))


def words(text: str) -> list[str]:
    """Lower-cased word tokens, as BM25 sees them before stop words and stemming."""
    return TOKEN.findall(text.lower())


def stem_words(tokens: list[str]) -> list[str]:
    """Snowball stems of lower-cased word tokens."""
    return list(_stemmer().stemWords(tokens))


def word_terms(text: str, is_word: Callable[[str], bool] | None) -> frozenset[str]:
    """The stems of the words of ``text`` that are real words (``is_word``: MiniLM's vocabulary
    holds them, index/embedder.py): a term the spelling mender must leave alone."""
    if is_word is None:
        return frozenset()
    return frozenset(stem_words([w for w in words(text) if is_word(w)]))


class CloseWords:
    """The closest word of a vocabulary to a misspelled one ("scientst" -> "scientist"): rapidfuzz's
    ratio (0-100) of at least ``cutoff`` among the words of the same first letter, the more
    frequent on a tie (``counts``). One dropped or swapped letter in a 7-9 letter word scores 88-94,
    while unrelated words of one first letter rarely pass 80. The letter buckets are built on
    first use."""

    def __init__(
        self,
        vocab: Iterable[str],
        cutoff: float,
        min_chars: int,
        counts: dict[str, int] | None = None,
    ) -> None:
        self._vocab = vocab
        self._cutoff = cutoff
        self._min_chars = min_chars
        self._counts = counts or {}
        self._by_letter: dict[str, list[str]] | None = None

    def closest(self, word: str) -> str | None:
        from rapidfuzz import fuzz, process

        if self._by_letter is None:
            by_letter: dict[str, list[str]] = {}
            for w in self._vocab:
                if len(w) >= self._min_chars - 1 and not w.isdigit():
                    by_letter.setdefault(w[0], []).append(w)
            self._by_letter = by_letter
        bucket = self._by_letter.get(word[0], [])
        found = process.extract(word, bucket, scorer=fuzz.ratio, score_cutoff=self._cutoff)
        if not found:
            # two letters swapped in a short word ("frist" for "first") score under the cutoff
            # (80 for five letters); the same letters, one swap apart, are that word
            swapped = [w for w in bucket if sorted(w) == sorted(word) and _one_swap(w, word)]
            if not swapped:
                return None
            return max(swapped, key=lambda w: self._counts.get(w, 0))
        return str(max(found, key=lambda f: (f[1], self._counts.get(f[0], 0)))[0])


def _one_swap(a: str, b: str) -> bool:
    """``a`` is ``b`` with two neighbouring letters swapped."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]


def terms(text: str) -> list[str]:
    """Stemmed content words: the same tokens the BM25 index holds."""
    stop = stopwords()
    return stem_words([w for w in words(text) if w not in stop])


@lru_cache(maxsize=8192)  # sentences recur across questions; callers only read the result
def quantities(text: str) -> dict[str, str]:
    """Numbers in ``text`` mapped to their qualifier class: '=', '>', '~' or '<'."""
    found: dict[str, str] = {}
    for m in _QUANTITY.finditer(text):
        raw = m.group("n").lower()
        value = _NUMBER_WORDS.get(raw, raw.replace(",", ""))
        qual = _QUALIFIER.get((m.group("q") or "").lower().strip(), "=")
        if m.group("other"):
            qual = ">"  # "10 other countries" besides those named: more than 10 in all
        found.setdefault(value, qual)
    return found


_PLACE_WORDS = frozenset("in at from to of across near throughout into".split())
_PLACE_BEFORE = re.compile(rf"\b(?:{'|'.join(_PLACE_WORDS)})\s+(?:the\s+)?$")


def _in_title(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` stands in quotation marks around words in title case: a title, a
    theme, a slogan; not someone's words, which may name people."""
    before = text[:start]
    for opening, closing in (("“", "”"), ('"', '"')):
        at = before.rfind(opening)
        if at < 0 or (opening != closing and before.count(opening) <= before.count(closing)):
            continue
        if opening == closing and before.count(opening) % 2 == 0:
            continue
        after = text.find(closing, end)
        if after >= 0:
            long_words = [w for w in text[at + 1 : after].split() if len(w) >= 4]
            return all(w[0].isupper() for w in long_words)
    return False


@lru_cache(maxsize=8192)
def person_names(text: str) -> tuple[str, ...]:
    """Likely person names in order: 2-3 capitalized words after titles are dropped, no organisation
    words, not after "in", "of", "from" ... (places), not in a quoted title ("… and Artificial
    Tissues”")."""
    found: list[str] = []
    for m in _runs(text):
        parts = m.group().replace("-", " - ").split()
        if any(p in ORG_WORDS or p.islower() for p in parts):
            continue
        if parts[0].lower() in _PLACE_WORDS or _PLACE_BEFORE.search(
            text, max(0, m.start() - 12), m.start()
        ):
            continue  # "in South Africa", "of Hong Kong": a place
        if _in_title(text, m.start(), m.end()):
            continue  # "the theme of “Organoids, Bioprinting, and Artificial Tissues”"
        while parts and (
            parts[0] in TITLE_WORDS or parts[0].lower() in stopwords() | QUESTION_WORDS
        ):
            parts = parts[1:]
        parts = [p for p in parts if p != "-"]
        name = " ".join(parts)
        if name.lower() in countries():
            continue  # "the United Kingdom", "Sri Lanka" are no people
        if 2 <= len(parts) <= 3 and not any(p.isupper() and len(p) > 1 for p in parts):
            found.append(name)
    return tuple(found)


_JOINED = re.compile(rf"{_CAP}(?:[ &-]{_CAP})*")


def _runs(text: str) -> Iterator[re.Match[str]]:
    """The capitalized runs of ``text``; one that joins a name of a person and where the person is
    from by "of" gives that name too: "Kirsty Coventry of Zimbabwe" (an organisation's "Academy of
    Sciences" is left out later by its words; "and" joins organisations' names more often:
    "China-Kazakhstan Grain and Oil Crop ... Park")."""
    for m in _NAME.finditer(text):
        yield m
        if " of " in m.group():
            head = _JOINED.match(text, m.start())
            if (
                head is not None
                and text.startswith(" of ", head.end())
                and head.group().split()[-1] not in TITLE_WORDS  # "Uruguay's Minister of ..."
                and not re.search(r"[’']s\b", head.group())
            ):
                yield head


@lru_cache(maxsize=8192)
def titled_names(text: str) -> tuple[str, ...]:
    """Names that follow a title, one word long included ("Deputy Manager Aizhibai" gives "Aizhibai")."""
    found: list[str] = []
    for m in _NAME.finditer(text):
        parts = m.group().split()
        if not parts or parts[0] not in TITLE_WORDS:
            continue
        while parts and parts[0] in TITLE_WORDS:
            parts = parts[1:]
        if 1 <= len(parts) <= 3 and not any(p in ORG_WORDS or p.islower() for p in parts):
            found.append(" ".join(parts))
    # the name after the office it holds: "Minister of Livestock, Agriculture, and Fisheries,
    # Flati, extended a warm welcome"
    found += [
        m.group("name")
        for m in _OFFICE_THEN_NAME.finditer(text)
        if not set(m.group("name").split()) & ORG_WORDS
    ]
    return tuple(found)


# the titles that name an office ("Minister of ..."), not a nationality or a rank
_OFFICES = TITLE_WORDS - set(
    "Spanish Italian Chinese Australian German Kazakh Uruguayan American British French Former "
    "Chief".split()
)
_OFFICE_THEN_NAME = re.compile(
    rf"\b(?:{'|'.join(sorted(_OFFICES))})"
    r"\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w’'&-]*(?:(?:,\s*|\s+)(?:and\s+|&\s+|of\s+|for\s+)?[A-Z][\w’'&-]*)*"
    r",\s+(?P<name>[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+){0,2})(?=\s*,|\s+[a-z])"
)


@lru_cache(maxsize=8192)
def names(text: str) -> frozenset[str]:
    """Capitalized word runs that are not just the first word of the sentence."""
    out: set[str] = set()
    for m in _NAME.finditer(text):
        name = m.group()
        if m.start() == 0 and " " not in name and name.lower() in stopwords():
            continue
        out.add(name)
    return frozenset(out)


def name_spans(text: str) -> list[tuple[int, int, str]]:
    """``names`` with their positions, in order of appearance."""
    out: list[tuple[int, int, str]] = []
    for m in _NAME.finditer(text):
        name = m.group()
        if m.start() == 0 and " " not in name and name.lower() in stopwords():
            continue
        out.append((m.start(), m.end(), name))
    return out


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Country, territory and continent names in English (CLDR, through Babel), lower case."""
    from babel import Locale

    return frozenset(name.lower() for name in Locale("en").territories.values())
