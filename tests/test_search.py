"""The ranked list puts every article's best passage before a second passage of one article; the
answer step still reads the best passages as fused (real index, real models)."""

from __future__ import annotations

from support import searcher_with

from ask.engine import Engine


def test_the_list_shows_each_articles_best_passage_first_and_the_answer_reads_as_fused(
    seed_engine: Engine,
) -> None:
    question = "When was the first Tengchong Scientists Forum held?"  # only 002 speaks of it
    listed, reading, _ = searcher_with(seed_engine.searcher, per_article=1).search_with_pool(
        question, 10, answer_k=5
    )
    plain, plain_reading, _ = searcher_with(seed_engine.searcher, per_article=0).search_with_pool(
        question, 10, answer_k=5
    )
    articles = [h.article.id for h in listed]
    assert len({h.article.id for h in plain[:5]}) == 1  # as fused, one article fills the top
    assert len(set(articles[:2])) == 2  # the other article's best passage comes second
    # the rest keep their fused order
    assert [h.passage.id for h in listed if h.article.id == articles[0]] == [
        h.passage.id for h in plain if h.article.id == articles[0]
    ][: articles.count(articles[0])]
    assert [h.rank for h in listed] == list(range(1, len(listed) + 1))
    # the reading is the fused order whatever the list shows
    assert [h.passage.id for h in reading] == [h.passage.id for h in plain_reading]
    assert [h.passage.id for h in reading[:5]] == [h.passage.id for h in plain[:5]]
    # the other article's best passage came from below the fused top 10
    assert articles[1] not in {h.article.id for h in plain}


def test_the_first_one_is_also_searched_as_the_inaugural_one(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from index.text import qualifier_alike

    assert set(qualifier_alike("when was the first forum held")) == {"inaugural", "1st", "maiden"}
    assert "inaugural" in qualifier_alike("when did the forum start?")
    assert not qualifier_alike("where did the forum start?")
    # an activity's start, or what only "it" names, is no first one of a series
    assert not qualifier_alike("When did its construction start?")
    assert not qualifier_alike("when did construction of the SKA begin?")
    assert qualifier_alike("when was the forum held") == []
    _, reading, _ = seed_engine.searcher.search_with_pool(
        "what year was the first Tengchong Scientists Forum", 5, dense_extra=2
    )
    assert any("inaugural forum was held in 2022" in h.passage.text for h in reading[:5])
