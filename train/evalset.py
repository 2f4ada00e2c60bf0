"""``newsrag train evalset``: the rtqa 2023-26 validation or test weeks as a question set and corpus
that ``newsrag eval`` reads, written outside the repository (the data stays where it is licensed).

A question is kept when one of its own search-result pages holds an answer string (whole words,
``train/rtqa.py``); those pages are its ``gold_articles``, so relevance is article-level as on the
rtqa 2022 benchmark. The corpus is every page returned for the part's questions.

``removed=True`` writes the same questions as unanswerable over the same pages with every sentence
holding an answer string of any of them taken out (and a title naming one blanked): the pages still
speak of what was asked, not of the answer, the hardest kind of question to decline
(docs/benchmarks.md, session 6).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eval.metrics import normalize
from index.passages import split_sentences
from train import rtqa


@dataclass(slots=True)
class EvalSet:
    questions: Path
    articles: Path
    kept: int  # questions written
    asked: int  # questions of the part
    pages: int
    sentences_removed: int


def write(data: Path, out: Path, part: str, removed: bool = False) -> EvalSet:
    """Writes ``out/questions.jsonl`` and ``out/articles.jsonl`` for ``part`` ("valid"/"test")."""
    questions, docs = rtqa.load(data)
    split = rtqa.split_by_date(questions)
    chosen: list[rtqa.Question] = getattr(split, part)
    dates = rtqa.doc_dates(questions)
    pages = sorted({r for q in chosen for r in q.results if r in docs})
    items = []
    for q in chosen:
        gold = [r for r in q.results if r in docs and q.holds_answer(normalize(docs[r].text))]
        if gold:  # an answer too short to match anything has no pattern, so no page
            items.append((q, gold))
    patterns = [p for q, _ in items for p in q.patterns]
    out.mkdir(parents=True, exist_ok=True)
    cut = 0
    with (out / "articles.jsonl").open("w", encoding="utf-8") as fh:
        for page_id in pages:
            doc = docs[page_id]
            text, title = doc.text, doc.title
            if removed:
                kept_sentences = []
                for s in split_sentences(text):
                    sentence = text[s.start : s.end]
                    if any(p.search(normalize(sentence)) for p in patterns):
                        cut += 1
                    else:
                        kept_sentences.append(sentence)
                text = " ".join(kept_sentences)
                if any(p.search(normalize(title)) for p in patterns):
                    title = ""
            page = {"id": page_id, "title": title, "text": text, "published": dates.get(page_id)}
            fh.write(json.dumps(page, ensure_ascii=False) + "\n")
    with (out / "questions.jsonl").open("w", encoding="utf-8") as fh:
        for q, gold in items:
            row: dict[str, object]
            if removed:
                row = {"id": f"{q.id}-removed", "question": q.question, "answerable": False}
            else:
                row = {
                    "id": q.id,
                    "question": q.question,
                    "answers": q.answers,
                    "gold_articles": gold,
                    "date": q.date,
                }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return EvalSet(
        out / "questions.jsonl", out / "articles.jsonl", len(items), len(chosen), len(pages), cut
    )
