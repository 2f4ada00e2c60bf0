"""Pure functions that turn Answers, citations and articles into the UI's HTML; all article text is escaped.

Element ids tie the pieces together: the marker [n] of answer t links to ``#nr-src-t-n``, the source
card with that id; ui/client.js makes those links scroll to the card and the cards' "Open article"
buttons open the article viewer, scrolled to ``#nr-target`` (the quoted sentence).
"""

from __future__ import annotations

import re
from html import escape

from index.models import Answer, Citation

MARKER = re.compile(r"\[(\d+)\]")
# 90: two lines of a card's heading at the panel's usual width.
TITLE_CHARS = 90


def short_title(title: str, limit: int = TITLE_CHARS) -> str:
    """The title's first line, cut at a word boundary to ``limit`` characters (a title may be a whole
    paragraph: a .txt article's title is its first non-empty line)."""
    line = next((ln.strip() for ln in title.splitlines() if ln.strip()), "")
    line = " ".join(line.split())
    if len(line) <= limit:
        return line or "Untitled article"
    cut = line[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-") + "…"


def _text(text: str) -> str:
    """Escaped text whose line breaks survive inside the chat's HTML (a blank line would end it)."""
    return "<br>".join(escape(line) for line in text.split("\n"))


def cite_id(turn: int, n: int) -> str:
    return f"nr-src-{turn}-{n}"


def linked_answer(text: str, turn: int) -> str:
    """The answer text escaped, each [n] a link to source card n of answer ``turn``."""
    out: list[str] = []
    last = 0
    for m in MARKER.finditer(text):
        n = int(m.group(1))
        out.append(_text(text[last : m.start()]))
        out.append(
            f'<a class="nr-cite" href="#{cite_id(turn, n)}" title="Show source {n}">[{n}]</a>'
        )
        last = m.end()
    out.append(_text(text[last:]))
    return "".join(out)


def user_message(question: str) -> str:
    return f'<div class="nr-user">{_text(question)}</div>'


def streaming_message(text: str, turn: int) -> str:
    """The answer as it arrives."""
    return f'<div class="nr-answer nr-streaming">{linked_answer(text, turn)}<span class="nr-caret"></span></div>'


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def meta_line(answer: Answer, turn: int, question: str | None = None) -> str:
    """Latency, the query actually searched when it is not the question as asked (a follow-up
    rewritten) or was searched with the last answer's passages, warnings and the copy link."""
    t = answer.timings_ms
    parts = [
        f'<span class="nr-latency" title="retrieve {_ms(t.get("retrieve"))} · compose '
        f'{_ms(t.get("answer"))}">answered in {_ms(t.get("total"))}</span>',
    ]
    if question is None or not _same_words(answer.query, question) or answer.context:
        with_last = " with the last answer’s passages" if answer.context else ""
        parts.append(
            f'<span class="nr-query">searched for “{escape(answer.query)}”{with_last}</span>'
        )
    parts.append(
        f'<a class="nr-copy" href="#nr-copy-{turn}" title="Copy the answer and its sources">Copy answer</a>'
    )
    meta = f'<div class="nr-meta">{" · ".join(parts)}</div>'
    if answer.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in answer.warnings)
        meta += f'<ul class="nr-warnings">{items}</ul>'
    return meta


def answer_message(answer: Answer, turn: int, question: str | None = None) -> str:
    """The finished answer; an abstention looks like a notice, not like an answer. ``question``
    as asked: the searched query is shown only when it differs."""
    if answer.answered:
        body = f'<div class="nr-answer">{linked_answer(answer.answer, turn)}</div>'
    else:
        if not answer.citations:
            related = "No passage came close."
        elif MARKER.search(answer.answer):
            related = ""  # the text already points at the related passages
        else:
            related = "The closest passages are under Sources: related, but they do not answer it."
        body = (
            '<div class="nr-abstain"><div class="nr-abstain-head">Not found in the indexed articles</div>'
            f"<div>{linked_answer(answer.answer, turn)}</div>"
            + (f'<div class="nr-abstain-hint">{related}</div>' if related else "")
            + "</div>"
        )
    return body + meta_line(answer, turn, question)


def error_message(text: str) -> str:
    """A failure shown in the chat in place of an answer."""
    return f'<div class="nr-error" role="alert"><strong>Could not answer.</strong> {escape(text)}</div>'


def banner(text: str) -> str:
    """A message above the question box (e.g. an empty or too long question)."""
    return f'<div class="nr-banner" role="alert">{escape(text)}</div>' if text else ""


def highlighted_passage(c: Citation) -> str:
    """The passage, escaped, with the quoted sentence marked by its exact offsets (or found in it
    when the offsets disagree with the text)."""
    p = c.passage
    qs, qe = c.quote_start - c.start, c.quote_end - c.start
    if not (0 <= qs <= qe <= len(p) and p[qs:qe] == c.quote):
        qs = p.find(c.quote) if c.quote else -1
        qe = qs + len(c.quote)
    if qs < 0 or not c.quote:
        return escape(p)
    quote = escape(p[qs:qe])
    hs = (c.highlight_start - c.start) if c.highlight_start is not None else -1
    he = (c.highlight_end - c.start) if c.highlight_end is not None else -1
    if qs <= hs < he <= qe:  # the phrase the question asked for, inside the quote
        quote = (
            f'{escape(p[qs:hs])}<strong class="nr-answer">{escape(p[hs:he])}</strong>'
            f"{escape(p[he:qe])}"
        )
    return f'{escape(p[:qs])}<mark class="nr-quote">{quote}</mark>{escape(p[qe:])}'


def _byline(source: str | None, published: str | None, link: str = "") -> str:
    """Source, date and link, whichever are known; nothing at all when none is."""
    bits = [escape(b) for b in (source, published) if b]
    if link:
        bits.append(link)
    return f'<div class="nr-byline">{" · ".join(bits)}</div>' if bits else ""


def source_card(c: Citation, turn: int) -> str:
    link = (
        f'<a class="nr-url" href="{escape(c.url)}" target="_blank" rel="noopener noreferrer">original ↗</a>'
        if c.url and c.url.startswith(("http://", "https://"))
        else ""
    )
    data = (
        f'data-article="{escape(c.article_id)}" data-start="{c.start}" data-end="{c.end}" '
        f'data-qs="{c.quote_start}" data-qe="{c.quote_end}" data-n="{c.n}"'
    )
    return (
        f'<article class="nr-card" id="{cite_id(turn, c.n)}">'
        f'<header><span class="nr-n">{c.n}</span>'
        f'<span class="nr-title" title="{escape(c.title)}">{escape(short_title(c.title))}</span></header>'
        f"{_byline(c.source, c.published)}"
        f'<blockquote class="nr-passage">{highlighted_passage(c)}</blockquote>'
        f'<footer><button type="button" class="nr-open" {data}>Open article at this passage</button>'
        f"{link}</footer></article>"
    )


def plain_answer(answer: Answer) -> str:
    """What "Copy answer" puts on the clipboard: the text and its numbered sources."""
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "Sources:" if answer.answered else "Related passages:"]
        for c in answer.citations:
            where = ", ".join(b for b in (c.source, c.published, c.url) if b)
            lines.append(f"[{c.n}] {short_title(c.title)}" + (f" ({where})" if where else ""))
    return "\n".join(lines)


def sources_panel(turns: list[tuple[str, Answer]]) -> str:
    """Every answer's sources, the latest first and open; ``turns`` is (question, Answer) in order."""
    if not turns:
        return (
            '<div class="nr-empty">Sources appear here: each [n] in an answer links to its card, '
            "with the passage and the quoted sentence highlighted.</div>"
        )
    sections = []
    for t in range(len(turns), 0, -1):
        question, answer = turns[t - 1]
        heading = "Sources" if answer.answered else "Related passages (not an answer)"
        cards = "".join(source_card(c, t) for c in answer.citations) or (
            '<div class="nr-empty">No passage to show.</div>'
        )
        kind = "nr-turn" if answer.answered else "nr-turn nr-turn-abstain"
        sections.append(
            f'<details class="{kind}" id="nr-turn-{t}"{" open" if t == len(turns) else ""}>'
            f'<summary><span class="nr-turn-label">{heading}</span>'
            f'<span class="nr-turn-q">{escape(short_title(question, 70))}</span></summary>'
            f"{cards}"
            f'<textarea class="nr-plain" id="nr-plain-{t}" hidden readonly>{escape(plain_answer(answer))}'
            "</textarea></details>"
        )
    return "".join(sections)


def article_view(
    title: str,
    text: str,
    source: str | None,
    published: str | None,
    url: str | None,
    span: tuple[int, int, int, int],
) -> str:
    """The whole article, escaped, the cited passage shaded and its quote marked ``#nr-target``.
    ``span`` is (start, end, quote_start, quote_end) into ``text``; bad offsets are clamped."""
    n = len(text)
    start, end, qs, qe = (min(max(0, v), n) for v in span)
    end = max(start, end)
    qs, qe = min(max(qs, start), end), min(max(qe, start), end)
    qe = max(qs, qe)
    body = (
        f"{escape(text[:start])}<span class='nr-cited'>{escape(text[start:qs])}"
        f"<mark id='nr-target' class='nr-quote'>{escape(text[qs:qe])}</mark>"
        f"{escape(text[qe:end])}</span>{escape(text[end:])}"
    )
    link = (
        f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">original ↗</a>'
        if url and url.startswith(("http://", "https://"))
        else ""
    )
    return (
        '<div class="nr-viewer-inner" role="dialog" aria-label="Article">'
        '<div class="nr-viewer-bar"><div>'
        f'<div class="nr-viewer-title">{escape(short_title(title, 160))}</div>'
        f"{_byline(source, published, link)}</div>"
        '<button type="button" class="nr-close" aria-label="Close the article">✕</button></div>'
        f'<div class="nr-article">{body}</div></div>'
    )


def viewer_message(text: str) -> str:
    """The article viewer when the article cannot be shown."""
    return (
        '<div class="nr-viewer-inner" role="dialog" aria-label="Article"><div class="nr-viewer-bar">'
        f'<div class="nr-viewer-title">{escape(text)}</div>'
        '<button type="button" class="nr-close" aria-label="Close">✕</button></div></div>'
    )
