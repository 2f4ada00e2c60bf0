"""Follow-ups are resolved against what the conversation is about (ask/focus.py), never by
splicing text of an earlier turn; a new subject or an announced change of topic starts afresh."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ask.focus import focus, resolve, starts_topic


@dataclass
class T:
    question: str
    query: str
    answer: str
    answered: bool = True


def turn(question: str, answer: str, query: str | None = None) -> T:
    return T(question, query or question, answer)


SKA = turn(
    "Which radio telescope is Ma Yinzhe's team processing data from?",
    "Ma Yinzhe is leading a Chinese team processing data from the Square Kilometre Array (SKA) "
    "radio telescope. [1]",
)


def test_what_the_last_answer_was_about_outranks_what_the_question_mentioned_in_passing() -> None:
    history = [
        turn(
            "Who leads the Chinese team crunching SKA data at Stellenbosch?",
            "In the physics laboratory at Stellenbosch University, Ma Yinzhe is leading a Chinese "
            "team. [1]",
        )
    ]
    ranked = [e.name for e in focus(history)]
    assert ranked[0] == "Ma Yinzhe"
    assert ranked.index("Stellenbosch University") < ranked.index("SKA")


def test_the_thing_the_answer_named_leads_and_pronouns_are_searched_as_typed() -> None:
    ranked = focus([SKA])
    assert (ranked[0].name, ranked[0].kind) == ("SKA", "thing")
    assert (ranked[1].name, ranked[1].kind) == ("Ma Yinzhe", "person")
    for question in ("When did its construction start?", "Which division does he direct?"):
        result = resolve(question, [SKA])
        assert result.query == question and result.follow_up and result.uncertain


def test_a_place_the_answer_named_is_located_and_the_doer_a_thing() -> None:
    history = [
        turn(
            "Which Chinese institution sent a delegation to Germany in mid-May?",
            "In mid-May, a delegation from the Chinese Academy of Sciences visited Germany. [1]",
        )
    ]
    by_name = {e.name: e for e in focus(history)}
    assert by_name["Germany"].kind == "place" and by_name["Germany"].located
    assert by_name["Chinese Academy of Sciences"].kind == "thing"
    assert resolve("Who did they meet with there?", history).query == (
        "Who did they meet with there?"
    )


def test_a_bare_question_word_asks_the_previous_question_again_with_it() -> None:
    history = [turn("Which institution did Kang Musha join?", "He joined the garden in 2020. [1]")]
    assert resolve("When?", history).query == "When did Kang Musha join?"


def test_and_a_noun_phrase_is_searched_without_its_opener() -> None:
    history = [
        turn(
            "How many countries has China established science cooperation with?",
            "China has established cooperation with over 160 countries. [1]",
        )
    ]
    result = resolve("And intergovernmental agreements?", history)
    assert result.query == "intergovernmental agreements?" and result.uncertain


@pytest.mark.parametrize(
    ("asked", "answer", "question"),
    [
        ("When did FAST begin formal operations?", "In early 2021. [1]", "What about SKA?"),
        # never spliced into the last question ("what about Fei Fan is Kang Musha")
        ("what nationality is Kang Musha", "Spanish researcher Kang Musha ... [1]",
         "what about Fei Fan?"),
    ],
)  # fmt: skip
def test_what_about_a_new_name_is_searched_as_typed(asked: str, answer: str, question: str) -> None:
    result = resolve(question, [turn(asked, answer)])
    assert result.query == question and result.follow_up and result.uncertain


def test_a_bare_which_noun_is_asked_of_the_last_question() -> None:
    prev = [turn("how many countries is his team licensing testing to?", "Over 100. [1]")]
    assert (
        resolve("which regions?", prev).query == "which regions is his team licensing testing to?"
    )


def test_and_its_attribute_is_searched_with_the_conversation() -> None:
    history = [turn("When did SKA construction start?", "The SKA began in July 2021. [1]")]
    result = resolve("and its budget?", history)
    assert result.query == "its budget?" and result.uncertain and not result.fresh


def test_no_raw_text_of_an_earlier_question_is_appended() -> None:
    history = [
        turn(
            "How many teams entered the Premier League?",
            "Twenty teams entered the Premier League. [1]",
        )
    ]
    assert resolve("Who won it?", history).query == "Who won it?"


@pytest.mark.parametrize(
    "question",
    [
        "Which university is Professor Zhang Zhengmao from?",
        "Changing the subject: which university is Professor Zhang Zhengmao from?",
        "Different question. Which university is Professor Zhang Zhengmao from?",
        "Totally different question: which university is Professor Zhang Zhengmao from?",
        "ok, a completely new topic - which university is Professor Zhang Zhengmao from?",
    ],
)
def test_a_topic_switch_never_carries_the_old_subject(question: str) -> None:
    result = resolve(question, [SKA])
    assert result.fresh and not result.follow_up
    assert result.query.endswith("Which university is Professor Zhang Zhengmao from?"[1:])
    assert "SKA" not in result.query and "Ma Yinzhe" not in result.query
    assert "question" not in result.query.lower() and "topic" not in result.query.lower()


def test_a_first_question_announcing_a_new_topic_is_searched_without_the_announcement() -> None:
    result = resolve("Totally different question: who chairs the forum?", [])
    assert result.query == "who chairs the forum?" and result.fresh


def test_after_a_topic_switch_the_focus_is_the_new_subject() -> None:
    history = [
        SKA,
        turn(
            "Let's talk about something else. Who is Lu Yuming?",
            "Academician Lu Yuming, President of the Chinese University of Hong Kong. [1]",
            query="Who is Lu Yuming?",
        ),
    ]
    assert starts_topic(history[1].question)
    names = [e.name for e in focus(history)]
    assert names[0] == "Lu Yuming" and "SKA" not in names and "Ma Yinzhe" not in names


def test_a_correction_switches_to_the_other_entity_of_that_kind() -> None:
    history = [
        turn(
            "When did the SKA project start construction?",
            "In July 2021, the SKA project commenced construction. [1]",
        )
    ]
    passages = [
        "Square Kilometre Array (SKA) radio telescope ... the Chinese Sky Eye (FAST) telescope "
        "began formal operations in early 2021."
    ]
    result = resolve(
        "No, I meant the other telescope, the Chinese one", history, lambda _: passages
    )
    assert result.query == "When did the FAST project start construction?"


def test_a_correction_by_name_replaces_the_subject() -> None:
    history = [turn("Who chairs the Tengchong Scientists Forum?", "Gu Binglin chairs it. [1]")]
    assert resolve("sorry, I meant the Frontier Exploration Roundtable Forum", history).query == (
        "Who chairs the Frontier Exploration Roundtable Forum?"
    )


def test_a_correction_that_asks_its_own_question_is_read_as_that_question() -> None:
    history = [
        turn(
            "How many countries has BeiDou been exported to?",
            "BeiDou products were exported to over 140 countries. [1]",
        )
    ]
    assert (
        resolve("no i meant how many countries are coming to the Chengdu conference", history).query
        == "how many countries are coming to the Chengdu conference"
    )
    # the subject meant, then its question; what was not meant is dropped, nothing spliced in
    query = resolve(
        "sorry i meant the Chengdu conference not the forum, how many countries attend", history
    ).query
    assert "BeiDou" not in query and "forum" not in query
    assert "Chengdu conference" in query and "how many countries attend" in query


def test_a_bare_how_many_asks_the_last_question_of_the_new_noun() -> None:
    history = [
        turn(
            "how many countries and regions does China cooperate with",
            "China cooperates with over 160 countries and regions. [1]",
        )
    ]
    assert resolve("how many intl organizations?", history).query == (
        "how many intl organizations does China cooperate with"
    )


def test_the_first_one_names_the_focus_with_its_ordinal() -> None:
    history = [
        turn(
            "Where will the second Belt and Road Science and Technology Exchange Conference be held?",
            "The second conference will be held in Chengdu. [1]",
        )
    ]
    assert resolve("What about the first one, what year was that?", history).query == (
        "What about the first Belt and Road Science and Technology Exchange Conference, what year "
        "was that?"
    )


def test_a_definite_description_names_the_entity_in_focus() -> None:
    history = [
        turn(
            "Which Chinese institution met the Max Planck Society in Germany?",
            "A delegation from the Chinese Academy of Sciences met the Max Planck Society to "
            "discuss the 2025 Frontier Exploration Roundtable Forum. [1]",
        )
    ]
    assert resolve("Where will the forum be held?", history).query == (
        "Where will the Frontier Exploration Roundtable Forum be held?"
    )


def test_without_history_nothing_is_rewritten() -> None:
    result = resolve("When did its construction start?", [])
    assert result.query == "When did its construction start?" and not result.follow_up


def test_a_group_the_question_names_first_is_its_own_antecedent() -> None:
    history = [
        turn(
            "which park in kazakhstan benefits from the cooperation?",
            "The Aijiu Agricultural Products Logistics and Processing Park in Kazakhstan has been a "
            "long-term beneficiary of this cooperation. [1]",
        )
    ]
    question = "and the spanish ecologists, what do they observe?"
    assert "Aijiu" not in resolve(question, history).query


def test_them_after_a_lowercase_delegation_means_the_delegation() -> None:
    history = [
        turn(
            "who led the chinese delegation in april?",
            "Ren Yulong, Deputy Director of the Institute of Crop Sciences, led a delegation to visit "
            "the Uruguayan Institute of Agriculture and Livestock. [1]",
        )
    ]
    query = resolve("and who welcomed them on the uruguayan side?", history).query
    assert "the chinese delegation" in query


def test_a_relative_clause_is_left_as_typed() -> None:
    history = [
        turn(
            "what does kang musha study",
            "Spanish Chief Researcher Kang Musha has dedicated 20 years to the ecology and "
            "conservation of large mammals in Asia. [1]",
        )
    ]
    question = "what's the platform he's excited about that launched in may"
    assert resolve(question, history).query == question
    assert resolve("When was that launched?", [SKA]).query == "When was that launched?"


def test_a_question_word_with_more_words_never_takes_the_last_question_along() -> None:
    history = [
        turn(
            "and what standards will they set up?",
            "A relevant official from the Ministry of Science and Technology explained that China "
            "will establish science and technology service standards. [1]",
            "what standards will Ministry of Science and Technology set up?",
        )
    ]
    query = resolve("what's that official's name?", history).query
    assert "set up" not in query and "standards" not in query


def test_the_first_one_is_never_a_country() -> None:
    history = [
        turn(
            "how many countries have sent guests to the forum?",
            "Since the inaugural forum was held in 2022, the forum has invited scientists from over "
            "20 countries, including the United States, France and Brazil. [1]",
        )
    ]
    query = resolve("what did China propose at the first one?", history).query
    assert "United States" not in query and "France" not in query


def test_a_region_is_no_he() -> None:
    history = [
        turn(
            "which regions does the forum serve?",
            "The forum has become a radiating center for China facing Southeast Asia. [1]",
        )
    ]
    assert {e.name: e.kind for e in focus(history)}.get("Southeast Asia") == "place"
    assert "Southeast Asia" not in resolve("what did he call for?", history).query


def test_a_subtitle_word_after_a_dash_is_no_entity() -> None:
    history = [
        turn(
            "what occasion was the report written for?",
            "— Written on the Occasion of the Opening of the Second Belt and Road Science and "
            "Technology Exchange Conference [1]",
        )
    ]
    assert "Written" not in [e.name for e in focus(history)]
    person = [
        turn(
            "what nationality is kang musha?",
            "Spanish Chief Researcher Kang Musha works in Asia. [1]",
        )
    ]
    assert resolve("whats his research area", person).query == "whats his research area"


def test_names_listed_as_examples_are_not_what_the_conversation_is_about() -> None:
    history = [
        turn(
            "name some countries that attended the Tengchong forum",
            "Since the inaugural forum was held in 2022, the forum has invited scientists from over "
            "20 countries, including the United States, the United Kingdom, Germany, France, and "
            "Cambodia. [1]",
        )
    ]
    ranked = focus(history)
    assert ranked[0].name == "Tengchong"
    listed = {e.name: e.salience for e in ranked if e.name in ("United States", "Germany")}
    assert listed and all(s < ranked[0].salience / 2 for s in listed.values())


def test_the_x_one_is_the_thing_whose_own_name_holds_x() -> None:
    projects = turn(
        "What large-scale international science projects has the Chinese scientific community "
        "initiated?",
        "The Chinese scientific community took the lead in initiating projects such as “Deep Time "
        "Digital Earth (DDE)” and “Ocean Negative Emissions (ONCE)”. [1]",
    )
    # "DDE)” and “Ocean" once made the ocean one DDE: a name next to the word is not its owner
    ocean = resolve("what is the abbreviation of the ocean one?", [projects]).query
    assert "ONCE" in ocean and "DDE" not in ocean and " one" not in ocean
    deep = resolve("and the deep time one?", [projects]).query
    assert "DDE" in deep and "ONCE" not in deep


def test_the_forum_is_the_thing_named_forum_before_a_place_the_text_calls_so() -> None:
    history = [
        turn(
            "what does Yunnan want the Tengchong forum to become",
            "Tengchong, Yunnan, has successfully hosted three editions of the “Tengchong "
            "Scientists Forum.” [1]",
        ),
        turn("who said that?", "Ma Minxiang said the forum is an important platform. [1]"),
    ]
    query = resolve("what's his role on the forum?", history).query
    assert "Tengchong Scientists Forum" in query and "the Tengchong?" not in query


def test_a_correction_that_asks_its_own_question_after_a_full_stop_is_that_question() -> None:
    history = [
        turn(
            "which countries support the SKA?",
            "With the support of China, South Africa and ten other countries, the SKA project "
            "commenced construction. [1]",
        )
    ]
    result = resolve("sorry, I meant FAST. who was its chief scientist?", history)
    assert result.query == "who was FAST's chief scientist?"
    assert "countries" not in result.query


def test_a_person_named_after_his_office_is_who_he_is() -> None:
    history = [
        turn(
            "who led the chinese delegation there in april",
            "Ren Yulong, Deputy Director of the Institute of Crop Sciences at the Chinese Academy "
            "of Agricultural Sciences, led a delegation to visit the Uruguayan Institute of "
            "Agriculture and Livestock. [1]",
        ),
        turn(
            "what about on the uruguayan side, what's the minister called",
            "Uruguay's Minister of Livestock, Agriculture, and Fisheries, Flati, extended a warm "
            "welcome. [1]",
        ),
    ]
    # "Flati" is no demonym, nor one of a list with "Agriculture" and "Fisheries"; and the person
    # a "what's the minister called" answer names is the one asked for
    top = focus(history)[0]
    assert (top.name, top.kind) == ("Flati", "person")
    asked = resolve("how long has he been minister", history)
    assert asked.query == "how long has he been minister" and asked.person == "Flati"
    assert resolve("how long has the minister served", history).person is None
    # a question that describes whom its "he" means speaks of that person, not the focus's
    assert resolve("what about the spanish researcher, who is he?", history).person is None


def test_its_in_a_follow_up_stands_for_the_thing_the_conversation_is_about() -> None:
    history = [
        turn(
            "What is FAST?",
            "Take for instance the Five-hundred-meter Aperture Spherical Telescope (FAST), known "
            "for its open data-sharing platform. [1]",
        )
    ]
    asked = resolve("When did its construction start?", history)
    assert asked.query == "When did its construction start?" and asked.thing == "FAST"
    assert asked.person is None
    # "they" is as often people as a thing: no thing is assumed
    assert resolve("when did they start?", history).thing is None


def test_the_person_a_who_is_he_question_is_answered_with_is_who_he_is_next() -> None:
    fei_fan = (
        "Italian scientist Fei Fan, based at the Chinese Academy of Sciences' Research Center for "
        "Eco-Environmental Sciences, is part of the China-Sri Lanka Water Technology Research and "
        "Demonstration Joint Center. [1]"
    )
    history = [
        turn("what's the name of the italian scientist mentioned in the report?", fei_fan),
        turn("which joint center is he part of?", fei_fan),
        turn(
            "what about the spanish researcher, who is he?",
            "Spanish Chief Researcher Kang Musha has dedicated 20 years to the ecology and "
            f"conservation of large mammals in Asia. [1] {fei_fan.replace('[1]', '[2]')}",
        ),
    ]
    assert resolve("where does he work?", history).person == "Kang Musha"


def test_an_ordinal_before_a_noun_is_no_description_of_a_thing() -> None:
    history = [
        turn(
            "when was its scientists forum first held?",
            "Since the inaugural forum was held in 2022, the forum has invited scientists. [1] At "
            "the first “Belt and Road” Science and Technology Exchange Conference in 2023, China "
            "first proposed the “International Science and Technology Cooperation Initiative.” [2]",
        )
    ]
    asked = resolve("what about the first winner of its science award?", history)
    assert "the first winner" in asked.query and "China" not in asked.query


def test_a_bare_question_after_where_s_asks_of_what_it_asked() -> None:
    history = [
        turn(
            "where's the second belt and road science and technology exchange conference being held",
            "From the 10th to the 12th of this month, the second conference will be held as "
            "scheduled in Chengdu. [1]",
            query="where's the Second Belt and Road Science and Technology Exchange Conference "
            "being held",
        )
    ]
    asked = resolve("what dates?", history)
    assert asked.query == (
        "what dates is the Second Belt and Road Science and Technology Exchange Conference being held?"
    )


def test_the_first_one_after_a_heading_is_the_first_of_what_the_heading_counts() -> None:
    history = [
        turn(
            "and the dates?",
            "— Written on the Occasion of the Opening of the Second “Belt and Road” Science and "
            "Technology Exchange Conference [1] From the 10th to the 12th of this month, the "
            "second conference will be held as scheduled in Chengdu. [2]",
            query="the dates?",
        )
    ]
    # the heading ends at its marker: no name runs on into "From the 10th ..."
    names = [e.name for e in focus(history)]
    assert not any(n.endswith("From") for n in names)
    asked = resolve("what about the first one, what year was that", history)
    assert asked.query == (
        "what about the first Belt and Road Science and Technology Exchange Conference, what year "
        "was that"
    )


def test_a_correction_describing_a_person_asks_of_the_person_described() -> None:
    kang = (
        "Spanish Chief Researcher Kang Musha has dedicated 20 years to the ecology and "
        "conservation of large mammals in Asia. [1] Italian scientist Fei Fan, based at the "
        "Chinese Academy of Sciences, is part of the China-Sri Lanka Joint Center. [2]"
    )
    history = [
        turn("who's doing transnational patrols for asian elephants", kang),
        turn("what nationality is he?", kang),
    ]
    asked = resolve(
        "no wait, I meant the italian scientist - which country is his joint center with?", history
    )
    assert asked.query == "which country is Fei Fan's joint center with?"
    # the lookup finds whom the conversation never named
    passages = ["Italian scientist Fei Fan is part of the joint center."]
    only_kang = [
        turn("who's doing transnational patrols for asian elephants", kang.split("[1]")[0])
    ]
    found = resolve(
        "sorry, I meant the italian scientist - where does he work?",
        only_kang,
        lambda text: passages,
    )
    assert "Fei Fan" in found.query


def test_his_name_asked_after_an_answer_naming_him_asks_who_he_is() -> None:
    history = [
        turn(
            "what did the former FAST chief scientist say about international cooperation?",
            "According to former FAST chief scientist Li Di, international cooperation is "
            "inherently linked to FAST's operational strategy. [1]",
        )
    ]
    asked = resolve("what's his name?", history)
    assert asked.query == "who is Li Di?" and not asked.uncertain
    # his first name is no name the conversation holds: asked as typed
    assert resolve("what's his first name?", history).query == "what's his first name?"


def test_what_about_a_described_person_asks_of_the_one_the_articles_describe_so() -> None:
    fei_fan = (
        "Italian scientist Fei Fan, based at the Chinese Academy of Sciences' Research Center for "
        "Eco-Environmental Sciences, is part of the joint center. [1]"
    )
    history = [turn("where is the italian scientist based?", fei_fan)]
    passages = ["Spanish Chief Researcher Kang Musha has dedicated 20 years to large mammals."]
    asked = resolve(
        "what about the spanish researcher, where does he work?", history, lambda text: passages
    )
    assert asked.query == "where does Kang Musha work?"
    # a description no text fits is searched as typed
    unknown = "what about the french researcher, where does he work?"
    assert resolve(unknown, history, lambda text: passages).query == unknown


def test_that_one_is_the_one_the_last_answer_gave() -> None:
    combined = turn(
        "what other telescope did they use besides fast?",
        "Recently, Li Ke led a team from Tsinghua University in collaboration with astronomers "
        "from Italy, Australia, Germany, and other countries to conduct a pulsar survey, "
        "leveraging the advantages of both FAST and the South African MeerKAT array telescope. [1]",
    )
    # the camel-cased name is a name; "other" is no noun asked for ("and other countries")
    assert resolve("where is that one", [combined]).query == (
        "where is the South African MeerKAT telescope"
    )
    both = turn(
        "Which telescope was combined with FAST for the pulsar polarization survey?",
        "A team conducted a pulsar polarization survey using data from both FAST and South "
        "Africa's MeerKAT telescope array. [1]",
    )
    assert resolve("where's that one located?", [both]).query == (
        "where's the MeerKAT telescope located?"
    )
    # no one was asked for: searched as typed
    plain = turn("when did the survey happen?", "Recently, the team finished the survey. [1]")
    assert resolve("where is that one", [plain]).query == "where is that one"


def test_the_abbreviation_is_the_short_form_the_conversation_is_about() -> None:
    fast = turn(
        "Users from how many countries does FAST's open data sharing platform serve?",
        "Its open data sharing platform serves users from dozens of countries worldwide, as the "
        "‘Chinese Sky Eye’ (FAST) shows. [1]",
    )
    asked = resolve("and what does the abbreviation stand for?", [fast])
    assert asked.query == "what does FAST stand for?"
    plain = turn("who chairs the forum?", "Academician Gu Binglin chairs the forum. [1]")
    assert resolve("and what does the abbreviation stand for?", [plain]).query == (
        "what does the abbreviation stand for?"
    )


def test_what_happened_somewhere_is_no_bare_noun_asked_of_the_last_question() -> None:
    history = [
        turn(
            "how many countries are attending the Chengdu conference",
            "Old and new friends from over 100 countries will gather once again. [1]",
        )
    ]
    # typed in lower case, as the engine passes it on ("uruguay" is no name the casing restores)
    asked = resolve("what happened in uruguay", history)
    assert asked.query == "what happened in uruguay"
    # a noun still is: "how many intl organizations?" asks the last question of them
    assert resolve("how many international organizations?", history).query == (
        "how many international organizations are attending the Chengdu conference"
    )


def test_his_full_name_asks_a_longer_name_of_the_person_in_focus() -> None:
    history = [
        turn(
            "who welcomed the delegation in Uruguay",
            "Uruguay's Minister of Livestock, Agriculture, and Fisheries, Flati, extended a warm "
            "welcome. [1]",
        )
    ]
    asked = resolve("what's his full name?", history)
    assert asked.query == "what is Flati's full name?"
