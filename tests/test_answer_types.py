"""What a question asks for, and how well a sentence supplies it (pure logic, no index)."""

from __future__ import annotations

import pytest

from ask.answer import (
    MONTH_CLASH,
    QUALIFIER_CLASH,
    QUALIFIER_MATCH,
    _months,
    _qualifier_fit,
    disagree,
)
from ask.needs import (
    ANY_COUNT,
    OTHER_NAME,
    PARTIAL_DATE,
    PARTIAL_DAY,
    _nation_in,
    _needs,
    _place_fit,
    asking_part,
)
from index.text import names, person_names, titled_names


def kind(question: str) -> str | None:
    need = _needs(question)
    return need.kind if need else None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many countries back the SKA?", "number"),
        ("How long did it take him to get funding?", "duration"),
        ("In what year did she join the garden?", "year"),
        ("On which days does the conference take place?", "date"),
        ("When was the forum first held?", "date"),
        ("Who chairs the Tengchong Scientists Forum?", "person"),
        ("Who is Fei Fan?", "role"),
        ("What positions does Ma Minxiang hold?", "role"),
        ("What nickname has the Square Kilometre Array been given?", "alias"),
        ("By what epithet is the town known?", "alias"),
        ("What proverb does the researcher use?", "words"),
        ("Which two international science programs did China initiate?", "name"),
        ("What is FAST?", "define"),
        # his words, quoted or reported: "said" (was None before "what did X say" asked for them)
        ("What does Fei Fan say the funding system emphasizes?", "said"),
        ("what did the aijiu park say about the chinese seeds", "said"),
        # what was studied: "a survey of globular clusters"
        ("what exactly did they survey?", "studied"),
        ("what was it a survey of exactly?", "studied"),
        ("What did the survey find?", None),
        # kinds of thing and of people news quizzes ask to name (rtqa training weeks)
        ("Defense Secretary Pete Hegseth has ordered the Navy to rename which ship?", "name"),
        ("Which royal residence hosted the state visit?", "name"),
        ("Which artist received the most MTV Video Music Awards nominations?", "person"),
        ("President Trump has threatened to revoke which celebrity's US citizenship?", "person"),
        ("What country announced a crackdown, saying the items promote it?", "name"),
        ("How much has the administration approved in security assistance?", "amount"),
        ("How much funding did Fei Fan receive?", "money"),
        ("In which Chinese province is the telescope located?", "place"),
        ("A growing number of people are moving abroad. Where are many Americans moving?", "place"),
        ("What is FAST nicknamed?", "alias"),
        ("Which telescope is nicknamed the 'Chinese Sky Eye'?", "name"),
        ("How did Fei Fan describe the approach?", "words"),
        ("Who succeeded Li Ke as chief scientist of FAST?", "person"),
        # a city that will host something is where it takes place (was "name" until session 15,
        # when "the city that will host" joined "the city that hosts")
        ("Name the city that will host the second conference.", "place"),
        ("What salary does Gu Binglin receive as Chairman?", "money"),
        ("What is the total construction budget of the Square Kilometre Array?", "money"),
        ("what does FAST stand for", "expansion"),
        ("SKA full name?", "expansion"),
        ("What is the abbreviation of Ocean Negative Emissions?", "expansion"),
        ("Which institution did Kang Musha join?", "name"),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, expected: str | None) -> None:
    assert kind(question) == expected


def test_a_number_next_to_what_is_counted_fits_best() -> None:
    need = _needs("How many nations are getting licences?")
    assert need is not None
    assert need.fit("licensing the technique to over 100 countries in Africa") == 1.0
    assert need.fit("The team has three editions of the forum.") == ANY_COUNT
    assert need.fit("It started in 2021.") == 0.0  # a year is not a count
    assert not need.holds("It started in 2021.")
    assert not need.holds("On May 22, the platform was launched.")  # nor is the day of a date
    assert not need.holds("It opened on the 3rd of June 2024.")
    terse = _needs("belt and road joint labs how many")  # what is counted comes first
    assert terse is not None
    assert terse.fit("China has built over 70 joint laboratories.") == 1.0


def test_a_day_question_prefers_a_day_and_a_future_question_a_future_date() -> None:
    days = _needs("On which days does the second conference take place?")
    assert days is not None
    assert days.fit("From the 10th to the 12th of this month, it will be held in Chengdu.") == 1.0
    assert days.fit("At the first conference in 2023, China proposed an initiative.") == PARTIAL_DAY
    future = _needs("When is construction of the SKA expected to be finished?")
    assert future is not None
    assert future.fit("In July 2021 the SKA project commenced construction.") == PARTIAL_DATE
    assert future.fit("The array is expected to be finished by 2029.") == 1.0


def test_a_date_the_question_already_gives_is_no_answer() -> None:
    need = _needs("In what year did Ma Yinzhe join Stellenbosch University in 2020?")
    assert need is not None
    assert not need.holds("Ma Yinzhe joined in 2020.")
    assert need.holds("Ma Yinzhe joined in 2019.")


def test_a_person_question_fits_a_new_name_with_a_title() -> None:
    need = _needs("Who at the park praised the imported seeds?")
    assert need is not None
    assert need.fit("Deputy Manager Aizhibai commented: the seeds improved yields.") == 1.0
    assert need.fit("Adele is returning to Las Vegas.") == 1.0
    assert need.fit("The seeds have improved yields.") == 0.0
    assert titled_names("Academician Gu Binglin, Chairman of the Forum") == ("Gu Binglin",)


def test_a_role_question_fits_a_sentence_that_describes_the_person() -> None:
    need = _needs("Who is Fei Fan?")
    assert need is not None
    assert need.fit("Italian scientist Fei Fan, based at the Academy, studies water.") == 1.0
    assert need.fit("said Fei Fan, a researcher at the Academy.") == 1.0
    assert need.fit("In Fei Fan's view, funding matters.") == 0.0
    assert need.holds("Nothing about him here.")  # a description may be phrased any way


def test_names_the_question_already_has_are_not_new() -> None:
    need = _needs("Which programs did the Chinese community initiate?")
    assert need is not None
    assert need.fit("To date, China has joined over 60 projects.") == 0.0  # China ~ Chinese
    assert need.fit("It initiated Deep Time Digital Earth.") == OTHER_NAME
    assert need.fit("It initiated the Deep Time Digital Earth Program.") == 1.0


def test_is_already_versus_will_become_is_a_disagreement_only_when_asked() -> None:
    a = "the SKA telescope, widely regarded as the world's largest radio telescope"
    b = "The facility will become the world's largest comprehensive aperture radio telescope"
    assert disagree(a, b, a, b, asked={"world", "largest"})
    assert not disagree(a, b, a, b, asked={"nicknam"})
    assert not disagree(a, a, a, a, asked={"largest"})


def test_the_asking_sentence_of_a_quiz_question_is_what_counts() -> None:
    q = "Police arrested 31 men this week. Where was the event?"
    assert asking_part(q) == "Where was the event?"
    assert asking_part("Who is Fei Fan?") == "Who is Fei Fan?"


def test_a_count_stops_at_a_preposition() -> None:
    need = _needs("How many scientists attended the forum?")
    assert need is not None
    assert need.fit("It hosted three editions of the Tengchong Scientists Forum.") == ANY_COUNT
    assert need.fit("It was attended by 300 scientists from Asia.") == 1.0
    labs = _needs("How many Belt and Road joint laboratories has China launched?")
    assert labs is not None
    assert labs.fit("China launched over 70 “Belt and Road” joint laboratories.") == 1.0


def test_an_amount_is_money_a_share_or_a_measure() -> None:
    need = _needs("How much has the administration approved in aid?")
    assert need is not None
    assert need.fit("It approved $6 billion in aid.") == 1.0
    assert need.fit("Aid rose 60% this year.") == 1.0
    assert need.fit("Three officials approved it.") == ANY_COUNT


def test_who_is_the_role_of_needs_a_sentence_about_that_role() -> None:
    need = _needs("Who is the chief scientist of FAST?")
    assert need is not None
    assert need.fit("Li Ke, the chief scientist of FAST, said so.") == 1.0
    assert need.fit("Li Ke led a team from Tsinghua University.") == 0.0
    assert not need.holds("Gu Binglin, Chairman of the Tengchong Scientists Forum, spoke.")


def test_an_ordinal_opening_a_quoted_name_is_no_qualifier() -> None:
    first = _qualifier_fit("what year was the first Tengchong Scientists Forum?")
    nickname = "Tengchong, known as the “First City on the Frontier,” has hosted three editions."
    assert first(nickname) == 0.0
    assert first("Since the inaugural forum was held in 2022") == QUALIFIER_MATCH
    second = _qualifier_fit("where is the Second Belt and Road Conference held?")
    assert second("At the first “Belt and Road” Conference in 2023") == -QUALIFIER_CLASH
    assert second("the Second “Belt and Road” Conference opens") == QUALIFIER_MATCH


def test_qualifiers_that_contradict_the_question_cost_and_matching_ones_earn() -> None:
    fit = _qualifier_fit("Who is the current chief scientist of FAST?")
    assert fit("Li Ke, the former chief scientist of FAST") == -QUALIFIER_CLASH
    assert fit("the current chief scientist") == QUALIFIER_MATCH
    assert fit("FAST opened in 2016") == 0.0
    first = _qualifier_fit("When was the first forum held?")
    assert first("Since the inaugural forum was held in 2022") == QUALIFIER_MATCH
    assert first("the second conference will be held") == -QUALIFIER_CLASH


def test_a_run_after_a_place_word_is_not_a_person() -> None:
    assert person_names("In South Africa, Ma Yinzhe said") == ("Ma Yinzhe",)
    assert "Hong Kong" not in person_names("President of the Chinese University of Hong Kong")


def test_a_person_named_with_where_she_is_from_is_a_person() -> None:
    elected = (
        "Kirsty Coventry of Zimbabwe has been elected as the first female president of the "
        "International Olympic Committee."
    )
    assert person_names(elected) == ("Kirsty Coventry",)
    need = _needs(
        "Who took office as the first female president of the International Olympic Committee?"
    )
    assert need is not None and need.fit(elected) == 1.0
    # organisations' names joined by "of" or "and" are no people
    assert person_names("the Chinese Academy of Sciences and the Bank of America") == ()
    park = "the China-Kazakhstan Grain and Oil Crop Production Demonstration Park with experts"
    assert person_names(park) == ()
    assert person_names("Uruguay's Minister of Livestock, Agriculture, and Fisheries") == ()


def test_a_camel_cased_name_is_a_name() -> None:
    assert person_names("Kevin McCarthy was ousted as Speaker.") == ("Kevin McCarthy",)
    assert "Ron DeSantis" in person_names("Florida Gov. Ron DeSantis said")
    assert "MeerKAT" in " ".join(names("the South African MeerKAT array telescope"))


def test_a_name_after_the_office_it_holds_is_a_person() -> None:
    welcome = (
        "Uruguay's Minister of Livestock, Agriculture, and Fisheries, Flati, extended a warm "
        "welcome to the delegation."
    )
    assert titled_names(welcome) == ("Flati",)
    assert titled_names("the Minister of Foreign Affairs, Wang Yi, said") == ("Wang Yi",)
    need = _needs("who welcomed the delegation?")
    assert need is not None and need.fit(welcome) == 1.0
    # an office of an organisation named after it is no person
    assert titled_names("the Director of the Institute, Crop Sciences Institute, said") == ()


def test_a_country_is_not_a_person() -> None:
    # "who chairs it?" was answered with a list of guest countries: "the United Kingdom" had
    # counted as a person's name
    listed = (
        "officials from over 20 countries, including the United States, France, the United Kingdom"
    )
    assert person_names(listed) == ()
    assert person_names("Sri Lanka and New Zealand signed it") == ()
    assert person_names("Academician Gu Binglin, Chairman of the forum") == ("Gu Binglin",)
    need = _needs("who chairs it?")
    assert need is not None and need.kind == "person"
    assert need.fit(listed) == 0.0
    assert (
        need.fit("Academician Gu Binglin, Chairman of the Tengchong Scientists Forum, said") == 1.0
    )


def test_a_successor_question_needs_a_new_person_in_that_role() -> None:
    need = _needs("Who succeeded Li Ke as chief scientist of FAST?")
    assert need is not None
    assert need.fit("Li Ke led a team from Tsinghua University.") == 0.0
    assert need.fit("Wang Wu became chief scientist of FAST in 2024.") == 1.0


def test_a_quoted_name_half_fits_a_nickname_question() -> None:
    need = _needs("What is FAST nicknamed?")
    assert need is not None
    assert need.fit("the ‘Multi-Science Object Simultaneous Survey’ project") == 0.5
    assert need.fit("FAST, dubbed the Sky Eye, opened") == 1.0
    # a quoted name standing for a short form is another name for it
    assert need.fit("the ‘Chinese Sky Eye’ (FAST) project") == 1.0


def test_which_province_fits_a_name_given_as_a_province() -> None:
    need = _needs("In which province is the Tengchong Scientists Forum held?")
    assert need is not None
    assert need.fit("is the aspiration of Yunnan Province and the community") == 1.0
    assert need.fit("Tengchong, Yunnan, known as the First City") == 0.5


def test_a_day_question_barely_fits_a_month() -> None:
    need = _needs("On what date will the Roundtable Forum in Shanghai take place?")
    assert need is not None
    assert need.fit("to discuss the upcoming forum in mid-May") < 0.5
    assert need.fit("The forum will open on June 12.") == 1.0


def test_a_sentence_about_he_counts_the_names_of_the_sentence_before() -> None:
    from ask.answer import _name_terms
    from index.text import REFERS_BACK

    assert REFERS_BACK.match("Since joining the garden in 2020, he has patrolled for elephants.")
    assert REFERS_BACK.match("He told reporters that the team is building a pipeline.")
    assert not REFERS_BACK.match("The team said he would come.")
    assert {"kang", "musha"} <= _name_terms("Spanish Chief Researcher Kang Musha has worked here.")


def test_a_name_of_the_kind_asked_for_fits_best_and_a_weekday_is_no_name() -> None:
    need = _needs("Broadway stars were recognized at which prestigious awards show?")
    assert need is not None and need.kind == "name"
    assert need.fit("The Tony Awards were hosted by Ariana DeBose.") == 1.0
    assert need.fit("The best were recognized at Radio City Music Hall.") < 1.0
    assert need.fit("The best were recognized on Sunday night.") == 0.0
    scope = _needs("Which telescope is Ma Yinzhe's team processing data from?")
    assert scope is not None
    assert scope.fit("data from the Square Kilometre Array (SKA) radio telescope") == 1.0


def test_a_terse_number_of_question_counts_what_it_names() -> None:
    need = _needs("Number of intergovernmental S&T cooperation agreements China has signed?")
    assert need is not None and need.kind == "number"
    assert need.fit("signing 119 intergovernmental agreements on science") == 1.0


def test_a_role_worded_in_terms_no_article_uses_is_a_paraphrase_not_a_requirement() -> None:
    question = "Who is the Iberian investigator that has spent two decades protecting animals?"
    strict = _needs(question)
    loose = _needs(question, absent=frozenset({"iberian", "investig"}))
    sentence = "Spanish Chief Researcher Kang Musha has dedicated 20 years to conservation."
    assert strict is not None and strict.fit(sentence) == 0.0
    assert loose is not None and loose.fit(sentence) == 1.0


@pytest.mark.parametrize("question", ["who is lu yuming", "who's ma minxiang?", "Who is Fei Fan?"])
def test_who_is_a_name_asks_for_a_description_whatever_its_case(question: str) -> None:
    assert kind(question) == "role"
    described = _needs(question).fit  # type: ignore[union-attr]
    assert described("Academician Lu Yuming of the Chinese Academy of Sciences spoke.") == (
        1.0 if "lu" in question else 0.0
    )


def test_who_is_the_role_still_asks_for_a_person() -> None:
    assert kind("who is the chairman of the forum") == "person"


@pytest.mark.parametrize(
    ("question", "category"),
    [
        ("which city in germany did the delegation go to", "city"),
        ("which province is the FAST telescope located in", "province"),
        ("In which town did they meet?", "town"),
    ],
)
def test_a_country_or_an_organisation_is_no_city(question: str, category: str) -> None:
    need = _needs(question)
    assert need is not None and need.kind == "place"
    assert (
        need.fit(
            "In May a delegation from the Academy visited Germany to meet the Max Planck Society."
        )
        < 1.0
    )
    hosts = (
        "The delegation met its hosts in Guiyang, Guizhou."  # a province: Munich is a city
        if category == "province"
        else "The delegation met its hosts in Munich, Bavaria."
    )
    assert need.fit(hosts) == 1.0
    # a country still answers "in which country"
    assert _needs("in which country did they meet?").fit("They met in Germany.") == 1.0  # type: ignore[union-attr]


def test_a_city_is_no_titled_person_organisation_country_or_month() -> None:
    question = "In which city is the Safolin Agricultural Technology University located?"
    sentence = (
        "Professor Zhang Zhengmao from Northwest A&F University led a delegation to visit the "
        "Safolin Agricultural Technology University in Kazakhstan in mid-May."
    )
    assert _place_fit(sentence, question, "city") == 0.0
    # a place news names in passing still answers, at part weight
    jail = "Four men escaped from a Mississippi jail over the weekend, officials said."
    assert 0.0 < _place_fit(jail, "Men escaped from jail in which state?", "state") < 1.0
    assert _place_fit("The forum opened in Tengchong on Monday.", question, "city") == 1.0


def test_a_short_form_is_answered_by_the_name_written_out_beside_it() -> None:
    fast = _needs("What does FAST stand for?")
    assert fast is not None and fast.kind == "expansion"
    assert fast.fit("the Five-hundred-meter Aperture Spherical Telescope (FAST), known for") == 1.0
    # the initials spell it, with no brackets
    assert fast.fit("The Five-hundred-meter Aperture Spherical Telescope opened in 2016.") == 1.0
    assert fast.fit("After FAST began formal operations in early 2021, ...") == 0.0
    once = _needs("what's the abbreviation of Ocean Negative Emissions?")
    assert once is not None
    assert once.fit("projects such as “Ocean Negative Emissions (ONCE)” and more") == 1.0


def test_where_someone_works_is_answered_by_an_employer_before_a_place() -> None:
    need = _needs("where does Kang Musha work?")
    assert need is not None and need.kind == "place"
    employer = "Since joining the Xishuangbanna Tropical Botanical Garden in 2020, he has studied."
    place = "Kang Musha has dedicated 20 years to large mammals in Asia."
    assert need.fit(employer) == 1.0 > need.fit(place) > 0.0
    # a "where" that asks no employer is a place question as before
    rank = _needs("Where did Delaware rank in WalletHub's study of states for teachers?")
    assert rank is not None and rank.fit(place) == 1.0


def test_who_developed_it_is_answered_by_an_organisation_too() -> None:
    sentence = (
        "The platform, jointly developed by the Tropical Botanical Garden and the State Ecological "
        "Environment Bureau, was launched."
    )
    for question in ("Who developed the platform?", "who else helped build it?"):
        need = _needs(question)
        assert need is not None and need.kind == "person"
        assert need.fit(sentence) == 1.0
    # a person is asked for where organisations do not act: an organisation is no answer
    need = _needs("Who made history at the platform?")
    assert need is not None and need.fit(sentence) == 0.0


def test_a_venue_or_location_is_a_place_question() -> None:
    for question in (
        "second belt and road sci-tech conference venue",
        "What is the location of the park?",
        "Taylor Swift's wedding took place at which famous venue?",
        "which city hosts the second belt and road conference",
    ):
        need = _needs(question)
        assert need is not None and need.kind == "place", question
    # a venue named in passing: the question asks for someone
    need = _needs("Which music superstar canceled three concerts at the venue?")
    assert need is None or need.kind != "place"


def test_a_title_before_a_name_is_not_the_noun_asked_for() -> None:
    need = _needs("which university Professor Zhang Zhengmao is from?")
    assert need is not None and need.kind == "name"
    need = _needs("which professor led the delegation?")
    assert need is not None and need.kind == "person"


def test_the_role_asked_for_ends_where_a_clause_about_it_starts() -> None:
    need = _needs("Who is the astrophysicist working with Chinese scientists on SKA data?")
    assert need is not None and need.kind == "person"
    # the sentence names an astrophysicist; it need not repeat "working with Chinese scientists"
    assert need.fit("Here, astrophysicist Ma Yinzhe manages the telescope's data.") == 1.0


@pytest.mark.parametrize(
    "question",
    [
        "what did the team build?",
        "what is his team developing?",
        "what has the platform enabled?",
        "what does the forum aim to become?",
        "what will the second conference set up?",
    ],
)
def test_a_noun_that_does_the_asking_verb_is_not_the_kind_asked_for(question: str) -> None:
    # the team is the subject: what it builds is asked, not a team's name (a new name used to be
    # required, so "Academician Gu Binglin ..." beat "the team is developing a new pipeline")
    need = _needs(question)
    assert need is None or need.kind != "name"


@pytest.mark.parametrize(
    "question",
    ["which team won the cup?", "What is the mission called?", "which chinese university is it?"],
)
def test_a_noun_asked_for_still_needs_a_name(question: str) -> None:
    need = _needs(question)
    assert need is not None and need.kind == "name"


@pytest.mark.parametrize(
    ("sentence", "question", "category", "fit"),
    [
        # a city of another country, a country, an organisation: no German city
        (
            "A delegation visited Germany, where they met colleagues from the Max Planck Society "
            "to discuss a forum to be held in Shanghai.",
            "in which german city did the delegation meet the Max Planck Society?",
            "city",
            0.0,
        ),
        # the text's own word says it is a region
        (
            "Kang Musha studies records collected in the Xishuangbanna region.",
            "which spanish city is Kang Musha from?",
            "city",
            0.0,
        ),
        # a place the lists lack fits less than one they hold
        (
            "Li Ke led a team surveying globular clusters in the Milky Way.",
            "In which Chinese province is the FAST telescope located?",
            "province",
            0.5,
        ),
        (
            "The forum is held in Tengchong, Yunnan Province.",
            "which province is it in?",
            "province",
            1.0,
        ),
        ("The forum is held in Tengchong, Yunnan Province.", "which city hosts it?", "city", 1.0),
        (
            "Leaders were ordered to a meeting in northern Virginia on Sept. 30.",
            "a meeting this week in which state?",
            "state",
            1.0,
        ),
    ],
)
def test_a_city_or_province_is_typed_by_the_gazetteers(
    sentence: str, question: str, category: str, fit: float
) -> None:
    assert _place_fit(sentence, question, category) == fit


def test_a_deputy_is_not_the_role_asked_for() -> None:
    need = _needs("who is the director of the Uruguayan Institute of Agriculture and Livestock")
    assert need is not None
    deputy = "Ren Yulong, Deputy Director of the Institute of Crop Sciences, led a delegation."
    assert need.fit(deputy) == 0.0 and not need.holds(deputy)
    assert need.fit("Its director, Ana Perez, welcomed them.") == 1.0
    asked = _needs("who is the deputy director of the Institute of Crop Sciences")
    assert asked is not None and asked.fit(deputy) == 1.0


def test_a_month_question_needs_a_month_named() -> None:
    need = _needs("which month is that exactly")
    assert need is not None
    assert not need.holds("From the 10th to the 12th of this month, the conference is held.")
    assert need.fit("In July 2021, the SKA project commenced construction.") == 1.0
    assert not need.holds("The forum was held in 2022.")


def test_he_in_a_follow_up_is_not_a_sentence_about_someone_else() -> None:
    from ask.answer import Referent

    lu = Referent("Lu Yuming", "what is he a world leader in")
    assert lu.elsewhere("Academician Gu Binglin, Chairman of the Forum, stated in his remarks.")
    assert not lu.elsewhere("Academician Lu Yuming was the first recipient of the award.")
    # a "he" sentence is about the person the sentence before names
    biopsy = "As a global leader in liquid biopsy technology, he and his team license tests."
    assert not lu.elsewhere(biopsy, "Academician Lu Yuming was the first recipient.")
    assert not lu.elsewhere("The forum belongs to China and the world.")  # no one: no penalty
    # someone the question names is no one else
    assert not Referent("Lu Yuming", "did he work with Gu Binglin").elsewhere(
        "Gu Binglin, Chairman of the Forum, spoke."
    )


def test_a_name_in_a_quoted_theme_is_not_a_person() -> None:
    theme = "with the theme of “Organoids, Bioprinting, and Artificial Tissues.” Li Ke agreed."
    assert person_names(theme) == ("Li Ke",)
    speech = "“We have worked with Fei Fan for years, and the lab keeps on growing,” she said."
    assert person_names(speech) == ("Fei Fan",)  # someone's words may name people


def test_who_chairs_asks_for_the_chairman() -> None:
    need = _needs("who chairs it?")
    assert need is not None and need.kind == "person"
    assert need.fit("Academician Gu Binglin, Chairman of the Tengchong Scientists Forum, spoke.")
    assert need.fit("Academician Lu Yuming was the first recipient of the award.") == 0.0
    led = _needs("who led the team from tsinghua university")
    assert led is not None and led.fit("Recently, Li Ke led a team from Tsinghua University.")


def test_whom_a_delegation_met_may_be_an_organisation() -> None:
    need = _needs("The CAS delegation that went to Germany, who did they meet with?")
    assert need is not None
    met = "In mid-May, a delegation visited Germany, where they met colleagues from the Max Planck Society."
    assert need.fit(met) == 1.0
    built = _needs("who did he marry?")
    assert built is not None and built.fit(met) == 0.0


def test_what_it_should_become_asks_for_a_goal() -> None:
    need = _needs("what does Yunnan want the forum to become")
    assert need is not None and need.kind == "goal"
    assert need.fit(
        "Transforming the forum into a “Science and Technology Davos” is the aspiration of Yunnan."
    )
    assert not need.fit("The forum has become an important platform for exchange.")
    assert kind("What do the organizers hope to turn it into?") == "goal"


def test_a_series_member_named_by_its_year_is_not_the_one_asked_by_ordinal() -> None:
    fit = _qualifier_fit("when was the first Tengchong Scientists Forum held")
    assert fit("He spoke at the 2024 Tengchong Scientists Forum.") < 0
    assert fit("Since the inaugural forum was held in 2022, it has grown.") == QUALIFIER_MATCH
    assert (
        _qualifier_fit("when was the Tengchong Scientists Forum held")("the 2024 Tengchong Forum")
        == 0
    )


def test_a_person_of_the_country_asked_fits_and_one_placed_with_another_does_not() -> None:
    need = _needs("Which Uruguayan cabinet member greeted the visiting Chinese crop scientists?")
    assert need is not None and need.kind == "person"
    flati = (
        "Uruguay's Minister of Livestock, Agriculture, and Fisheries, Flati, extended a welcome."
    )
    ren = (
        "Ren Yulong, Deputy Director of the Institute of Crop Sciences at the Chinese Academy of "
        "Agricultural Sciences, led a delegation to visit the Uruguayan Institute."
    )
    assert need.fit(flati) == 1.0 and need.fit(ren) == 0.0
    # nothing said of a person's country: no objection ("astronomers from Italy" are others)
    chinese = _needs("which chinese scientist led the pulsar survey")
    assert chinese is not None
    assert chinese.fit("Recently, Li Ke led a team with astronomers from Italy and Germany.") == 1.0
    assert chinese.fit("Italian scientist Fei Fan, based in Beijing, led the survey.") == 0.0


def test_a_month_the_question_names_sets_apart_what_happened_in_another() -> None:
    fit = _qualifier_fit("who led the chinese delegation that visited in april?")
    assert fit("Professor Zhang led a delegation to Kazakhstan in mid-May.") == -MONTH_CLASH
    assert fit("In April this year, the two parties met as scheduled.") == 0.0
    assert fit("Ren Yulong led a delegation to visit the institute.") == 0.0  # no month: no clash
    # asked which month, a month named is the answer, not a clash
    assert _qualifier_fit("in which month did they visit?")("They came in mid-May.") == 0.0
    # "may" typed in lower case is the month only where a month is meant
    assert _months("who led the delegation in may", typed=True) == {"may"}
    assert _months("what may they plant there", typed=True) == frozenset()
    assert _months("May I ask who went in June?", typed=True) == {"june"}


def test_a_demonym_asked_matches_its_country_in_a_sentence() -> None:
    assert _nation_in("uruguayan", frozenset({"uruguay", "minist", "welcom"}))
    assert _nation_in("german", frozenset({"germani", "visit"}))
    assert not _nation_in("austrian", frozenset({"australia", "contribut"}))
    assert not _nation_in("uruguayan", frozenset({"welcom", "deleg"}))


def test_what_is_a_thing_asks_what_it_is_not_for_a_sentence_naming_it() -> None:
    fast = _needs("What is FAST?")
    assert fast is not None and fast.kind == "define"
    assert fast.fit(
        "Take the Five-hundred-meter Aperture Spherical Telescope (FAST), known for data."
    )
    assert fast.fit("After FAST began formal operations in early 2021, scientists came.") == 0.0
    forum = _needs("whats the tengchong scientists forum")
    assert forum is not None and forum.kind == "define"
    assert forum.fit(
        "It noted that the Tengchong Scientists' Forum has become an important platform."
    )
    assert (
        forum.fit("Open cooperation is an inherent part of the Tengchong Scientists Forum.") == 0.0
    )
    # something "of" it asks for that thing; a pronoun is no thing named
    assert kind("what is the theme of the forum?") != "define"
    assert kind("what is it?") != "define"


def test_a_newspaper_is_a_name_of_a_newspaper_s_kind() -> None:
    need = _needs("which newspaper ran the article about the conference?")
    assert need is not None and need.kind == "name"
    assert need.fit("Recently, the Science and Technology Daily published an article.") == 1.0
    assert (
        need.fit(
            "— Written on the Opening of the Second Science and Technology Exchange Conference"
        )
        < 1.0
    )


def test_its_in_a_follow_up_is_not_a_sentence_about_another_thing() -> None:
    from ask.answer import Subject

    fast = Subject("FAST")
    ska = "In July 2021, with China and South Africa, the SKA project commenced construction."
    assert fast.elsewhere(ska, passage=ska)
    assert not fast.elsewhere(ska, passage=f"FAST began operations in 2021. {ska}")
    assert not fast.elsewhere("construction commenced in july.", passage="no names here")
    forum = Subject("Tengchong Scientists Forum")  # passages say "the forum": no penalty
    assert not forum.elsewhere(ska, passage=ska)


def test_an_ellipsis_asking_the_year_or_the_dates_asks_for_a_date() -> None:
    assert kind("the year of the first edition?") == "year"
    assert kind("and the year?") == "year"
    assert kind("the dates?") == "date"
    assert kind("the year-end report, what does it say?") != "year"


def test_a_word_said_only_inside_an_idiom_is_not_the_word_asked() -> None:
    from ask.answer import idiom_only

    assert idiom_only("date", "To date, China has established cooperation with 160 countries.")
    assert not idiom_only("date", "To date, the date of the forum is not known.")
    assert not idiom_only("date", "The dates of the conference were set.")
    assert idiom_only("call", "At the forum, he called for integrated collaboration.")
    assert not idiom_only("call", "The telescope is called the Chinese Sky Eye.")


def test_a_word_joined_on_is_no_qualifier() -> None:
    from ask.answer import _qualifiers
    from index.text import qualifier_alike

    assert _qualifiers("the park's second-in-command") == {}
    assert _qualifiers("On the second day of their arrival") == {"ordinal": "2"}
    assert _qualifiers("the ex-head scientist of FAST") == {"time": "past"}
    assert qualifier_alike("who is the second-in-command?") == []
    assert "inaugural" in qualifier_alike("the first forum")


def test_why_someone_chose_asks_for_a_stated_reason() -> None:
    need = _needs("why did kang musha decide to join the xishuangbanna tropical botanical garden")
    assert need is not None and need.kind == "reason"
    joined = "Since joining the garden in 2020, he has been involved in patrols for elephants."
    assert not need.holds(joined)  # "since" here says when, not why
    assert need.holds("He moved to China because the garden offered him a lab.")
    assert _needs("Why was Chengdu picked to host the conference?").kind == "reason"  # type: ignore[union-attr]
    # why something matters, or an elliptical "why?", may be answered in any words
    assert kind("why does the tengchong forum matter for yunnan?") != "reason"
    assert kind("why?") != "reason"


def test_an_exact_date_an_age_and_a_budget_are_asked_as_such() -> None:
    exact = _needs("What is the exact date of the 2025 Frontier Exploration Roundtable Forum?")
    assert exact is not None and exact.kind == "date"
    assert exact.fit("The delegation met in mid-May to discuss the forum.") == PARTIAL_DAY
    assert kind("on what exact date?") == "date"
    age = _needs("how old is he?")
    assert age is not None and age.kind == "age"
    assert not age.holds("Kang Musha has dedicated 20 years to the ecology of large mammals.")
    assert age.holds("Kang Musha, 45, has dedicated 20 years to large mammals.")
    assert kind("what's his birth year") == "year"
    assert kind("and its budget?") == "money"
    assert kind("SKA total budget?") == "money"
    # a question ending on "funding" asks of the funding, not for a sum
    assert kind("Which ministry's official said China will open up research data and funding?") != (
        "money"
    )


def test_who_holds_a_role_now_is_not_the_former_holder() -> None:
    fit = _qualifier_fit("so who's the chief scientist now?")
    assert fit("Li Ke, the former chief scientist of FAST, explained ...") == -QUALIFIER_CLASH
    assert fit("The chief scientist of FAST explained ...") == 0.0


def test_a_role_asked_of_a_country_or_to_a_place_is_the_role() -> None:
    from ask.needs import _WHO_ROLE

    for question, role in (
        ("Who is the Chinese ambassador to Germany?", "Chinese ambassador"),
        ("Who is China's Minister of Science and Technology?", "Minister"),
        ("Who is the chairman?", "chairman"),
        ("who is the chief scientist of FAST?", "chief scientist"),
    ):
        m = _WHO_ROLE.match(question)
        assert m is not None and m.group("role") == role


def test_which_city_someone_visited_asks_for_a_place() -> None:
    need = _needs(
        "Which German city did the Chinese Academy of Sciences delegation visit in mid-May?"
    )
    assert need is not None and need.kind == "place"
    assert not need.holds(
        "In mid-May, a delegation visited Germany, where they discussed the forum to be held in "
        "Shanghai."
    )


def test_a_first_name_asked_needs_a_longer_name_than_the_question_gives() -> None:
    need = _needs("what's Flati's first name? the uruguayan minister")
    assert need is not None and need.kind == "name part"
    assert not need.holds(
        "Uruguay's Minister of Livestock, Agriculture, and Fisheries, Flati, said"
    )
    assert not _needs("What is Deputy Manager Aizhibai's full name?").holds(  # type: ignore[union-attr]
        "Deputy Manager Aizhibai commented: “These seeds are good.”"
    )
    assert _needs("what is Fan's first name?").holds("Italian scientist Fei Fan said")  # type: ignore[union-attr]
    assert kind("what is FAST's full name?") == "expansion"  # a short form's is its long form


def test_a_role_typed_as_keywords_with_name_asks_for_a_person() -> None:
    assert kind("deputy manager of the aijiu agricultural products park name?") == "person"
    assert kind("telescope name?") != "person"


def test_part_of_a_person_s_name_is_no_place() -> None:
    from ask.needs import UNKNOWN_NAME, _fine_place_fit

    ren = (
        "Ren Yulong, Deputy Director of the Institute of Crop Sciences at the Chinese Academy of "
        "Agricultural Sciences, led a delegation to visit the Uruguayan Institute of Agriculture."
    )
    # "Yulong" is also a county of Yunnan in GeoNames; here it is half of a name
    asked = "which city is the Uruguayan Institute of Agriculture and Livestock in?"
    assert _fine_place_fit(ren, asked, "city") <= UNKNOWN_NAME


def test_names_of_a_headline_an_organisation_or_a_quoted_title_are_no_places() -> None:
    question = "where's the second Belt and Road Science and Technology Exchange Conference?"
    assert (
        _place_fit("The second conference will be held as scheduled in Chengdu.", question) == 1.0
    )
    for sentence in (
        "— Written on the Occasion of the Opening of the Second “Belt and Road” Science and "
        "Technology Exchange Conference",
        "Recently, the Science and Technology Daily published an article titled “Building a New "
        "Framework — Written on the Eve of the Opening of the Second Belt and Road Conference.”",
        "Professor Zhang Zhengmao said so at the conference.",
    ):
        assert _place_fit(sentence, question) == 0.0
    # a name that may be a place still fits in part
    assert 0.0 < _place_fit("Cambodia and Laos sent delegates.", question) < 1.0


def test_keywords_with_the_kind_wanted_last_ask_for_that_kind() -> None:
    assert kind("first tengchong scientists forum year") == "year"
    assert kind("second belt and road science tech exchange conference city") == "place"
    # a start date, not the day: "In July 2021" says it in full
    date = _needs("ska construction start date")
    assert date is not None and date.kind == "date"
    assert date.fit("In July 2021, the SKA project commenced construction.") == 1.0
    # a question word asks for itself: "which forum ... year" is not rewritten
    assert kind("what did the forum do that year") is None


def test_the_city_that_will_host_an_event_is_a_place() -> None:
    need = _needs(
        "Name the city that will host the second Belt and Road Science and Technology Exchange "
        "Conference."
    )
    assert need is not None and need.kind == "place"
    assert need.fit("The second conference will be held as scheduled in Chengdu.") == 1.0


def test_what_it_will_turn_into_asks_for_a_goal_in_any_tense() -> None:
    assert kind("what does yunnan hope the tengchong event turns into eventually") == "goal"
    assert kind("what do they hope it is transformed into?") == "goal"


def test_an_academy_and_an_outfit_are_names_of_their_kind() -> None:
    assert kind("Ma Yinzhe belongs to which national academy as an academician?") == "name"
    assert kind("which Australian outfit helped build the sky eye") == "name"


def test_a_compound_title_is_not_the_role_asked() -> None:
    need = _needs("Who is the minister of science and technology?")
    assert need is not None and need.kind == "person"
    assert need.fit("Chen Linhao, Minister-Counselor for Science and Technology, spoke.") == 0.0
    assert need.fit("Wang Li, Minister of Science and Technology, spoke.") == 1.0


def test_a_country_s_official_asked_is_not_another_country_s() -> None:
    need = _needs("Who is China's Minister of Agriculture and Rural Affairs?")
    assert need is not None and need.kind == "person"
    flati = (
        "Uruguay's Minister of Livestock, Agriculture, and Fisheries, Flati, extended a welcome."
    )
    assert need.fit(flati) == 0.0
    assert need.fit("China's Minister of Agriculture, Han Jun, extended a welcome.") == 1.0


def test_a_person_s_name_asked_of_a_role_needs_a_person() -> None:
    for question in (
        "what's that official's name?",
        "what is the name of the official?",
        "what was the researcher's name",
    ):
        need = _needs(question)
        assert need is not None and need.kind == "person", question
    need = _needs("what's that official's name?")
    assert need is not None
    # "A relevant official from the Ministry ... explained ...": no name, so nothing to answer
    assert need.fit("A relevant official from the Ministry of Science explained the plan.") == 0.0
    assert kind("what's the name of the telescope") != "person"


def test_keywords_ending_in_number_job_or_location_ask_for_that() -> None:
    assert kind("china intergovernmental agreements number") == "number"
    assert kind("Aizhibai job") == "role"
    assert kind("tengchong forum location") == "place"
    # a question word before the kind asks for itself
    assert kind("what is the job") != "role"


def test_a_nationality_is_a_people_s_adjective_before_the_person() -> None:
    need = _needs("what's his nationality")
    assert need is not None and need.kind == "nationality"
    assert need.fit("Italian scientist Fei Fan, based at the Chinese Academy of Sciences.") == 1.0
    assert need.fit("Spanish Chief Researcher Kang Musha has dedicated 20 years.") == 1.0
    # the country of what the sentence speaks of is no one's nationality
    assert need.fit("Academician Lu Yuming of the Chinese Academy of Sciences spoke.") == 0.0
    assert need.fit("Fei Fan once proposed establishing his own laboratory.") == 0.0
    # a celebrity's citizenship revoked asks for the celebrity
    assert kind("President Trump has threatened to revoke which celebrity's US citizenship?") != (
        "nationality"
    )


def test_a_role_of_one_thing_is_not_the_role_of_another() -> None:
    need = _needs("who is the president of south africa")
    assert need is not None and need.kind == "person"
    lu = (
        "Academician Lu Yuming of the Chinese Academy of Sciences and President of the Chinese "
        "University of Hong Kong was the first recipient."
    )
    assert need.fit(lu) == 0.0
    assert need.fit("Cyril Ramaphosa, President of South Africa, said.") == 1.0
    fast = _needs("Who is the chief scientist of FAST?")
    assert fast is not None
    assert fast.fit("Li Ke, the former chief scientist of FAST, explained.") == 1.0
    assert fast.fit("According to former FAST chief scientist Li Di, cooperation is key.") == 1.0
    # what the role is of may be quoted
    award = _needs("Who was the first recipient of the Tengchong Science Award?")
    assert award is not None
    assert award.fit("Lu Yuming was the first recipient of the “Tengchong Science Award.”") == 1.0
