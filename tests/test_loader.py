"""The loader reads every supported format and skips bad input by name, never stopping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.loader import LoadResult, load_articles, parse_bytes, title_from_text
from newsrag.settings import SEED_CORPUS


def test_seed_corpus_loads_both_articles_with_titles_from_the_first_line() -> None:
    result = load_articles([SEED_CORPUS])
    ids = sorted(a.id for a in result.articles)
    assert ids == ["000_08bfda3cfe92e91c", "002_c34788a0f5bea4b4"]
    first = next(a for a in result.articles if a.id.startswith("000"))
    assert (
        first.title == "China's Expanding Global Sci-Tech Partnerships: A Path to Shared Progress"
    )
    assert result.skipped == []


def test_jsonl_lines_become_articles_with_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "x1",
                "title": "T",
                "text": "Body one.",
                "url": "http://e/1",
                "source": "e",
                "published": "2022-06-16",
            }
        )
        + "\n\n"
        + json.dumps({"id": "x2", "text": "First line title\nBody."})
        + "\n"
    )
    result = load_articles([path])
    assert [a.id for a in result.articles] == ["x1", "x2"]
    assert result.articles[0].published == "2022-06-16" and result.articles[0].source == "e"
    assert result.articles[1].title == "First line title"


def test_html_main_text_is_extracted_and_boilerplate_dropped(tmp_path: Path) -> None:
    body = " ".join(["The council approved the new bridge over the river on Tuesday."] * 8)
    html = f"""<html><head><title>Bridge approved</title></head><body>
    <nav><a href="/">Home</a> | <a href="/sports">Sports</a> | Subscribe now</nav>
    <article><h1>Bridge approved</h1><p>{body}</p><p>Work starts in May, officials said.</p></article>
    <footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"""
    (tmp_path / "bridge.html").write_text(html)
    result = load_articles([tmp_path])
    assert [a.id for a in result.articles] == ["bridge"]
    text = result.articles[0].text
    assert "council approved the new bridge" in text and "Work starts in May" in text
    assert "Subscribe now" not in text and "All rights reserved" not in text


def test_bad_files_are_skipped_and_named_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Title\nA fine article.")
    (tmp_path / "empty.txt").write_text("   \n\n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 10)
    (tmp_path / "latin1.md").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "lines.jsonl").write_text(
        '{"id": "ok", "text": "Fine."}\n{not json}\n{"id": "no-text"}\n[1, 2]\n'
        '{"id": "bad-date", "text": "x", "published": "yesterday"}\n'
    )
    (tmp_path / "broken.html").write_text("<html><body><script>var x=1;</script></body></html>")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing-target.txt")
    result = load_articles([tmp_path])
    assert sorted(a.id for a in result.articles) == ["good", "ok"]
    reasons = {Path(s.where).name: s.reason for s in result.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert "not UTF-8" in reasons["latin1.md"]
    assert "malformed JSON" in reasons["lines.jsonl:2"]
    assert "missing field(s): text" in reasons["lines.jsonl:3"]
    assert "not a JSON object" in reasons["lines.jsonl:4"]
    assert "not a YYYY-MM-DD date" in reasons["lines.jsonl:5"]
    assert "no article text" in reasons["broken.html"]
    assert "unreadable" in reasons["dangling.txt"]
    assert len(result.skipped) == 9


def test_folders_are_walked_recursively_and_hidden_entries_ignored(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.md").write_text("# Deep title\nText.")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "secret.txt").write_text("Secret\nText.")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    result = load_articles([tmp_path])
    assert [(a.id, a.title) for a in result.articles] == [("deep", "Deep title")]


def test_a_repeated_id_keeps_the_first_article_and_names_the_second(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "same.txt").write_text("First\nText.")
    (tmp_path / "two" / "same.txt").write_text("Second\nText.")
    result = load_articles([tmp_path])
    assert [a.title for a in result.articles] == ["First"]
    assert result.skipped[0].reason.startswith("duplicate article id")


def test_unsafe_names_become_safe_ids_and_unknown_types_are_refused() -> None:
    result = LoadResult()
    parse_bytes("../../etc/pass wd.txt", b"Title\nBody", result)
    parse_bytes("evil.exe", b"MZ", result)
    assert result.articles[0].id == "pass_wd"
    assert result.skipped[0].reason == "unsupported file type .exe"


def test_content_hash_changes_with_text_and_metadata_only() -> None:
    a = load_articles([SEED_CORPUS]).articles[0]
    same = type(a)(a.id, a.title, a.text, a.url, a.source, a.published)
    changed = type(a)(a.id, a.title, a.text + " More.", a.url, a.source, a.published)
    assert a.content_hash == same.content_hash != changed.content_hash


def test_a_first_line_that_is_a_paragraph_gives_its_first_sentence_cut_at_120_characters() -> None:
    result = load_articles([SEED_CORPUS])
    second = next(a for a in result.articles if a.id.startswith("002"))
    assert second.title == (
        "Recently, the Science and Technology Daily published an article titled “Building a New "
        "Framework for Mutually…"
    )
    assert len(second.title) <= 120


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Bridge approved\n\nThe council voted.", "Bridge approved"),
        ("Will the bridge be built?\nThe council voted.", "Will the bridge be built?"),
        ("The council voted on Monday.\nMore text.", "The council voted on Monday."),
        (
            "The U.S. envoy and Dr. Li met on Monday. Talks went on.",
            "The U.S. envoy and Dr. Li met on Monday.",
        ),
        ("word " * 40, "word " * 23 + "word…"),
        ("H" * 151 + "\nBody.", "H" * 119 + "…"),
    ],
)
def test_a_text_title_is_a_heading_line_or_else_the_first_sentence(text: str, title: str) -> None:
    assert title_from_text(text) == title


def test_a_file_of_an_unsupported_type_in_a_folder_is_counted_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Title\nBody.")
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01binary")
    (tmp_path / "notes").write_text("no suffix")
    result = load_articles([tmp_path, tmp_path / "given.pdf"])
    assert [a.id for a in result.articles] == ["a"]
    assert sorted((Path(s.where).name, s.reason) for s in result.skipped) == [
        ("given.pdf", "unsupported type"),
        ("junk.bin", "unsupported type"),
        ("notes", "unsupported type"),
    ]
