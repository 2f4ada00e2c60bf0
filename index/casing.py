"""The corpus's own spelling of names, to restore in questions typed in lower case.

Users type "ska telescope construction start date" or "who is ma yinzhe". Everything in the answer
step and the follow-up resolution that finds names (index/text.py ``names``, ask/focus.py
``mentions``) reads capital letters, so a lower-case question names nothing: a follow-up's "it"
then fell on a name the answer mentioned in passing ("what's it nicknamed?" after "ska telescope
construction start date" became "what's China nicknamed?"), and a name the question already says
counted as new in an answer sentence.

The table is learned from the indexed passages when BM25 is built (one pass, ~1 s for 90,000
passages): for each word, how it is written where it does not start a sentence, and each
capitalized run (a name, "Tengchong Science Award") by its lower-case form. ``restore`` rewrites
only the question's all-lower-case words: a run of them that the corpus writes as one name becomes
that name ("tengchong science award" -> "Tengchong Science Award"), and a single word becomes
capitalized when the corpus writes it so at least ``WORD_SHARE`` of the time and at least twice
("yinzhe" -> "Yinzhe"; "fast" stays when the corpus also says "fast radio bursts" often enough).
A word the corpus writes capitalized every time but too seldom for that ("Deputy Manager Aizhibai",
"(DDE)" once) is given its form only when it is no English word ("aizhibai" -> "Aizhibai", "dde"
-> "DDE"; "crop" of "Institute of Crop Sciences" stays).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from index.text import (
    ORG_WORDS,
    TITLE_WORDS,
    CloseWords,
    countries,
    name_spans,
    stem_words,
    stopwords,
)

# share of a word's mid-sentence occurrences written capitalized (any capital) for a lower-case
# question word to be given that form
# what ``learn`` does: a saved table of another version is learned again (index/bm25.py); 7:
# names in camel case ("MeerKAT") are names (index/text.py); 8: names the corpus writes once
VERSION = 8
# a misspelled question word is mended to a corpus word at least this similar (index/text.py
# CloseWords), as BM25's terms are (index/bm25.py)
SPELL_MIN = 85.0
SPELL_MIN_CHARS = 5
# question words run together with "is", as users type them ("whats the full name")
_RUN_TOGETHER = {"whats": "what is", "wheres": "where is", "whos": "who is", "hows": "how is"}
# short forms people type in chat, written out when the articles only use the long word
_SHORT_FORMS = {
    "intl": "international", "int'l": "international", "govt": "government",
    "dept": "department", "univ": "university", "uni": "university", "natl": "national",
    "assoc": "association", "approx": "approximately", "info": "information",
    "yr": "year", "yrs": "years", "ppl": "people", "org": "organization",
    "orgs": "organizations", "bn": "billion", "mln": "million", "prez": "president",
}  # fmt: skip
# British and American spellings of one word ("organisations", "organizations"; "centre",
# "center"): the one the articles use is taken
_SPELLINGS = [
    (re.compile(r"(?<=\w{3})is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=\w{3})iz(e|es|ed|ing|ation|ations|er|ers)$"), r"is\1"),
    (re.compile(r"(?<=\w{3})ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w{3})yz(e|es|ed|ing)$"), r"ys\1"),
    (re.compile(r"(?<=\w{3})our(s|ed|ing|ite|ites|able)?$"), r"or\1"),
    (re.compile(r"(?<=\w{2}[^aeiou])or(s|ed|ing|ite|ites|able)?$"), r"our\1"),
    (re.compile(r"(?<=\w{3})tre(s)?$"), r"ter\1"),
    (re.compile(r"(?<=\w{3})ter(s)?$"), r"tre\1"),
    (re.compile(r"(?<=\w{3})ogue(s)?$"), r"og\1"),
    (re.compile(r"(?<=\w{3})og(s)?$"), r"ogue\1"),
    (re.compile(r"(?<=\w{3})mme(s)?$"), r"m\1"),
    (re.compile(r"(?<=\wram)(s)?$"), r"me\1"),
    (re.compile(r"(?<=\w{3})ence(s)?$"), r"ense\1"),
    (re.compile(r"(?<=\w{3})ense(s)?$"), r"ence\1"),
    # "travelled", "modelling", "labelled": long words only ("filled" is no "filed")
    (re.compile(r"(?<=\w{4})ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"(?<=\w{3}[aeiou])l(ed|ing|er|ers)$"), r"ll\1"),
]
# two long names this alike (rapidfuzz ratio) are one name spelled two ways
SPELLINGS_ALIKE = 95.0
WORD_SHARE = 0.9
WORD_MIN = 2
MAX_WORDS = 10  # the longest name looked up as one run
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_POSSESSIVE = re.compile(r"['’]s$", re.I)
# a word that starts a sentence, a line, a quotation or a dash's aside ("— Written on the
# Occasion of ..."): its capital says nothing (a name run there may still begin with the
# sentence's own first word: "When Chinese young scholars ...")
_OPENS = re.compile(r"(?:^|[.!?:;][”\"’)]*\s+|\n\s*|[“\"‘(—–]\s*)$")


# an acronym as users type one: "CAS", "UK" (a plural "NGOs" is left alone)
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_ACRONYM_ANY_CASE = re.compile(r"\b(?:[A-Z]{2,6}|[a-z]{3,6})\b")


def _initials(names: Iterable[str]) -> dict[str, str]:
    """Each set of initials ("CAS") that exactly one name has ("Chinese Academy of Sciences"; the
    small words skipped), to that name."""
    stop = stopwords()
    found: dict[str, set[str]] = {}
    for name in names:
        name = _POSSESSIVE.sub("", name)  # "Belt and Road Initiative's"
        first, _, rest = name.partition(" ")
        variants = [name]
        if rest and (first in TITLE_WORDS or _POSSESSIVE.search(first)):
            # "Australian Commonwealth Scientific and Industrial Research Organization",
            # "Australia's Commonwealth ...": the name is also the one without them ("CSIRO")
            variants.append(rest)
        for variant in variants:
            parts = [p for p in variant.split(" ") if p.lower() not in stop]
            if (
                len(parts) < 2
                or not all(p[:1].isupper() for p in parts)
                or parts[-1] in TITLE_WORDS
            ):
                continue  # "... and President": two names run together
            if len(parts) == 2 and variant.lower() not in countries():
                continue  # two letters are too many things ("CA"); "UK" is a country's
            found.setdefault("".join(p[0] for p in parts), set()).add(variant)
    out: dict[str, str] = {}
    for k, v in found.items():
        # the start of a long name (Casing.learn adds them) is no name of its own
        whole = sorted(n for n in v if not any(o != n and o.startswith(n) for o in v))
        if len(whole) == 1 or (whole and _spellings_of_one(whole)):
            out[k] = whole[0]
    return out


def _count(parts: list[str], alone: Counter[str], runs: dict[str, Counter[str]]) -> None:
    """Counts a name's words: a name of one word alone, a longer one as a run. A person's name
    after a title is counted on its own too ("Deputy Manager Aizhibai": "Aizhibai"; "Professor
    Zhang Zhengmao": "Zhang Zhengmao"), unless what follows is an organisation's ("Chinese
    Academy of Sciences")."""
    if len(parts) == 1:
        alone[parts[0].lower()] += 1
    elif 2 <= len(parts) <= MAX_WORDS:
        run = " ".join(parts)
        runs.setdefault(run.lower(), Counter())[run] += 1
    core = parts
    while len(core) > 1 and core[0] in TITLE_WORDS:
        core = core[1:]
    if core is not parts and len(core) <= 3 and not set(core) & ORG_WORDS:
        _count(core, alone, runs)


def _spellings_of_one(names: list[str]) -> bool:
    """The names are one name spelled two ways ("... Research Organisation", "... Research
    Organization")."""
    from rapidfuzz import fuzz

    return all(fuzz.ratio(names[0].lower(), n.lower()) >= SPELLINGS_ALIKE for n in names[1:])


class Casing:
    """Lower-case word -> its usual written form; lower-case name run -> the name as written."""

    def __init__(
        self,
        words: dict[str, str],
        runs: dict[str, str],
        vocab: dict[str, int] | None = None,
        rare: dict[str, str] | None = None,
    ) -> None:
        self.words = words
        self.runs = runs
        # words never written in lower case, too seldom for ``words`` ("Aizhibai", "DDE" once):
        # given their form only when they are no English word (``restore``'s ``is_word``)
        self.rare = rare or {}
        self.vocab = vocab or {}  # every word of the corpus, lower case: how often it occurs
        self._longest = max((r.count(" ") + 1 for r in runs), default=1)
        self._close: CloseWords | None = None
        self._stems: set[str] | None = None
        self._initials: dict[str, str] | None = None

    @classmethod
    def learn(cls, texts: Iterable[str]) -> Casing:
        stop = stopwords()
        # words capitalized because they belong to names ("University", "Deputy"): alone, they
        # are the common noun
        common = {w.lower() for w in ORG_WORDS | TITLE_WORDS}
        forms: dict[str, Counter[str]] = {}
        runs: dict[str, Counter[str]] = {}
        opening: list[list[str]] = []
        vocab: Counter[str] = Counter()
        alone: Counter[str] = Counter()  # names of one word, mid-sentence
        for text in texts:
            for m in _WORD.finditer(text):
                vocab[m.group().lower()] += 1
                word = m.group()
                if _OPENS.search(text, max(0, m.start() - 6), m.start()) and not (
                    len(word) > 1 and word.isupper()  # "(DDE)": an acronym anywhere
                ):
                    continue
                forms.setdefault(word.lower(), Counter())[word] += 1
            for start, _, name in name_spans(text):
                parts = name.split(" ")
                if parts[0].lower() in stop:
                    parts = parts[1:]  # "In July" starting a sentence, "The Chinese Academy ..."
                elif _OPENS.search(text, max(0, start - 6), start):
                    opening.append(parts)  # "When Chinese ...": settled once words are counted
                    continue
                _count(parts, alone, runs)
        for parts in opening:
            if forms.get(parts[0].lower(), Counter())[parts[0].lower()]:
                parts = parts[1:]  # also written in lower case: the sentence's own capital
            _count(parts, alone, runs)
        words: dict[str, str] = {}
        rare: dict[str, str] = {}
        for low, seen in forms.items():
            if low in stop or low in common:
                continue
            total = sum(seen.values())
            capital = sum(c for w, c in seen.items() if not w.islower())
            form = max((w for w in seen if not w.islower()), key=lambda w: seen[w], default=low)
            # a word seen capitalized only inside longer names ("Crop") is a noun
            if alone[low] and capital >= WORD_MIN and capital >= WORD_SHARE * total:
                words[low] = form
            elif capital == total and (alone[low] or (len(form) > 1 and form.isupper())):
                # a name of its own ("Aizhibai" of "Deputy Manager Aizhibai") or an acronym
                # ("DDE"), too seldom for ``words``; restored only when it is no English word
                rare[low] = form
        named = {low: seen.most_common(1)[0][0] for low, seen in runs.items()}
        # the start of a long name stands for it ("aijiu agricultural products park"): its first
        # two words or more, when no other name starts with those words differently written
        for name in list(named.values()):
            parts = name.split(" ")
            for n in range(2, len(parts)):
                if parts[n - 1].lower() not in stop:
                    named.setdefault(" ".join(parts[:n]).lower(), " ".join(parts[:n]))
        return cls(words, named, dict(vocab), rare)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "words": self.words,
            "runs": self.runs,
            "vocab": self.vocab,
            "rare": self.rare,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Casing:
        """The saved table; ValueError when it was learned by another version of ``learn``."""
        if data.get("version") != VERSION:
            raise ValueError(f"casing table version {data.get('version')!r}, not {VERSION}")
        return cls(dict(data["words"]), dict(data["runs"]), dict(data["vocab"]), dict(data["rare"]))

    def spell(self, question: str, is_word: Callable[[str], bool] | None = None) -> str:
        """``question`` with each lower-case word the corpus never uses replaced by the closest
        one it does ("scientst" -> "scientist", "telscope" -> "telescope", "germny" ->
        "germany"; index/text.py CloseWords). Short words, numbers, anything typed with a capital,
        other forms and shorter forms of corpus words stay as they are, and so do a word with no
        close match and a real word (``is_word``: one MiniLM's vocabulary holds whole, or an
        inflection of one; "started" is no misspelling of "stated", nor "tackling" of "taking")."""
        if not self.vocab:
            return question
        if self._stems is None:  # built once, on the first question
            self._stems = set(stem_words(list(self.vocab)))
        stems = self._stems

        def fix(m: re.Match[str]) -> str:
            word = m.group()
            if word.lower() in _RUN_TOGETHER:
                return _RUN_TOGETHER[word.lower()]
            if word in _SHORT_FORMS and word not in self.vocab:
                long = _SHORT_FORMS[word]
                if all(w in self.vocab for w in long.split()):
                    return long
            owner = _POSSESSIVE.search(word)
            if owner:  # "planet's" is "planet" owning something, not a misspelled "plants"
                return fix(_WORD.match(word[: owner.start()])) + word[owner.start() :]  # type: ignore[arg-type]
            if len(word) < SPELL_MIN_CHARS or not word.islower() or word in self.vocab:
                return word
            for pattern, other in _SPELLINGS:
                spelled = pattern.sub(other, word)
                if spelled != word and spelled in self.vocab:
                    return spelled  # the articles' spelling: "organisations" -> "organizations"
            if is_word is not None and is_word(word):
                return word
            if stem_words([word])[0] in stems:
                return word  # another form of a word the corpus uses ("participants", "inspect")
            if self._close is None:
                self._close = CloseWords(self.vocab, SPELL_MIN, SPELL_MIN_CHARS, self.vocab)
            found = self._close.closest(word)
            if found is None or found.startswith(word) or word.startswith(found):
                return word  # "german" is no misspelling of "germany", nor "lab" of "laboratory"
            return found

        return _WORD.sub(fix, question)

    def expand(self, question: str, typed: bool = False) -> str:
        """``question`` with each acronym the corpus never uses written out as the one name of the
        corpus with those initials ("CAS" -> "Chinese Academy of Sciences", when the articles only
        ever write the name out). ``typed`` (a question as a user typed it): in lower case too
        ("cuhk", "cas": a word the corpus never uses, of three letters or more, even a real word,
        since only a name of three words or more has three initials). An acronym the corpus uses,
        or one that fits no name or several, stays as typed."""
        if not self.vocab:
            return question
        pattern = _ACRONYM_ANY_CASE if typed else _ACRONYM
        if not pattern.search(question):
            return question
        if self._initials is None:  # built once, on the first question that needs it
            self._initials = _initials(self.runs.values())

        def sub(m: re.Match[str]) -> str:
            word = m.group()
            if word.lower() in self.vocab:
                return word
            if word.islower() and (not typed or len(word) < 3):
                return word  # "us" is no United States
            return self._initials.get(word.upper(), word)  # type: ignore[union-attr]

        return pattern.sub(sub, question)

    def restore(
        self, question: str, spell: bool = True, is_word: Callable[[str], bool] | None = None
    ) -> str:
        """``question`` with its acronyms written out (``expand``; in lower case too when
        ``is_word`` is given, for a question as typed), its misspellings mended (``spell``, unless
        ``spell`` is False; real words, by ``is_word``, are never misspellings) and its lower-case
        names written as the corpus writes them."""
        question = self.expand(question, typed=is_word is not None)
        if spell:
            question = self.spell(question, is_word)
        tokens = list(_WORD.finditer(question))
        out: list[str] = []
        last = 0
        i = 0
        while i < len(tokens):
            m = tokens[i]
            if not m.group().islower():
                i += 1
                continue
            done = False
            for n in range(min(self._longest, len(tokens) - i), 1, -1):
                span = tokens[i : i + n]
                if not all(t.group().islower() for t in span):
                    continue
                gap = question[span[0].start() : span[-1].end()]
                if not re.fullmatch(r"[a-z'’\- ]+", gap):
                    continue
                name = self.runs.get(" ".join(gap.split()))
                if name is not None:
                    out.append(question[last : span[0].start()] + name)
                    last = span[-1].end()
                    i += n
                    done = True
                    break
            if done:
                continue
            form = self.words.get(m.group())
            if form is None and is_word is not None and not is_word(m.group()):
                form = self.rare.get(m.group())  # "aizhibai" -> "Aizhibai", "dde" -> "DDE"
            if form is not None:
                out.append(question[last : m.start()] + form)
                last = m.end()
            i += 1
        out.append(question[last:])
        return "".join(out)
