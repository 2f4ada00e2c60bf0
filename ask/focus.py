"""What a conversation is about (its focus), and follow-up questions made ready to search.

The focus is the entities of the turns since the topic last changed, ranked by salience: a name the
last answer was about outranks one the last question mentioned in passing, and each turn back counts
half as much. ``resolve`` uses it where a follow-up names something by reference: a correction ("no,
I meant the other telescope"), "the other one", "the first one", a definite description ("the
forum"); it rebuilds a bare question word ("When?") or "how many X?" from the previous query. A
pronoun, "there", "what about X?" or "and the budget?" is searched as typed, marked uncertain: the
engine pulls the question's vector toward the passages the last answer cited (ask/engine.py).
Splicing an entity in for the pronoun, or the previous question around X, was measured worse on
every conversation set written after it (docs/benchmarks.md, session 8). Raw text of an earlier
turn is never appended. A question that names its own subject, or says it changes topic, starts a
fresh focus and is searched as it stands.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from index.text import (
    DATE_LIKE,
    ORG_WORDS,
    PERSON_NOUNS,
    QUESTION_WORDS,
    TITLE_WORDS,
    countries,
    name_spans,
    person_names,
    stopwords,
    titled_names,
    words,
)

Kind = Literal["person", "place", "thing"]
# passages the index holds for a few words (the engine's search); used only to find "the other one"
Lookup = Callable[[str], list[str]]


class TurnLike(Protocol):
    """What a remembered turn carries (ask/history.py's Turn)."""

    question: str
    query: str
    answer: str
    answered: bool


@dataclass(frozen=True, slots=True)
class Entity:
    name: str  # as a query should say it: the short form when the articles define one ("SKA")
    kind: Kind
    salience: float
    located: bool  # named after "in", "at", "to", "visited": what a "there" can mean
    context: str  # the text around its mentions (what kind of thing it is: "radio telescope")


@dataclass(frozen=True, slots=True)
class Resolution:
    query: str  # the standalone query to search
    follow_up: bool  # the question leaned on the conversation
    fresh: bool  # the question starts a new focus (a new subject, or a change of topic announced)
    uncertain: bool  # resolved by a fallback (no entity of the right kind, a bare ellipsis)
    # whom the query's "he" or "she" stands for: the focus's most salient person (the answer step
    # reads it, ask/answer.py Referent; the query keeps the pronoun)
    person: str | None = None
    # what its "it" or "its" stands for: the focus's most salient named thing (ask/answer.py Subject)
    thing: str | None = None


_PERSONAL = {"he", "him", "his", "she", "her", "hers"}
_DESCRIBED_PERSON = re.compile(rf"\bthe\s+(?:[\w-]+\s+){{0,2}}?(?:{PERSON_NOUNS})\b", re.I)
_THING = {"it", "its", "they", "them", "their", "theirs"}
_ITS = {"it", "its"}  # "they" is as often a delegation or a team as a thing named
_PRONOUN = re.compile(r"\b(its|it|they|them|their|theirs|he|him|his|she|her|hers)\b", re.I)
_THERE = re.compile(r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b", re.I)
_STANDALONE_THERE = re.compile(r"^\s*(is|are|was|were)\s+there\b", re.I)
# "What year was that?", "When was that launched?": a demonstrative standing for the subject
# "When was that launched?": "that" after a verb or a question word; "the platform that launched
# in May" is a relative clause, not the subject of the last answer
_THAT = re.compile(
    r"\b(?:that|this)\b(?=\s*(?:\?|$))|(?:(?<=\bwas )|(?<=\bis )|(?<=\bwere )|(?<=\bare )|"
    r"(?<=\bdid )|(?<=\bdoes )|(?<=\bhas )|(?<=\bhad )|(?<=\bhave )|(?<=\bwhen )|(?<=\bhow ))"
    r"(?:that|this)\b(?=\s+[a-z]+ed\b)",
    re.I,
)
_OPENERS = re.compile(r"^\s*(?:and|also|so|then|but|ok(?:ay)?|well)\b[\s,]*", re.I)
_WHAT_ABOUT = re.compile(
    r"^\s*(?:(?:and|so|ok(?:ay)?)[\s,]+)?(?:what|how)\s+about\s+(?P<x>.+?)\s*\??\s*$", re.I
)
# a question after the subject: "what about the Aijiu park there: who commented on the seeds?"
_ASKED_AFTER = re.compile(
    r"[,:;.!?—–-]\s*(?P<q>(?:who|whom|whose|what|which|when|where|why|how|is|was|did|does)\b.*)$",
    re.I,
)
_TOPIC_CHANGE = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|now|so|and|alright)[\s,]+)?(?:changing\s+(?:the\s+)?(?:subject|topics?)|"
    r"change\s+of\s+(?:subject|topic)|(?:an?\s+)?(?:(?:totally|completely|entirely|quite|slightly)\s+)?"
    r"(?:new|different|another|unrelated|separate)\s+"
    r"(?:topic|question|subject|thing)|on\s+(?:a|an)\s+(?:different|other|unrelated|another)\s+"
    r"(?:note|topic)|let'?s\s+(?:talk\s+about|move\s+on\s+to|switch\s+to)\s+something\s+else|"
    r"something\s+else|switching\s+(?:topics?|gears|subjects?)|moving\s+on|unrelated|by\s+the\s+way)"
    r"\b[\s:,.;!?—–-]*",
    re.I,
)
_CORRECTION = re.compile(
    r"^\s*(?:(?:no|nope|sorry|wait|oops|actually)\b[\s,.!-]*)+(?:i\s+meant?\s+|i\s+was\s+asking\s+"
    r"about\s+|rather\s+)?(?P<x>.+?)\s*[.!?]*\s*$|^\s*i\s+meant?\s+(?P<y>.+?)\s*[.!?]*\s*$",
    re.I,
)
_NOT_THE = re.compile(r",?\s+(?:and\s+)?not\s+(?:the|that|this)\s+[\w'’-]+(?:\s+[\w'’-]+)?\b", re.I)
_OTHER = re.compile(r"\bthe\s+other\s+(?P<noun>one|[a-z][\w-]*)\b", re.I)
_ORDINAL_ONE = re.compile(
    r"\b(?:the|this|that)\s+(?P<ord>first|second|third|last|next|previous|latest|earlier)\s+one\b",
    re.I,
)
_ORDINALS = r"first|second|third|fourth|last|next|previous|latest|earlier|inaugural"
_WH = re.compile(
    r"^\s*(?:(?:in|at|on|from|for|to|with|since|by)\s+)?(?:who|whom|whose|what|which|when|where|why|"
    r"how(?:\s+(?:many|much|long|often|old|far))?|whats|wheres|whos|hows)\b(?:\s+else\b)?",
    re.I,
)
# "Which radio telescope is ...", "How many countries has ...": the noun the question asks about
_ASKED_NOUN = re.compile(
    r"^\s*(?:(?:in|at|on|from|for|to|with)\s+)?(?:which|what|how\s+many|how\s+much)\s+"
    r"(?P<noun>(?:[\w-]+\s+){0,3}?[\w-]+?)\s+(?=(?:is|was|are|were|did|does|do|has|have|had|will|"
    r"can|could|should|would)\b)",
    re.I,
)
# a question that is only what it asks for: "how many intl organizations?", "which countries?"
# ("what about Fei Fan?" is not one: it is searched as typed, never spliced into the last question)
_BARE_ASK = re.compile(
    r"^\s*(?:and\s+)?(?P<wh>how\s+many|how\s+much|which|what)\s+(?!about\b)"
    r"(?![a-z]{4,}ed\b)"  # "what happened in Uruguay?" asks on its own: a verb, no noun
    r"(?P<noun>(?:[\w-]+\s+){0,4}[\w-]+)\s*\??\s*$",
    re.I,
)
_AUX = re.compile(
    r"\b(?:is|was|are|were|did|does|do|has|have|had|will|can|could|should|would|there|it|they|"
    r"he|she|that|this|its|their|his|her)\b",
    re.I,
)
_POSSESSIVE = re.compile(r"['’]s$")
_ACRONYM = re.compile(r"^\s*[\"“”‘’']?\s*\((?P<short>[A-Z][A-Za-z]*[A-Z])\)")
_MARKER = re.compile(r"\s*\[\d+\]")

_LOCATED = re.compile(
    r"\b(?:in|at|to|into|visited|visit|visiting|toward|towards|across)\s+(?:the\s+)?$", re.I
)
# Capitalized words that start questions or sentences but name nothing.
_NOT_NAMES = {"What", "Who", "When", "Where", "Which", "Why", "How", "And", "The", "Is", "Are",
              "Did", "Does", "Do", "Was", "Were", "Can", "Tell", "Also", "So", "In", "On", "At",
              "According", "Since", "After", "Before", "From", "To", "Its", "It", "He", "She",
              "They", "There", "This", "That", "These", "Those", "Who's", "What's", "No", "Sorry",
              "Actually", "Ok", "Okay", "Now", "Then", "But", "Let's", "Different", "Another",
              "Changing", "New", "Meant", "I", "A", "An", "Please", "Recently", "Over", "By"}  # fmt: skip
# "Australian organisation", "Chinese delegation": a nationality describing a noun, not a subject
# "Australian", "Chinese", "Spanish": an adjective of nationality, no subject; not the places
# that end the same way ("Kazakhstan" was dropped from the focus as a nationality)
_DEMONYM = re.compile(
    r"^(?!(?:Japan|Iran|Sudan|Taiwan|Oman|Bhutan|Jordan|Milan|Wuhan|Yunnan|Hainan|Henan|Sichuan|"
    r"Anhui|Dubai|Hawaii|Shanghai|Mumbai|Helsinki|Nairobi|Brunei|Delhi)$)(?![A-Za-z]+stan$)"
    r"[A-Z][a-z]+(?:an|ian|ese|ish|ch|i)$"
)
# words that carry no subject in a short follow-up ("how many editions so far?")
_FILLERS = frozenset(
    "so far else exactly then now again also still too anyway yet already ever".split()
)
# first words of places that read like person names ("South Africa", "United States")
_PLACE_FIRST = {"South", "North", "East", "West", "United", "New", "Sri", "Hong", "Saudi"}
_CONTINENTS = {"Asia", "Africa", "America", "Europe", "Oceania", "Antarctica"}
_PLACE_NAMES = {"Province", "City", "County", "Region", "Republic"}
_WEEKDAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

# Salience of a mention by where it stood (measured on the conversation items of seed, heldout,
# blind2-4 and 16 conversations of our own about the seed articles): an entity both the question
# and the answer name is the topic; one only the answer names is what the answer was about (more so
# when it answers a "which/who" question); one only the question names was said in passing.
_IN_BOTH = 3.0
_ANSWERED_WITH = 3.5  # new in the answer to a "which/who/what X" question: the thing asked for
_IN_ANSWER = 1.5
_IN_QUESTION = 1.0
_PERSON_ASKED_ABOUT = 2.0  # a person the question names: "he" means them (seed c05, blind4 qc01)
_IN_PASSING = 0.6  # in the question after a preposition ("at Stellenbosch", "in mid-May")
_DESCRIPTION = 0.5  # "the league", "the pulsar survey": a definite description, no name
_DECAY = 0.5  # each turn back
# one of three or more names listed in an answer ("countries including the United States, the
# United Kingdom, Germany ..."): an example, not what the conversation is about
_IN_LIST = 0.3
_LIST_GAP = re.compile(r"[”\"’']?\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?[“\"‘']?")


@dataclass(slots=True)
class _Mention:
    name: str
    kind: Kind
    start: int
    located: bool
    short: str | None


def _clean(name: str) -> str:
    parts = name.split()
    while parts and parts[0] in _NOT_NAMES:
        parts = parts[1:]
    while parts and parts[-1] in {"The", "And", "Of"}:
        parts = parts[:-1]
    return _POSSESSIVE.sub("", " ".join(parts))


_QUOTES = re.compile(r"[“”\"‘]|’(?![a-z])")


def unquoted(text: str) -> str:
    """Quotation marks dropped: "the “Belt and Road” Science ... Conference" is one name."""
    return _QUOTES.sub("", text)


def _plain(answer: str) -> str:
    """``answer`` without its [n] markers and quotation marks; a quoted heading ("— Written on the
    Occasion of the Opening of ... Conference [1] From the 10th ...") ends where its marker stood,
    so that no name runs on into the next sentence."""
    ended = _MARKER.sub(
        lambda m: "" if answer[: m.start()].rstrip()[-1:] in ".!?”\"'’" else ".", answer
    )
    return unquoted(ended)


def mentions(text: str) -> list[_Mention]:
    """Named entities of ``text`` (unquoted) in order: people, places and other things
    (organisations, telescopes, events), each with the short form the text defines for it."""
    # a name after a title or the office it holds is a person too ("Deputy Manager Aizhibai",
    # "Uruguay's Minister of Livestock, Agriculture, and Fisheries, Flati")
    people = {_POSSESSIVE.sub("", p) for p in (*person_names(text), *titled_names(text))}
    found: list[_Mention] = []
    for start, end, raw in name_spans(text):
        # after a dash too: "— Written on the Occasion of ..." is no name
        sentence_start = bool(re.search(r"(?:^|[.!?:;—–]\s*)$", text[:start]))
        if sentence_start and re.match(r"\S+\s+(?:the|of|and|for|on)\s", raw):
            raw = raw.split(None, 2)[2]  # "Take the Multi-Science ... Survey"
            start = text.index(raw, start)
            sentence_start = False
        name = _clean(raw)
        if not name:
            continue
        start += raw.find(name.split()[0])
        single = " " not in name
        if single and (name in TITLE_WORDS or name in _WEEKDAYS or DATE_LIKE.fullmatch(name)):
            continue  # "Chinese", "May", "Academician": no subject
        if not any(p in name for p in people) and all(
            w in TITLE_WORDS or w in {"and", "of"} or _DEMONYM.match(w) for w in name.split()
        ):
            continue  # "Deputy Director", "Chinese and Uruguayan"; not "Minister ..., Flati,"
        if (
            single
            and not name.isupper()
            and sentence_start
            and (re.match(r"\s+[a-z]", text[end:]) or name.endswith("ly"))
        ):
            continue  # "Take for instance ...", "Supported by ...": a sentence's first word
        if single and _DEMONYM.match(name) and re.match(r"\s+[a-z]", text[end:]):
            continue  # "Australian organisation"
        first = raw.split()[0]
        person = next((p for p in people if p in name), None)
        if (
            person
            and (
                person.split()[0] in _PLACE_FIRST
                or _countries_only(person)  # "Southeast Asia" is no "he"
                or person.split()[-1] in _CONTINENTS
                or set(name.split()) & ORG_WORDS
                # "Chinese Sky Eye": a nationality right before the name makes it a thing
                or (
                    first in TITLE_WORDS
                    and _DEMONYM.match(first)
                    and not first.endswith(("ician", "ist"))
                    and raw.split()[1:2] == person.split()[:1]
                )
            )
        ):
            person = None
        located = bool(_LOCATED.search(text[max(0, start - 16) : start]))
        short = _ACRONYM.match(text[end:])
        if person:
            found.append(_Mention(person, "person", start, False, None))
            continue
        words_ = set(name.split())
        place = (
            (located and not words_ & ORG_WORDS)
            or bool(words_ & _PLACE_NAMES)
            or name.split()[-1] in _CONTINENTS
        )
        kind: Kind = "place" if place else "thing"
        found.append(_Mention(name, kind, start, located, short.group("short") if short else None))
    return found


# "the league", "the pulsar survey": a definite description in a question (no name in it)
_DEFINITE = re.compile(
    r"\bthe\s+(?P<np>(?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*)(?=\s*(?:[?,.]|$))", re.I
)


def _descriptions(question: str) -> list[str]:
    found = []
    for m in _DEFINITE.finditer(question):
        np = m.group("np")
        if not any(w in stopwords() for w in np.lower().split()[-1:]):
            found.append(np.lower())
    return found


def _in_passing(text: str, start: int) -> bool:
    return bool(
        re.search(
            r"\b(?:at|in|on|from|with|during|for|by)\s+(?:the\s+)?$",
            text[max(0, start - 12) : start],
        )
    )


def starts_topic(question: str) -> bool:
    """The question starts a fresh focus: it announces a change of topic, or names its own subject
    and leans on nothing before it."""
    if _TOPIC_CHANGE.match(question):
        return True
    return not _leans(question) and bool(mentions(question))


def is_follow_up(question: str) -> bool:
    """Whether ``question`` needs the conversation to be understood (a pronoun, "there", an
    opener such as "and ...", "what about X", a correction, too few words to stand alone)."""
    return _leans(question)


def _leans(question: str) -> bool:
    """The question needs the conversation to be understood."""
    q = question.strip()
    if _OPENERS.match(q) or _WHAT_ABOUT.match(q) or _CORRECTION.match(q):
        return True
    if _OTHER.search(q) or _ORDINAL_ONE.search(q):
        return True
    toks = words(q)
    if any(t in _PERSONAL or t in _THING for t in toks):
        return True
    if _THERE.search(q) and not _STANDALONE_THERE.match(q):
        return True
    if _THAT.search(q):
        return True
    content = [t for t in toks if t not in stopwords() | QUESTION_WORDS | _FILLERS]
    return len(content) <= 2 and not mentions(q)


def _segment(history: Sequence[TurnLike]) -> int:
    """Index of the turn the current focus starts at (the last that started a topic)."""
    for i in range(len(history) - 1, -1, -1):
        if starts_topic(history[i].question):
            return i
    return 0


_NOT_NOUNS = frozenset({"other", "another", "else", "one", "ones"})


def _asked_nouns(query: str) -> list[str]:
    """The nouns a "which/what X" question asks for ("Which radio telescope is ..." -> radio,
    telescope; "Which platform launched ..." -> platform)."""
    asked = _ASKED_NOUN.match(query)
    if asked:  # "what other telescope ...": "other" is no noun
        return [w for w in words(asked.group("noun")) if w not in stopwords() | _NOT_NOUNS]
    which = re.match(
        r"^\s*(?:(?:in|at|on|from|for|to|with)\s+)?(?:which|what)\s+([a-z][\w-]*)", query, re.I
    )
    if which and which.group(1).lower() not in stopwords() | QUESTION_WORDS:
        return [which.group(1).lower()]
    return []


def _answered(query: str, answer: str, found: list[_Mention], q_keys: set[str]) -> str | None:
    """The entity an answer gives for a "which X"/"who" question: a new name of its first
    sentence ending in X or followed by it ("the MeerKAT array telescope"), else the first new name."""
    nouns = _asked_nouns(query)
    end = re.search(r"[.!?](?:\s+[A-Z“\"]|\s*$)", answer)
    cut = end.end() if end else len(answer)
    new = [m for m in found if _key(m) not in q_keys and m.start < cut]
    if nouns:
        for m in new:
            after = answer[m.start + len(m.name) : m.start + len(m.name) + 30].lower()
            if any(
                m.name.lower().endswith(n)
                or re.match(rf"\W*(?:\(\w+\)\s*)?(?:[a-z-]+\s+){{0,2}}{n}", after)
                for n in nouns
            ):
                return _key(m)
        # else the first new name, unless the question's own entity is what the answer names
        named = any(_key(m) in q_keys and m.start < cut for m in found)
        return _key(new[0]) if new and not named else None
    if re.match(r"^\s*who\b", query, re.I) or _NAME_ASKED.search(query):
        # "who ...?", "what's the minister called?", "what about the spanish researcher, who is
        # he?": the first new person named
        return next((_key(m) for m in new if m.kind == "person"), None)
    return None


_HIS_NAME = re.compile(
    r"^\s*(?:and\s+|so\s+)?(?:what(?:['’]s|\s+is|\s+was)|whats)\s+(?:his|her)\s+"
    r"(?P<full>full\s+)?name\s*\??\s*$",
    re.I,
)
_NAME_ASKED = re.compile(
    r"\b(?:called|named)\s*\??\s*$|\bwhat(?:['’]s|\s+is)\s+(?:his|her)\s+name\b|"
    r"\bwho\s+(?:is|was|'s)\s+(?:he|she)\s*\??\s*$",
    re.I,
)


def focus(history: Sequence[TurnLike], since: int | None = None) -> list[Entity]:
    """The entities of the conversation since its topic last changed, most salient first."""
    start = _segment(history) if since is None else since
    scores: dict[str, float] = {}
    info: dict[str, tuple[str, Kind, bool, list[str]]] = {}
    for age, turn in enumerate(reversed(history[start:])):
        weight = _DECAY**age
        answer = _plain(turn.answer) if turn.answered else ""
        query = unquoted(turn.query)
        q_found = mentions(query)
        a_found = mentions(answer)
        aliases = {m.name.lower(): m.short for m in a_found if m.short}
        for (
            m
        ) in q_found:  # the question says "Chinese Sky Eye", the answer "Chinese Sky Eye (FAST)"
            m.short = m.short or aliases.get(m.name.lower())
        a_keys = {_key(m) for m in a_found}
        low_answer = answer.lower()
        for m in q_found:  # "China-Uruguay" asked, "China-Uruguay Joint Laboratory ..." answered
            longer = next((a for a in a_found if _key(m) in _key(a) and _key(m) != _key(a)), None)
            if longer is not None and _key(m) not in a_keys:
                m.name, m.short, m.kind = longer.name, longer.short, longer.kind
        q_keys = {_key(m) for m in q_found}
        answered = _answered(query, answer, a_found, q_keys)
        listed = _listed(answer, a_found)
        for text, found, in_question in ((query, q_found, True), (answer, a_found, False)):
            for m in found:
                key = _key(m)
                if in_question:
                    if key in a_keys or _named_by_head(m, low_answer):
                        s = _IN_BOTH
                    elif not answer:
                        s = _IN_ANSWER  # nothing answered: the question's names are the topic
                    elif _in_passing(text, m.start):
                        s = _IN_PASSING
                    else:
                        s = _PERSON_ASKED_ABOUT if m.kind == "person" else _IN_QUESTION
                elif key in q_keys:
                    continue  # counted with the question
                else:
                    s = _ANSWERED_WITH if key == answered else _IN_ANSWER
                    if m.start in listed:
                        s *= _IN_LIST
                scores[key] = max(scores.get(key, 0.0), 0.0) + s * weight
                name, kind, located, ctx = info.get(key, (m.short or m.name, m.kind, False, []))
                if m.kind == "place" and kind == "thing" and not set(m.name.split()) & ORG_WORDS:
                    kind = "place"
                ctx.append(text[max(0, m.start - 60) : m.start + len(m.name) + 60])
                info[key] = (m.short or name, kind, located or m.located, ctx)
        for np in _descriptions(query):
            key = "the " + np
            if key not in scores:
                scores[key] = _DESCRIPTION * weight
                info[key] = ("the " + np, "thing", False, [query])
    ranked = sorted(scores, key=lambda k: -scores[k])
    return [
        Entity(info[k][0], info[k][1], round(scores[k], 4), info[k][2], " ".join(info[k][3]))
        for k in ranked
    ]


def _listed(text: str, found: list[_Mention]) -> set[int]:
    """Starts of the mentions that stand in a list of three or more ("the United States, the
    United Kingdom, Germany, France and Cambodia"), people with people, the rest with the rest."""
    ordered = sorted(found, key=lambda m: m.start)
    runs: list[list[_Mention]] = []
    for m in ordered:
        if runs:
            prev = runs[-1][-1]
            gap = text[prev.start + len(prev.name) : m.start]
            # people are listed with people: "Minister of Livestock, Agriculture, and Fisheries,
            # Flati," names one person after his office
            same = (prev.kind == "person") == (m.kind == "person")
            if same and _LIST_GAP.fullmatch(gap):
                runs[-1].append(m)
                continue
        runs.append([m])
    return {m.start for run in runs if len(run) >= 3 for m in run}


def _named_by_head(m: _Mention, low_answer: str) -> bool:
    """The answer calls it by its head noun ("the forum" for the Tengchong Scientists Forum)."""
    head = m.name.split()[-1].lower()
    return (
        " " in m.name
        and len(head) > 3
        and bool(re.search(rf"\bthe\s+{re.escape(head)}\b", low_answer))
    )


def _key(m: _Mention) -> str:
    return (m.short or m.name).lower()


def _pick(entities: list[Entity], kinds: set[str], located: bool = False) -> Entity | None:
    for e in entities:
        if e.kind in kinds and (not located or e.located or e.kind == "place"):
            return e
    return None


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") and not name.isupper() else f"{name}'s"


def _substitute(question: str, entities: list[Entity]) -> tuple[str, bool]:
    """Pronouns and "there" replaced by the focus entities they stand for; True if one had no
    entity of its kind."""
    own = mentions(question)
    own_kinds = {m.kind for m in own}
    person = _pick(entities, {"person"})
    thing = _pick(entities, {"thing"}) or _pick(entities, {"place"})
    # "there": a place, else somewhere an organisation or event is (at half weight: "they met
    # there" after a delegation of the Academy visited Germany means Germany; blind3 tc05)
    wheres = [
        (e.salience * (1.0 if e.kind == "place" or e.located else 0.5), i, e)
        for i, e in enumerate(entities)
        if e.kind == "place" or e.located or (e.kind == "thing" and set(e.name.split()) & ORG_WORDS)
    ]
    wheres.sort(key=lambda t: (-t[0], t[1]))
    missing = False
    done: set[str] = set()

    def sub(m: re.Match[str]) -> str:
        nonlocal missing
        word = m.group(0)
        low = word.lower()
        cls = "person" if low in _PERSONAL else "thing"
        # once per kind; a name of that kind earlier in the question is the antecedent itself
        if cls in done or any(
            k == cls or (cls == "thing" and k == "place")
            for k in own_kinds
            if _before(own, m.start(), k)
        ):
            return word
        if cls == "thing" and _GROUP.search(question[: m.start()]):
            return word  # "and the spanish ecologists, what do they observe?"
        target = person if cls == "person" else thing
        if target is None:
            missing = True
            return word
        done.add(cls)
        if low in ("its", "their", "his", "her", "theirs", "hers"):
            return _possessive(target.name)
        return target.name

    out = _PRONOUN.sub(sub, question)
    if _THERE.search(out) and not _STANDALONE_THERE.match(out):
        used = {target.name for target in (person, thing) if target and target.name in out}
        where = next((e for _, _, e in wheres if e.name not in used), None)
        if where is None:
            missing = True
        elif where.name not in out:
            prep = "in" if where.kind == "place" else "at"
            out = _THERE.sub(f"{prep} {where.name}", out, count=1)
    if _THAT.search(out) and thing is not None and "thing" not in done and not own:
        out = _THAT.sub(thing.name, out, count=1)
    return out, missing


# A group of people the last question named definitely ("the Chinese delegation", "the scientists";
# not "a delegation", which a "which" answer names): "they" or
# "them" then means that group, not an organisation in focus (seed c04: "Which Uruguayan minister
# welcomed them?" after "Who led the Chinese delegation ...?" had become "... welcomed Institute of
# Crop Sciences?"; the query is now right, though the answer step still picks the delegation's
# sentence for it).
_GROUP = re.compile(
    r"\bthe\s+(?:[\w-]+\s+){0,2}?(?:delegation|delegates|team|scientists|researchers|experts|"
    r"students|scholars|participants|visitors|officials|leaders|members|ecologists|astronomers|"
    r"engineers|academicians)\b",
    re.I,
)
_THEY = re.compile(r"\b(?:they|them)\b", re.I)


def _group(question: str, prev: TurnLike) -> str:
    group = _GROUP.search(prev.question)
    if group is None or not _THEY.search(question):
        return question
    return _THEY.sub(group.group(0), question, count=1)


def _before(own: list[_Mention], pos: int, kind: str) -> bool:
    return any(m.kind == kind and m.start < pos for m in own)


_THE_X_ONE = re.compile(r"\bthe\s+(?P<x>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)\s+one\b", re.I)


def _describe(question: str, entities: list[Entity]) -> str:
    """ "the forum" -> "the Frontier Exploration Roundtable Forum" when the focus holds a named
    thing of that kind and the question names nothing itself."""
    if mentions(question):
        return question
    one = _THE_X_ONE.search(question)
    if one:
        # "the ocean one": the thing whose own name holds the words ("Ocean Negative Emissions
        # (ONCE)"), not one named next to them ("... (DDE)” and “Ocean ...")
        said = one.group("x").lower().split()
        for e in entities:
            named = e.name.lower().split()
            long_form = re.search(
                rf"\b{' '.join(said)}\b[\w\s’'-]*[”\"’']?\s*\(\s*{re.escape(e.name)}\s*\)",
                e.context,
                re.I,
            )
            if e.kind == "thing" and (all(w in named for w in said) or long_form):
                name = e.name if e.name.startswith("the ") else f"the {e.name}"
                return question[: one.start()] + name + question[one.end() :]

    def sub(m: re.Match[str]) -> str:
        head = m.group("noun").lower()
        if re.fullmatch(_ORDINALS, head):  # "the first winner of ...": no noun of its own
            return m.group(0)
        for e in entities:  # a thing named for its kind first: "the Tengchong Scientists Forum"
            if e.name.startswith("the "):
                if e.name.split()[-1] == head and e.name.lower() != m.group(0).lower():
                    return e.name
            elif e.kind == "thing" and e.name.lower().split()[-1] == head:
                return f"the {e.name}"
        for e in entities:  # then one the text calls so: "the SKA radio telescope"
            if e.kind == "thing" and not e.name.startswith("the "):
                ctx = re.search(
                    rf"\b{re.escape(e.name)}(\W+)((?:(?!and\b|or\b)\w+\s+)?){head}\b",
                    e.context,
                    re.I,
                )
                if ctx is None:
                    continue
                if ctx.group(1) == " " and ctx.group(2)[:1].isupper():
                    # "Tengchong Scientists Forum": the name runs on to the noun
                    return f"the {ctx.group(0)}"
                return f"the {e.name}"
        return m.group(0)

    return re.sub(r"\bthe\s+(?P<noun>[a-z][\w-]+)\b(?!\s+of\b)", sub, question, count=1, flags=re.I)


def _subject(query: str, entities: list[Entity], kind: Kind | None = None) -> Entity | None:
    """The most salient focus entity the query names (of ``kind`` when given)."""
    low = query.lower()
    for e in entities:
        if (
            kind is None or e.kind == kind or {e.kind, kind} == {"thing", "place"}
        ) and e.name.lower() in low:
            return e
    return None


def _swap(query: str, old: str, new: str) -> str:
    """``old`` replaced by ``new`` once ("the the X" avoided)."""
    out = re.sub(re.escape(old), lambda _: new, query, count=1, flags=re.I)
    return re.sub(r"\b(the)\s+the\s+", r"\1 ", out, count=1, flags=re.I)


def _predicate(query: str) -> str:
    """The previous query without its wh-phrase: what it asked about ("Which institution of the
    Academy helped develop X?" -> "helped develop X")."""
    asked = _ASKED_NOUN.match(query)
    if asked:
        return query[asked.end() :].strip(" ?")
    body = _WH.sub("", query, count=1)
    body = re.sub(r"^\s*['’]s\b", "is", body)  # "where's the conference being held?"
    if re.match(r"^\s*(?:(?:in|at|on|from|for|to|with)\s+)?(?:which|what)\s", query, re.I):
        verb = re.search(r"\b[a-z]+ed\b", body)
        if verb:
            body = body[verb.start() :]
    return body.strip(" ?")


def _kind_of(text: str) -> Kind:
    found = mentions(text)
    return found[0].kind if found else "thing"


def _alternative(
    noun: str,
    extra: list[str],
    current: Entity | None,
    history: Sequence[TurnLike],
    lookup: Lookup | None,
) -> str | None:
    """Another entity of the kind ``noun`` names ("telescope": its name holds the noun or the noun
    follows it), from the conversation's texts first, then from the passages the index holds for
    the noun and the other words ("the Chinese one"); the one sharing most of those words wins."""
    texts = [_plain(t.answer) for t in reversed(history) if t.answered]
    texts += [unquoted(t.query) for t in reversed(history)]
    if lookup is not None:
        texts += [unquoted(p) for p in lookup(" ".join([noun, *extra]))]
    avoid = current.name.lower() if current else ""
    kind_of = re.compile(
        rf"^(?:\s*\(\w+\))?\W{{0,3}}(?:[\w-]+\s+){{0,2}}{re.escape(noun)}", re.IGNORECASE
    )
    best: tuple[int, str] | None = None
    rank = 0
    for text in texts:
        for m in mentions(text):
            rank += 1
            name = m.short or m.name
            low = {name.lower(), m.name.lower()}
            if m.kind == "person" or (avoid and any(avoid in n or n in avoid for n in low)):
                continue
            after = text[m.start + len(m.name) : m.start + len(m.name) + 40]
            if noun != "one" and noun not in m.name.lower() and not kind_of.match(after):
                continue
            ctx = text[max(0, m.start - 120) : m.start + len(m.name) + 120].lower()
            score = sum(1 for w in extra if w[:4] in ctx) * 1000 - rank
            if best is None or score > best[0]:
                best = (score, name)
    return best[1] if best else None


_PERSON_DESCRIPTION = re.compile(
    rf"^\s*(?:the\s+)?(?P<adj>(?:[\w-]+\s+){{1,2}}?)(?P<noun>{PERSON_NOUNS})s?\s*$", re.I
)


def _described_person(
    description: str, history: Sequence[TurnLike], lookup: Lookup | None
) -> str | None:
    """The person ``description`` ("the italian scientist") describes: one whom a text of the
    conversation, else a passage, names right after those words ("Italian scientist Fei Fan")."""
    m = _PERSON_DESCRIPTION.match(description)
    if m is None:
        return None
    said = [w for w in words(m.group("adj")) if w not in stopwords()]
    if not said:
        return None
    noun = m.group("noun").lower()
    texts = [_plain(t.answer) for t in reversed(history) if t.answered]
    if lookup is not None:
        texts += [unquoted(p) for p in lookup(description)]
    for text in texts:
        for found in mentions(text):
            # the words before the name itself: a mention may start at its title ("Spanish Chief
            # Researcher Kang Musha")
            at = text.find(found.name, found.start)
            at = found.start if at < 0 else at
            before = text[max(0, at - 60) : at].lower()
            if found.kind == "person" and noun in before and all(w[:4] in before for w in said):
                return found.name
    return None


def resolve(question: str, history: Sequence[TurnLike], lookup: Lookup | None = None) -> Resolution:
    """A standalone query for ``question`` given the earlier turns, oldest first."""
    question = question.strip()
    change = _TOPIC_CHANGE.match(question)
    if change and question[change.end() :].strip():
        return Resolution(question[change.end() :].strip(), False, True, False)
    if not history:
        return Resolution(question, False, True, False)
    if not _leans(question):
        return Resolution(question, False, bool(mentions(question)), False)
    entities = focus(history)
    prev = history[-1]
    query, uncertain = _rewrite(question, prev, entities, history, lookup)
    person = None
    if _PERSONAL & set(words(query)) and not _DESCRIBED_PERSON.search(question):
        # "he" is the focus's person, unless the question describes whom it means ("what about
        # the spanish researcher, who is he?")
        person = _pick(entities, {"person"})
    his_name = _HIS_NAME.match(query) if person is not None else None
    if person is not None and his_name is not None:
        # "what's his name?" after an answer naming him: who he is, as the conversation knows;
        # "what's his full name?": his name as the conversation knows it ("Flati"), said in full
        # (his first name is asked as typed: no name the conversation holds)
        full = his_name.group("full") is not None
        query = f"what is {person.name}'s full name?" if full else f"who is {person.name}?"
        uncertain = False
    thing = _pick(entities, {"thing"}) if _ITS & set(words(query)) else None
    return Resolution(
        query,
        True,
        False,
        uncertain,
        person.name if person else None,
        thing.name if thing else None,
    )


def _rewrite(
    question: str,
    prev: TurnLike,
    entities: list[Entity],
    history: Sequence[TurnLike],
    lookup: Lookup | None,
) -> tuple[str, bool]:
    correction = _CORRECTION.match(question)
    if correction:
        return _correct(
            (correction.group("x") or correction.group("y")).strip(),
            prev,
            entities,
            history,
            lookup,
        )
    about = _WHAT_ABOUT.match(question)
    asked = _ASKED_AFTER.search(about.group("x")) if about else None
    if about and asked:
        # "what about the spanish researcher, where does he work?": "he" is whom the description
        # names ("Spanish Chief Researcher Kang Musha"), when a text names someone so
        subject = about.group("x")[: asked.start()].strip(" ,:;—–-")
        if _described_person(subject, history, lookup):
            return _about(about.group("x"), prev, entities, history, lookup)
    stripped = _OPENERS.sub("", question).strip() or question
    # "the other one", "the first one", "the forum", "they" after a "which countries" answer: named
    out = _describe(stripped, entities)
    out = _ordinal(out, prev, entities)
    out = _that_one(out, prev)
    out = _abbreviation(out, entities)
    out = _other(out, entities, history, lookup)
    out = _group(out, prev)
    if out != stripped:
        return out, False
    bare = _BARE_ASK.match(stripped)
    asked_prev = _ASKED_NOUN.match(prev.query) if bare else None
    if (
        bare
        and asked_prev
        and not _AUX.search(bare.group("noun"))
        and bare.group("noun").lower() not in ("one", "ones", "else")  # "which ones": below
    ):
        # "How many countries and regions does China cooperate with?" + "how many intl
        # organizations?": the same question of the new noun
        rest = prev.query[asked_prev.end("noun") :].lstrip()
        return f"{bare.group('wh')} {bare.group('noun')} {rest}", False
    content = [t for t in words(stripped) if t not in stopwords() | QUESTION_WORDS | _FILLERS]
    wh_match = _WH.match(stripped)
    rest = stripped[wh_match.end() :].strip(" ?") if wh_match else ""
    if wh_match and len(content) <= 1 and len(words(rest)) <= 1:  # "When?", "Who else?"
        wh = wh_match.group(0).strip()
        return f"{wh} {(rest + ' ') if rest else ''}{_predicate(prev.query)}?".strip(), True
    # A pronoun, "there", "what about X?", "and the budget?": searched as typed, with the
    # conversation's passages (ask/engine.py: the question's vector pulled toward what the last
    # answer cited). Splicing an entity of the focus in for the pronoun,
    # or the previous question around X, lost follow-ups on every set written after it
    # (blind_conv4 0.788 -> 0.871, blind9 0.680 -> 0.920: docs/benchmarks.md, session 8).
    return stripped, True


_THE_ABBREVIATION = re.compile(
    r"\b(?:the|that|this|its)\s+(?:abbreviation|acronym|initials|short\s+form|short\s+name)\b"
    r"(?!\s+(?:of|for)\b)",  # "the abbreviation of the ocean one": the question says whose
    re.I,
)


def _abbreviation(question: str, entities: list[Entity]) -> str:
    """ "what does the abbreviation stand for?": the conversation's thing that goes by one
    ("FAST")."""
    m = _THE_ABBREVIATION.search(question)
    if not m:
        return question
    short = next((e.name for e in entities if len(e.name) >= 2 and e.name.isupper()), None)
    if short is None:
        return question
    return question[: m.start()] + short + question[m.end() :]


_THAT_ONE = re.compile(r"\b(?:that|this)\s+one\b", re.I)


def _that_one(question: str, prev: TurnLike) -> str:
    """ "where's that one located?" after "which telescope was combined with FAST?": the one the
    last answer gave ("MeerKAT"), when the last question asked for one."""
    m = _THAT_ONE.search(question)
    if not m or not prev.answered:
        return question
    answer = _plain(prev.answer)
    found = mentions(answer)
    given = _answered(
        unquoted(prev.query), answer, found, {_key(x) for x in mentions(unquoted(prev.query))}
    )
    named = next((x for x in found if _key(x) == given), None)
    if named is None:
        return question
    # "FAST and South Africa's MeerKAT": the part the last question did not name
    asked = prev.query.lower()
    parts = [p for p in re.split(r"\s+and\s+|[’']s\s+", named.name) if p.lower() not in asked]
    name = named.short or (parts[-1] if parts else named.name)
    nouns = _asked_nouns(prev.query)
    if nouns and nouns[-1] not in name.lower():  # "the MeerKAT telescope": what kind it is
        name = f"the {name} {nouns[-1]}"
    return question[: m.start()] + name + question[m.end() :]


def _countries_only(name: str) -> bool:
    """ "France and Brazil", "the United States": names of countries and nothing else."""
    parts = re.split(r"\s*(?:,|\band\b)\s*", name.lower())
    return all(p.removeprefix("the ") in countries() for p in parts if p)


def _ordinal(question: str, prev: TurnLike, entities: list[Entity]) -> str:
    """ "the first one" -> "the first Belt and Road ... Conference"."""
    m = _ORDINAL_ONE.search(question)
    if not m:
        return question
    # the thing the last turn counted ("at the first Belt and Road ... Conference"), else the top
    said = unquoted(f"{prev.query} {prev.answer}")  # "the Second “Belt and Road” Science ..."
    counted = [
        e
        for e in entities
        if e.kind != "person"
        and (
            re.search(rf"\b(?:{_ORDINALS})\s+[“\"']?{re.escape(e.name)}", said, re.I)
            # a name that holds its ordinal: "Second Belt and Road Science and Technology ..."
            or re.match(rf"(?:the\s+)?(?:{_ORDINALS})\s", e.name, re.I)
        )
    ]
    # a country is not "the first one" of anything ("at the first one" after an answer listing
    # the forum's guest countries means the forum)
    things = [e for e in entities if e.kind == "thing" and not _countries_only(e.name)]
    thing = counted[0] if counted else (things[0] if things else None)
    if thing is None:
        return question
    name = re.sub(rf"^(?:the\s+)?(?:{_ORDINALS})\s+", "", thing.name, flags=re.I)
    return question[: m.start()] + f"the {m.group('ord')} {name}" + question[m.end() :]


def _other(
    question: str, entities: list[Entity], history: Sequence[TurnLike], lookup: Lookup | None
) -> str:
    m = _OTHER.search(question)
    if not m:
        return question
    noun = m.group("noun").lower()
    current = _subject(history[-1].query, entities) or _pick(entities, {"thing"})
    alt = _alternative(noun, [], current, history, lookup)
    return question[: m.start()] + alt + question[m.end() :] if alt else question


def _correct(
    x: str,
    prev: TurnLike,
    entities: list[Entity],
    history: Sequence[TurnLike],
    lookup: Lookup | None,
) -> tuple[str, bool]:
    """ "No, I meant the other telescope" / "Sorry, I meant FAST": the previous query asked again
    about the entity meant. A correction that asks its own question ("no, I meant how many countries
    are coming to the Chengdu conference", "sorry, I meant FAST, who was its chief scientist") is
    read as that question, never spliced into the previous one."""
    x = _NOT_THE.sub("", x)  # "the Chengdu conference not the forum": what was not meant goes
    if _WH.match(x) and len(words(x)) >= 3:
        return _rewrite(x, prev, entities, history, lookup)
    if _ASKED_AFTER.search(x):
        return _about(x, prev, entities, history, lookup)
    other = _OTHER.search(x)
    if other:
        noun = other.group("noun").lower()
        extra = [
            w for w in words(x[other.end() :]) if w not in stopwords() and w not in {"one", noun}
        ]
        current = _subject(prev.query, entities) or _pick(entities, {"thing"})
        if noun == "one" and current is not None:
            noun = _head(current)
        new = _alternative(noun, extra, current, history, lookup)
        if new is None:
            return prev.query, True
        if current is not None and current.name.lower() in prev.query.lower():
            return _swap(prev.query, current.name, new), False
        return f"{prev.query.rstrip('?')}, {new}?", True
    kind = _kind_of(x)
    current = _subject(prev.query, entities, kind)
    if current is not None:
        return _swap(prev.query, current.name, x), False
    return f"{_predicate(prev.query)}, {x}?", True


def _head(entity: Entity) -> str:
    m = re.search(rf"{re.escape(entity.name)}\W*(?:\w+\s+)?([a-z]{{3,}})", entity.context)
    return m.group(1) if m else "one"


def _about(
    about: str,
    prev: TurnLike,
    entities: list[Entity],
    history: Sequence[TurnLike],
    lookup: Lookup | None,
) -> tuple[str, bool]:
    """ "What about X?" / "And X?": the previous query about X (a new subject), or X asked of the
    focus (an attribute: "and the budget?")."""
    asked = _ASKED_AFTER.search(about)
    if asked:  # "What about the first one, what year was that?"
        subject = about[: asked.start()].strip(" ,:;—–-")
        # "I meant the italian scientist - which country is his joint center with?": whom "his" is
        subject = _described_person(subject, history, lookup) or subject
        subject = _ordinal(subject, prev, entities)
        meant = _other(subject, entities, history, lookup)
        if meant != subject:  # "FAST, the Chinese one": the description has done its work
            meant = re.sub(r",\s*the\s+[\w-]+\s+one(?:\s*\([^)]*\))?\s*$", "", meant, flags=re.I)
        subject, _ = _substitute(meant, entities)
        q = asked.group("q").strip().rstrip("?")
        sub_focus = [
            Entity(subject, _kind_of(subject) if mentions(subject) else "thing", 9.0, True, subject)
        ]
        resolved, missing = _substitute(q, sub_focus + entities)
        if resolved == q:
            return f"{q}, {subject}?", False
        return f"{resolved}?", missing
    resolved = _ordinal(about, prev, entities)
    resolved = _other(resolved, entities, history, lookup)
    resolved, _ = _substitute(resolved, entities)
    ordinal = _ORDINAL_ONE.search(about)
    if ordinal:  # "and the first one?": the previous question about it
        ord_prev = re.search(rf"\b({_ORDINALS})\b", prev.query, re.I)
        if ord_prev:
            return prev.query[: ord_prev.start()] + ordinal.group("ord") + prev.query[
                ord_prev.end() :
            ], False
    if _PRONOUN.search(about) and resolved != about:  # "and its theme?": asked of the focus
        return f"What is {resolved}?", False
    named = mentions(resolved)
    if named or resolved != about:  # a new subject: the previous question asked about it
        kind = named[0].kind if named else "thing"
        current = _subject(prev.query, entities, kind)
        if current is not None and current.name.lower() not in resolved.lower():
            return _swap(prev.query, current.name, resolved), False
        return f"{_predicate(prev.query)}, {resolved}?", True
    asked_noun = _ASKED_NOUN.match(prev.query)
    if asked_noun and not re.match(r"the\b", resolved, re.I):
        # "How many countries has China ...?" + "And intergovernmental agreements?"
        return prev.query[: asked_noun.start("noun")] + resolved + prev.query[
            asked_noun.end("noun") :
        ], False
    top = _pick(entities, {"thing", "person"})
    if top is None:
        return f"{resolved}?", True
    return f"What about {resolved} of {top.name}?", False
