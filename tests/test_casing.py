"""Names typed in lower case are written as the indexed articles write them (index/casing.py)."""

from __future__ import annotations

from index.casing import Casing

TEXTS = [
    "In July 2021, with the support of China and South Africa, the SKA project commenced. "
    "Ma Yinzhe leads the team. The SKA will be the largest telescope.",
    "Ma Yinzhe said China and the SKA partners share data when they meet. Fast radio bursts "
    "are studied fast.",
    "Academician Lu Yuming won the “Tengchong Science Award.” The Aijiu Agricultural Products "
    "Logistics and Processing Park in Kazakhstan grows wheat. When Chinese scholars visit, "
    "the University hosts them.",
]


def test_lower_case_names_are_restored_as_the_corpus_writes_them() -> None:
    casing = Casing.learn(TEXTS)
    assert casing.restore("ska construction start date") == "SKA construction start date"
    assert casing.restore("who is ma yinzhe?") == "who is Ma Yinzhe?"
    assert casing.restore("who won the tengchong science award") == (
        "who won the Tengchong Science Award"
    )
    # the start of a long name stands for it
    assert casing.restore("manager of the aijiu agricultural products park") == (
        "manager of the Aijiu Agricultural Products park"
    )


def test_words_the_corpus_also_writes_in_lower_case_and_sentence_openings_stay() -> None:
    casing = Casing.learn(TEXTS)
    # "fast" is also written in lower case; "when" only opens a sentence; "university" is a
    # word of names, not a name
    question = "how fast did the university act when chinese scholars came"
    assert casing.restore(question) == question
    # what the user capitalized is kept
    assert casing.restore("Where is FAST?") == "Where is FAST?"


def test_the_table_survives_its_json_round_trip() -> None:
    casing = Casing.learn(TEXTS)
    again = Casing.from_json(casing.to_json())
    assert again.restore("ma yinzhe and the ska") == casing.restore("ma yinzhe and the ska")
    assert Casing({}, {}).restore("ma yinzhe") == "ma yinzhe"


def test_the_bm25_index_learns_the_table_saves_it_and_an_older_save_is_rebuilt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from index.bm25 import BM25Index

    index = BM25Index()
    ids = [f"a#{i}" for i in range(len(TEXTS))]
    metas = [{"article_id": "a"} for _ in TEXTS]
    # the header is searched, but its title case teaches nothing about names
    index.build([(ids, TEXTS, metas)], "fp", {"a": "Building A New Landscape Of Cooperation\n\n"})
    assert index.casing.restore("ska and cooperation") == "SKA and cooperation"
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded is not None and loaded.casing.restore("ma yinzhe") == "Ma Yinzhe"
    table = tmp_path / "bm25" / "casing.json"
    table.write_text(table.read_text().replace('"version": ', '"version": -1'))
    assert BM25Index.load(tmp_path / "bm25") is None  # learned by another version: rebuilt
    table.unlink()  # saved before the table existed
    assert BM25Index.load(tmp_path / "bm25") is None


def test_misspelled_words_are_mended_to_the_closest_word_the_corpus_uses() -> None:
    casing = Casing.learn(
        [*TEXTS, "The scientists built the telescope in Germany, as Germany asked."]
    )
    assert casing.restore("who were the scientsts at the telscope in germny") == (
        "who were the scientists at the telescope in Germany"
    )
    # NEWSRAG_RETRIEVAL_SPELLING=false: names are still cased, nothing is mended
    assert casing.restore("the scientsts in germny", spell=False) == "the scientsts in germny"
    # short words, words typed with a capital, and words with nothing close stay
    assert casing.spell("Where is Spainn? the cat sat. budget") == (
        "Where is Spainn? the cat sat. budget"
    )


def test_real_words_the_corpus_never_uses_are_no_misspellings() -> None:
    from index.embedder import WordPieces, bundled_model_path

    casing = Casing.learn(
        [*TEXTS, "The scientists stated that labs were taking part, and the project emphasis."]
    )
    is_word = WordPieces(bundled_model_path() / "tokenizer.json").is_word
    question = "when the scientsts started tackling it, what did they protect? emphasizes"
    # without the word check, real words became corpus words of another meaning
    assert casing.spell(question) == (
        "when the scientists stated taking it, what did they project? emphasis"
    )
    assert casing.spell(question, is_word) == (
        "when the scientists started tackling it, what did they protect? emphasizes"
    )
    assert is_word("studies") and is_word("stopped") and not is_word("telscope")


def test_nouns_only_seen_inside_names_and_other_forms_of_corpus_words_stay() -> None:
    casing = Casing.learn(
        [*TEXTS, "The Institute of Crop Sciences and the Grain and Oil Crop Park inspected it."]
    )
    # "Crop" is only ever part of a longer name; "inspect" is a form of "inspected"
    assert casing.restore("what crops did the park inspect") == "what crops did the park inspect"
    assert casing.restore("whats the crop institute") == "what is the crop institute"
    # a shorter form of a corpus word is no misspelling of it
    germany = Casing.learn([*TEXTS, "They went to Germany, and Germany hosted them."])
    assert germany.spell("which germny scientists") == "which germany scientists"
    assert germany.spell("which german scientists") == "which german scientists"


def test_an_acronym_the_articles_never_use_is_written_out_as_their_one_name_with_those_initials() -> (
    None
):
    casing = Casing.learn(
        [
            "A delegation from the Chinese Academy of Sciences met colleagues in Germany. The "
            "Chinese Academy of Agricultural Sciences sent wheat. Guests came from the United "
            "Kingdom and France. The Square Kilometre Array (SKA) is big; the SKA grows.",
        ]
    )
    assert casing.restore("who did the CAS delegation meet?") == (
        "who did the Chinese Academy of Sciences delegation meet?"
    )
    assert casing.restore("what did CAAS send") == (
        "what did Chinese Academy of Agricultural Sciences send"
    )
    assert casing.restore("guests from the UK?") == "guests from the United Kingdom?"
    # an acronym the articles use, two letters that are no country, no name: as typed
    assert casing.restore("when did the SKA start?") == "when did the SKA start?"
    assert casing.restore("is CA in it? and NASA?") == "is CA in it? and NASA?"
    # typed in lower case, three letters or more the articles never use, even a real word ("cas")
    real = {"who", "did", "the", "delegation", "meet", "cas", "send", "what", "us"}.__contains__
    assert casing.restore("what did caas send", is_word=real) == (
        "what did Chinese Academy of Agricultural Sciences send"
    )
    assert casing.restore("who did the cas delegation meet", is_word=real) == (
        "who did the Chinese Academy of Sciences delegation meet"
    )
    assert casing.restore("did the uk send guests to us", is_word=real) == (
        "did the uk send guests to us"
    )


def test_a_possessive_is_no_misspelling() -> None:
    # "the planet's deep past" was searched as "the plants deep past"
    casing = Casing.learn(
        ["The plants grow. Deep Time Digital Earth studies the past of plants and scientists."]
    )
    assert casing.restore("one on the planet's deep past") == "one on the planet's deep past"
    assert casing.restore("the planet’s past") == "the planet’s past"
    assert casing.restore("the scientsts's work") == "the scientists's work"  # still mended


def test_bm25_leaves_the_terms_of_real_words_unmended() -> None:
    from index.bm25 import BM25Index
    from index.embedder import WordPieces, bundled_model_path
    from index.text import query_terms, word_terms

    texts = [*TEXTS, "The project team met on Monday."]
    ids = [f"a#{i}" for i in range(len(texts))]
    index = BM25Index()
    index.build([(ids, texts, [{"article_id": "a"}] * len(texts))], "fp", {})
    is_word = WordPieces(bundled_model_path() / "tokenizer.json").is_word
    question = "who protects the telscope"
    keep = word_terms(question, is_word)
    # without the word check "protect" became "project", a corpus word of another meaning
    assert index.correct(query_terms(question)) == ["project", "telescop"]
    assert index.correct(query_terms(question), keep) == ["protect", "telescop"]
    assert ids[-1] in [pid for pid, _ in index.search(question, 5)]
    found = [pid for pid, _ in index.search(question, 5, keep=keep)]
    assert found and ids[-1] not in found  # the misspelled "telscope" is still mended


def test_short_forms_and_other_spellings_are_written_as_the_articles_write_them() -> None:
    casing = Casing.learn(
        [*TEXTS, "International organizations met at the center, for four days, and filed."]
    )
    assert casing.restore("intl organisations at the centre") == (
        "international organizations at the center"
    )
    assert casing.restore("orgs") == "organizations"
    # a word the articles use, a short form of no word they use, and real words stay
    from index.embedder import WordPieces, bundled_model_path

    is_word = WordPieces(bundled_model_path() / "tokenizer.json").is_word
    assert casing.restore("for four govt filled", True, is_word) == "for four govt filled"


def test_a_name_written_once_is_restored_when_it_is_no_english_word() -> None:
    from index.embedder import WordPieces, bundled_model_path

    is_word = WordPieces(bundled_model_path() / "tokenizer.json").is_word
    casing = Casing.learn(
        [
            *TEXTS,
            "Deputy Manager Aizhibai commented on the seeds. Professor Zhang Zhengmao led it. "
            "They started projects such as “Deep Time Digital Earth (DDE)”. The Institute of Crop "
            "Sciences inspected the crop.",
        ]
    )
    # once each: after a title, and an acronym in brackets
    assert casing.restore("aizhibai job", is_word=is_word) == "Aizhibai job"
    assert casing.restore("what is dde", is_word=is_word) == "what is DDE"
    # a person's name after a title is a name of its own
    assert casing.restore("zhang zhengmao university", is_word=is_word) == (
        "Zhang Zhengmao university"
    )
    # an English word stays, and so does a word only ever part of a longer name
    assert casing.restore("the crop institute", is_word=is_word) == "the crop institute"
    # without the word check nothing seen once is restored
    assert casing.restore("aizhibai job") == "aizhibai job"


def test_two_letters_swapped_in_a_short_word_are_mended() -> None:
    casing = Casing.learn([*TEXTS, "The first forum was held in 2022, and the third in 2024."])
    # "frist" scores 80 against "first": under the cutoff, yet the same letters one swap apart
    assert casing.spell("when was the frist forum") == "when was the first forum"
    # other letters, or more than one swap, stay
    assert casing.spell("when was the fisrt forum") == "when was the first forum"
    assert casing.spell("when was the ftsir forum") == "when was the ftsir forum"


def test_an_acronym_of_a_name_after_its_country_or_spelled_two_ways_is_written_out() -> None:
    casing = Casing.learn(
        [
            "Notably, Australia's Commonwealth Scientific and Industrial Research Organisation "
            "helped. The Australian Commonwealth Scientific and Industrial Research Organization "
            "designed and built a set of core tools.",
        ]
    )
    assert casing.restore("what did CSIRO build?") == (
        "what did Commonwealth Scientific and Industrial Research Organisation build?"
    )
