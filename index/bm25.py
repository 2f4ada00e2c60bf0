"""BM25 over the passages, built at ingest, saved beside the index and kept warm in memory.

We call bm25s (the engine inside llama-index's BM25Retriever) directly: BM25Retriever fixes its
metadata filters when it is constructed, by a Python pass over every node, while a query here
carries its own filters; a numpy mask over three small arrays gives the same result per query in
microseconds. Tokenization matches BM25Retriever's defaults (English Snowball stemmer, its token
pattern), with English stop words dropped.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.casing import Casing
from index.passages import split_passage_id
from index.text import TOKEN, CloseWords, terms

TOKEN_PATTERN = TOKEN.pattern
# A misspelled query term is matched to a held term at least this similar (rapidfuzz's ratio,
# 0-100): one dropped or swapped letter in a 7-9 letter word scores 88-94, while unrelated words of
# one first letter rarely pass 80.
CORRECT_MIN = 85.0
CORRECT_MIN_CHARS = 5


@dataclass(slots=True)
class Filters:
    """What a search may return: article ids, sources, and a published-date range (YYYY-MM-DD)."""

    article_ids: list[str] | None = None
    sources: list[str] | None = None
    published_from: str | None = None
    published_to: str | None = None

    def is_empty(self) -> bool:
        return not (self.article_ids or self.sources or self.published_from or self.published_to)

    def chroma_where(self) -> dict[str, Any] | None:
        from index.store import date_number

        clauses: list[dict[str, Any]] = []
        if self.article_ids:
            clauses.append({"article_id": {"$in": list(self.article_ids)}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.published_from:
            clauses.append({"pub": {"$gte": date_number(self.published_from)}})
        if self.published_to:
            clauses.append({"pub": {"$lte": date_number(self.published_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _id_key(passage_id: str) -> tuple[str, int]:
    article, index = split_passage_id(passage_id)
    return article, -1 if index is None else index


class BM25Index:
    """A bm25s index plus, per passage, its id, article, source and date for filtering."""

    def __init__(self, spelling: bool = True) -> None:
        import Stemmer

        self.spelling = spelling
        self.stemmer = Stemmer.Stemmer("english")
        self.ids: list[str] = []
        self.articles: np.ndarray = np.zeros(0, dtype=object)
        self.sources: np.ndarray = np.zeros(0, dtype=object)
        self.dates: np.ndarray = np.zeros(0, dtype=np.int64)
        self.fingerprint = ""
        self.casing = Casing({}, {})
        self._bm25: Any = None
        self._sorted_vocab: list[str] | None = None
        self._close: CloseWords | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def _tokenize(self, texts: list[str]) -> Any:
        import bm25s

        return bm25s.tokenize(
            texts,
            stopwords="en",
            stemmer=self.stemmer,
            token_pattern=TOKEN_PATTERN,
            show_progress=False,
        )

    def build(
        self,
        pages: Iterable[tuple[list[str], list[str], list[dict[str, Any]]]],
        fingerprint: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Indexes the passages of ``pages`` (ids, texts, metadata with ``article_id``), each text
        under its article's entry in ``headers`` (index/passages.py ``title_header``), and learns
        the corpus's casing of names from the texts themselves (index/casing.py)."""
        import logging

        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        headers = headers or {}
        ids: list[str] = []
        texts: list[str] = []
        articles: list[str] = []
        sources: list[str] = []
        dates: list[int] = []
        raw: list[str] = []
        for page_ids, page_texts, metas in pages:
            ids.extend(page_ids)
            raw.extend(page_texts)
            for text, meta in zip(page_texts, metas, strict=True):
                texts.append(headers.get(str(meta.get("article_id")), "") + text)
            for meta in metas:
                articles.append(str(meta.get("article_id") or ""))
                sources.append(str(meta.get("source") or ""))
                dates.append(int(meta.get("pub") or 0))
        # passage-id order (article, then position), so an index rebuilt after a replacement ranks
        # ties exactly as a fresh one does
        order = sorted(range(len(ids)), key=lambda i: _id_key(ids[i]))
        ids, texts = [ids[i] for i in order], [texts[i] for i in order]
        articles, sources, dates = (
            [articles[i] for i in order],
            [sources[i] for i in order],
            [dates[i] for i in order],
        )
        self.ids = ids
        self.articles = np.array(articles, dtype=object)
        self.sources = np.array(sources, dtype=object)
        self.dates = np.array(dates, dtype=np.int64)
        self.fingerprint = fingerprint
        self.casing = Casing.learn(raw)
        self._sorted_vocab = None
        self._close = None
        tokens = self._tokenize(texts) if texts else None
        if tokens is not None and tokens.vocab:
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokens, show_progress=False)
        else:  # no passage, or none with a word beyond stop words ("The and of it."): bm25s
            self._bm25 = None  # cannot index an empty vocabulary; dense search still serves

    def save(self, folder: Path) -> None:
        # names of this process's own: several serving processes may share a data directory
        tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25s"))
        np.save(tmp / "dates.npy", self.dates)
        (tmp / "casing.json").write_text(json.dumps(self.casing.to_json()))
        (tmp / "fingerprint").write_text(self.fingerprint)
        (tmp / "meta.json").write_text(
            json.dumps(
                {
                    "fingerprint": self.fingerprint,
                    "ids": self.ids,
                    "articles": self.articles.tolist(),
                    "sources": self.sources.tolist(),
                }
            )
        )
        # swap in whole, so a crash never leaves half an index behind
        old = folder.with_name(f"{folder.name}.old{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        try:
            if folder.exists():
                folder.rename(old)
            tmp.rename(folder)
        except OSError:  # another process swapped its copy in at the same moment: keep that one
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def saved_fingerprint(folder: Path) -> str | None:
        """The fingerprint of the index saved in ``folder``, read without loading the index."""
        try:
            return (folder / "fingerprint").read_text().strip()
        except OSError:
            return None

    @classmethod
    def load(cls, folder: Path) -> BM25Index | None:
        """The saved index, or None when there is none or it cannot be read."""
        import bm25s

        index = cls()
        try:
            meta = json.loads((folder / "meta.json").read_text())
            index.ids = list(meta["ids"])
            index.articles = np.array(meta["articles"], dtype=object)
            index.sources = np.array(meta["sources"], dtype=object)
            index.dates = np.load(folder / "dates.npy")
            index.fingerprint = str(meta["fingerprint"])
            # an index saved before the casing table was learned is rebuilt
            index.casing = Casing.from_json(json.loads((folder / "casing.json").read_text()))
            if index.ids and (folder / "bm25s").is_dir():
                index._bm25 = bm25s.BM25.load(str(folder / "bm25s"))
        except (OSError, ValueError, KeyError):
            return None
        return index

    def idf(self, query_terms: list[str]) -> tuple[dict[str, float], frozenset[str]]:
        """BM25's idf of each term, and the terms no passage contains (they get the largest idf)."""
        n = len(self.ids)
        out: dict[str, float] = {}
        absent: set[str] = set()
        vocab = self._bm25.vocab_dict if self._bm25 is not None else {}
        indptr = self._bm25.scores["indptr"] if self._bm25 is not None else np.zeros(1)
        for term in query_terms:
            tid = vocab.get(term)
            df = (
                int(indptr[tid + 1] - indptr[tid])
                if tid is not None and tid + 1 < len(indptr)
                else 0
            )
            out[term] = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
            if df == 0 and not self._is_prefix(term):
                absent.add(term)
        return out, frozenset(absent)

    def holds(self, term: str) -> bool:
        """Whether some passage contains ``term`` (a stem)."""
        return self._bm25 is not None and term in self._bm25.vocab_dict

    def correct(self, query_terms: list[str], keep: Collection[str] = ()) -> list[str]:
        """Each term that no passage holds, replaced by the closest one that passages do hold
        ("scientst" -> "scientist", "telscop" -> "telescop"): rapidfuzz's normalized Indel
        similarity of at least CORRECT_MIN among the vocabulary's terms with the same first
        letter. Short terms, numbers and short forms of held words ("lab") stay as they are, and
        so does a term with no close match (a name the articles never mention stays absent), and
        a term in ``keep``: that of a real word (index/text.py ``word_terms``), which "protect" is,
        not a misspelled "project"."""
        if self._bm25 is None or not self.spelling:
            return query_terms
        vocab = self._bm25.vocab_dict
        out: list[str] = []
        for term in query_terms:
            fixed = term
            if (
                term not in vocab
                and term not in keep
                and len(term) >= CORRECT_MIN_CHARS
                and not term.isdigit()
                and not self._is_prefix(term)
            ):
                if self._close is None:
                    self._close = CloseWords(vocab, CORRECT_MIN, CORRECT_MIN_CHARS)
                fixed = self._close.closest(term) or term
            out.append(fixed)
        return out

    def _is_prefix(self, term: str) -> bool:
        """A short form of a word the passages hold ("lab" of "laboratory"): not a missing word."""
        if len(term) < 3 or self._bm25 is None:
            return False
        if self._sorted_vocab is None:
            self._sorted_vocab = sorted(self._bm25.vocab_dict)
        at = bisect.bisect_left(self._sorted_vocab, term)
        return at < len(self._sorted_vocab) and self._sorted_vocab[at].startswith(term)

    def _mask(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or filters.is_empty():
            return None
        from index.store import date_number

        keep = np.ones(len(self.ids), dtype=bool)
        if filters.article_ids:
            keep &= np.isin(self.articles, list(filters.article_ids))
        if filters.sources:
            keep &= np.isin(self.sources, list(filters.sources))
        if filters.published_from:
            keep &= self.dates >= date_number(filters.published_from)
        if filters.published_to:
            keep &= (self.dates > 0) & (self.dates <= date_number(filters.published_to))
        return keep.astype(np.float32)

    def search(
        self, query: str, k: int, filters: Filters | None = None, keep: Collection[str] = ()
    ) -> list[tuple[str, float]]:
        """Top passages as (id, BM25 score), best first; passages scoring 0 are left out
        (``keep``: terms of real words, never mended: ``correct``)."""
        if self._bm25 is None or not self.ids:
            return []
        # The query is tokenized as bm25s.tokenize would (same pattern, stop words and stemmer:
        # text.terms) and scored with bm25s' own get_scores_from_ids and topk: bm25s' retrieve()
        # builds six tqdm bars and a Tokenized object per call, 0.6 of its 1.2 ms (profiled on the
        # 1,659-article corpus).
        from bm25s.selection import topk

        ids = self._bm25.get_tokens_ids(self.correct(terms(query), keep))
        if not ids:
            return []
        mask = self._mask(filters)
        if mask is not None and not mask.any():
            return []
        k = min(k, len(self.ids))
        scores = self._bm25.get_scores_from_ids(ids, weight_mask=mask)
        top_scores, top = topk(scores, k, backend="numpy", sorted=True)
        return [(self.ids[int(d)], float(s)) for d, s in zip(top, top_scores, strict=True) if s > 0]
