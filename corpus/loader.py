"""Reads article files (.txt, .md, .jsonl, .html) into Article records; bad input is skipped and named."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

SUFFIXES = (".txt", ".md", ".jsonl", ".html", ".htm")
# 20 MB: far above any news article; larger files are almost always dumps or binaries.
MAX_FILE_BYTES = 20 * 1024 * 1024
_ID_SAFE = re.compile(r"[^A-Za-z0-9._\-]+")
# Titles of .txt/.md files (CONTRACT.md): a first line up to 150 characters not ending in a full
# stop is a heading; otherwise the first sentence, cut to 120 (two lines of a source card).
HEADING_MAX_CHARS = 150
TITLE_SENTENCE_CHARS = 120
_CLOSERS = " \"'”’)]»"
# A sentence ends at . ! or ? (closing quotes/brackets included) before a space and a capital,
# digit or opening quote: "U.S. officials" and "3.5 million" do not end one.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Dr Prof St Gen Gov Sen Rep Col Lt Sgt No Jan Feb Aug Sept Oct Nov Dec".split()
)


@dataclass(frozen=True, slots=True)
class Article:
    """One news article; ``text`` is what citation offsets refer to."""

    id: str
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published: str | None = None  # YYYY-MM-DD

    @property
    def content_hash(self) -> str:
        payload = json.dumps(
            [self.title, self.text, self.url, self.source, self.published], ensure_ascii=False
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be read, and why."""

    where: str
    reason: str


@dataclass(slots=True)
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class ArticleError(ValueError):
    """An input that cannot become an article (the message says why)."""


def safe_id(raw: str) -> str:
    """An article id usable in URLs and store keys: unsafe characters become '_'."""
    cleaned = _ID_SAFE.sub("_", raw.strip()).strip("._")
    if not cleaned:
        raise ArticleError("empty id")
    return cleaned[:200]


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file (NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_date(value: object) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ArticleError("'published' must be a YYYY-MM-DD string")
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise ArticleError(f"'published' is not a YYYY-MM-DD date: {value[:40]!r}") from None


def _opt_str(record: dict[str, object], key: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ArticleError(f"'{key}' must be a string")
    return value


def _is_heading(line: str) -> bool:
    """A line that reads as a headline: short, and not closed by a sentence's full stop (an
    ellipsis or a closing quote after the stop still counts as a stop)."""
    if len(line) > HEADING_MAX_CHARS:
        return False
    end = line.rstrip(_CLOSERS)
    return not (end.endswith(".") and not end.endswith(".."))


def first_sentence(text: str, limit: int = TITLE_SENTENCE_CHARS) -> str:
    """The first sentence of ``text`` on one line, cut at a word boundary with "…" past ``limit``."""
    flat = " ".join(text.split())
    sentence = flat
    for match in _SENTENCE_END.finditer(flat):
        word = flat[: match.start()].rsplit(" ", 1)[-1]
        if match.group().startswith(".") and (
            len(word) == 1 or "." in word or word in _ABBREVIATIONS
        ):
            continue  # "U.S. President", "Dr. Li": a stop inside an abbreviation
        sentence = flat[: match.end()]
        break
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    if sentence[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-“‘(\"'") + "…"


def title_from_text(text: str) -> str:
    """The first non-empty line when it reads as a heading (Markdown '#' dropped), else the
    first sentence, shortened: a paragraph is not a title (seed 002 opens with one)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ArticleError("empty text")
    first = lines[0].lstrip("#").strip() or lines[0]
    if _is_heading(first):
        return first
    return first_sentence(text.lstrip().lstrip("#"))


def article_from_text(article_id: str, text: str) -> Article:
    """A .txt/.md article: the title is the first line when it reads as a heading, else the first
    sentence (see ``title_from_text``)."""
    if not text.strip():
        raise ArticleError("empty file")
    return Article(id=safe_id(article_id), title=title_from_text(text), text=text)


def article_from_html(article_id: str, html: str) -> Article:
    """An .html article: main text extracted by trafilatura, boilerplate dropped."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    extracted: Any = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if extracted is None or not (extracted.text or "").strip():
        raise ArticleError("no article text found in the HTML")
    text = extracted.text.strip()
    title = (extracted.title or "").strip() or title_from_text(text)
    published = None
    if extracted.date:
        try:
            published = _check_date(extracted.date)
        except ArticleError:
            published = None
    return Article(
        id=safe_id(article_id),
        title=title,
        text=text,
        url=extracted.url or None,
        source=extracted.sitename or extracted.hostname or None,
        published=published,
    )


def article_from_record(record: object) -> Article:
    """A JSON object {"id", "title", "text", "url"?, "source"?, "published"?}."""
    if not isinstance(record, dict):
        raise ArticleError("not a JSON object")
    missing = [key for key in ("id", "text") if not record.get(key)]
    if missing:
        raise ArticleError(f"missing field(s): {', '.join(missing)}")
    raw_id, text = record["id"], record["text"]
    if not isinstance(raw_id, str | int) or not isinstance(text, str):
        raise ArticleError("'id' must be a string and 'text' a string")
    if not text.strip():
        raise ArticleError("empty text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = _opt_str(record, "title") or title_from_text(text)
    return Article(
        id=safe_id(str(raw_id)),
        title=title.strip(),
        text=text,
        url=_opt_str(record, "url"),
        source=_opt_str(record, "source"),
        published=_check_date(record.get("published")),
    )


def _iter_jsonl(path: Path, text: str, result: LoadResult) -> Iterator[Article]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield article_from_record(json.loads(line))
        except json.JSONDecodeError as exc:
            result.skipped.append(Skipped(f"{path}:{number}", f"malformed JSON ({exc.msg})"))
        except ArticleError as exc:
            result.skipped.append(Skipped(f"{path}:{number}", str(exc)))


def parse_bytes(name: str, data: bytes, result: LoadResult) -> None:
    """Parses one file's bytes by its suffix, appending articles and skips to ``result``."""
    suffix = Path(name).suffix.lower()
    stem = Path(name).stem
    try:
        if suffix not in SUFFIXES:
            raise ArticleError(f"unsupported file type {suffix or '(none)'}")
        if len(data) > MAX_FILE_BYTES:
            raise ArticleError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        text = _decode(data)
        if not text.strip():
            raise ArticleError("empty file")
        if suffix == ".jsonl":
            result.articles.extend(_iter_jsonl(Path(name), text, result))
        elif suffix in (".html", ".htm"):
            result.articles.append(article_from_html(stem, text))
        else:
            result.articles.append(article_from_text(stem, text))
    except ArticleError as exc:
        result.skipped.append(Skipped(name, str(exc)))


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under ``paths`` (directories walked recursively, hidden entries skipped), of any type:
    the caller accounts for those it cannot read."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith((".", "__")) for part in rel.parts):
                    continue
                if child.is_file() or child.is_symlink():
                    yield child
        else:
            yield path


def load_articles(paths: Iterable[Path]) -> LoadResult:
    """Loads every article under ``paths``; later duplicates of an id are skipped and named."""
    result = LoadResult()
    for path in iter_files(paths):
        if path.suffix.lower() not in SUFFIXES:  # counted, never read: it may be large or binary
            result.skipped.append(Skipped(str(path), "unsupported type"))
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            result.skipped.append(Skipped(str(path), f"unreadable ({exc.strerror or exc})"))
            continue
        parse_bytes(str(path), data, result)
    seen: set[str] = set()
    unique: list[Article] = []
    for article in result.articles:
        if article.id in seen:
            result.skipped.append(Skipped(article.id, "duplicate article id (first one kept)"))
            continue
        seen.add(article.id)
        unique.append(article)
    result.articles = unique
    return result
