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
