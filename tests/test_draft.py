"""`dipsim draft` (a draft scenario from news articles) and `dipsim new --blank` (a skeleton): the seed
article's actors and stated signs, precision and recall against the baseline, other crises in invented
articles (one an HTML page), metonyms, aliases, --sides, several articles, and the user's mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import assert_user_error

from sim.cli import main
from sim.draft import compare_to, draft
from sim.draft.actors import Namer
from sim.draft.articles import html_text, is_hidden, sentences
from sim.scenario import load
from sim.scenario.library import BUNDLED_DIR

ROOT = Path(__file__).resolve().parent.parent
SEED = BUNDLED_DIR / "sources" / "article-2020-09-28.txt"
ARTICLES = Path(__file__).resolve().parent / "articles"
BASELINE_ACTORS = {"ARM", "AZE", "NKR", "RUS", "TUR", "PAK", "IRN", "USA", "FRA", "DEU", "VAT", "OSCE", "UN", "EU"}


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])




@pytest.fixture(scope="module")
def seed_draft(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed")
    result = invoke("draft", SEED, "--name", "seed", "--out", folder / "seed.toml")
    assert result.exit_code == 0, result.output
    return folder / "seed.toml"


def test_the_seed_article_gives_every_actor_of_the_baseline(seed_draft):
    spec = load(seed_draft)
    assert set(spec.actor_ids) >= BASELINE_ACTORS
    scores = compare_to(spec, "baseline")
    assert scores["actors"].recall == 1.0
    assert scores["actors"].precision == len(BASELINE_ACTORS) / len(spec.actors)
    assert 0 < scores["ties"].recall <= 1 and 0 < scores["ties"].precision <= 1
    reference = load("baseline")
    pairs = {frozenset(t.actors) for t in spec.ties}
    expected = {frozenset(t.actors) for t in reference.ties}
    assert scores["ties"].recall == len(pairs & expected) / len(expected)


def test_the_seed_draft_has_the_signs_the_article_states(seed_draft):
    spec = load(seed_draft)
    assert spec.sides == ("ARM", "AZE")
    assert spec.actor("TUR").alignment > 0 and spec.actor("PAK").alignment > 0        # toward Baku
    assert spec.actor("RUS").alignment < 0                                           # tied to Yerevan
    ties = {frozenset(t.actors): t for t in spec.ties}
    assert ties[frozenset(("RUS", "ARM"))].kind == "alliance" and ties[frozenset(("RUS", "ARM"))].weight > 0
    assert ties[frozenset(("PAK", "AZE"))].weight > 0 and ties[frozenset(("TUR", "AZE"))].weight > 0
    for presser in ("OSCE", "UN", "EU"):
        assert spec.actor(presser).ceasefire >= 0.6, presser
    assert ties[frozenset(("ARM", "AZE"))].weight < 0


def test_the_draft_is_commented_data_with_judgements_and_quotations(seed_draft):
    text = seed_draft.read_text()
    assert text.startswith("# DRAFT scenario")
    assert "JUDGEMENT, review" in text and "the baseline's judgements" in text.lower() or "baseline's judgements" in text
    assert (seed_draft.parent / "sources" / "seed-1.txt").is_file()
    assert 'source = "sources/seed-1.txt"' in text
    assert "full support to Baku" in text


def test_validate_and_run_accept_the_draft(seed_draft, tmp_path):
    assert invoke("validate", seed_draft).exit_code == 0
    result = invoke("run", seed_draft, "--no-plots", "--steps", "10", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output


def test_metonyms_demonyms_and_organizations_are_actors():
    namer = Namer()
    found = {m.actor for m in namer.mentions("Ankara and the Kremlin spoke, while Azeri and Turkish officials met "
                                             "the UN Secretary-General and the OSCE Minsk Group in Yerevan.")}
    assert {"TUR", "RUS", "AZE", "UN", "OSCE"} <= found
    places = [m for m in namer.mentions("Both engage in proxy conflicts in Libya and Syria.") if m.place]
    assert {m.actor for m in places} == {"LBY", "SYR"}
    near = namer.mentions("The Azerbajani army advanced.")
    assert near and near[0].actor == "AZE" and near[0].how.startswith("near match")


def test_a_2008_style_war_with_sides_and_aliases(tmp_path):
    out = tmp_path / "georgia.toml"
    result = invoke("draft", ARTICLES / "georgia-2008.txt", "--sides", "GEO,RUS", "--aliases",
                    ARTICLES / "georgia-aliases.toml", "--out", out)
    assert result.exit_code == 0, result.output
    spec = load(out)
    assert spec.sides == ("GEO", "RUS")
    assert {"GEO", "RUS", "SOS", "USA", "FRA", "EU", "NATO", "OSCE", "UN", "UKR"} <= set(spec.actor_ids)
    assert spec.actor("SOS").alignment > 0           # backed by Moscow: on Russia's side
    assert spec.actor("UKR").alignment < 0 and spec.actor("NATO").alignment < 0     # toward Tbilisi
    assert spec.actor("USA").ceasefire >= 0.8
    assert "Saakashvili" in out.read_text()          # the alias found him: Georgia's accusation is quoted
    assert invoke("run", out, "--no-plots", "--steps", "5", "--out", tmp_path / "run").exit_code == 0


def test_an_html_page_gives_the_articles_text_only(tmp_path):
    page = (ARTICLES / "south-china-sea.html").read_text()
    text = html_text(page)
    assert text.startswith("Coast Guard Ships Collide")
    for gone in ("Advertisement", "Home", "Hidden text", "Most read", "dataLayer", "Contact us"):
        assert gone not in text
    out = tmp_path / "scs.toml"
    assert invoke("draft", ARTICLES / "south-china-sea.html", "--out", out).exit_code == 0
    spec = load(out)
    assert set(spec.sides) == {"PHL", "CHN"}
    assert {"USA", "JPN", "AUS", "ASEAN", "EU", "IDN"} <= set(spec.actor_ids)
    assert "BLR" not in spec.actor_ids and "DEU" not in spec.actor_ids
    toward_manila = -1 if spec.sides[0] == "PHL" else 1
    assert spec.actor("USA").alignment * toward_manila > 0
    assert invoke("validate", out).exit_code == 0


def test_several_articles_write_a_list_of_sources(tmp_path):
    out = tmp_path / "two.toml"
    result = invoke("draft", SEED, ARTICLES / "georgia-2008.txt", "--sides", "ARM,AZE", "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert 'source = ["sources/two-1.txt", "sources/two-2.txt"]' in text
    assert (tmp_path / "sources" / "two-2.txt").is_file()
    spec = load(out)                      # each quotation is found in one of the two, and recorded there
    assert {"two-1.txt", "two-2.txt"} == set(spec.quoted_in.values())
    assert spec.quoted_in[spec.actor("GEO").sources[0]] == "two-2.txt"
    assert invoke("run", out, "--steps", "3", "--no-plots", "--out", tmp_path / "run").exit_code == 0


def test_sentences_are_verbatim_substrings():
    text = SEED.read_text()
    found = sentences(text)
    assert len(found) > 20
    plain = " ".join(text.split())
    assert all(" ".join(s.split()) in plain for s in found)


def test_a_users_mistakes_are_one_line(tmp_path):
    assert_user_error(invoke("draft", tmp_path / "missing.txt", "--out", tmp_path / "x.toml"), "no such file")
    binary = tmp_path / "page.html"
    binary.write_bytes(b"<html>\x00\x01\x02")
    assert_user_error(invoke("draft", binary, "--out", tmp_path / "x.toml"), "page.html")
    empty = tmp_path / "empty.html"
    empty.write_text("<html><head><script>var a = 1;</script></head><body><nav>Home</nav></body></html>")
    assert_user_error(invoke("draft", empty, "--out", tmp_path / "x.toml"), "empty.html")
    assert_user_error(invoke("draft", SEED, "--sides", "ARM,GEO", "--out", tmp_path / "x.toml"), "--sides", "GEO")
    assert_user_error(invoke("draft", SEED, "--sides", "ARM", "--out", tmp_path / "x.toml"), "--sides")
    assert_user_error(invoke("draft", SEED, "--name", "bad name!", "--out", tmp_path / "x.toml"), "--name")
    bad = tmp_path / "aliases.toml"
    bad.write_text('Erdogan = "T-U-R"\n')
    assert_user_error(invoke("draft", SEED, "--aliases", bad, "--out", tmp_path / "x.toml"), "aliases.toml")
    assert not (tmp_path / "x.toml").exists()


def test_the_draft_never_overwrites_a_users_file(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text("my own notes\n")
    assert_user_error(invoke("draft", SEED, "--out", mine), "already exists")
    assert_user_error(invoke("draft", SEED, "--out", mine, "--force"), "not a file dipsim draft wrote")
    assert mine.read_text() == "my own notes\n"
    (tmp_path / "sources").mkdir()
    theirs = tmp_path / "sources" / "seed-1.txt"
    theirs.write_text("someone's article\n")
    assert_user_error(invoke("draft", SEED, "--name", "seed", "--out", tmp_path / "seed.toml"), "seed-1.txt")
    assert theirs.read_text() == "someone's article\n" and not (tmp_path / "seed.toml").exists()
    theirs.unlink()
    assert invoke("draft", SEED, "--name", "seed", "--out", tmp_path / "seed.toml").exit_code == 0
    assert invoke("draft", SEED, "--name", "seed", "--out", tmp_path / "seed.toml", "--force").exit_code == 0
    edited = tmp_path / "seed.toml"
    edited.write_text(edited.read_text().replace("steps = 60", "steps = 30"))
    assert_user_error(invoke("draft", SEED, "--name", "seed", "--out", edited, "--force"), "edited")


def test_new_blank_writes_a_skeleton_that_validates_and_runs(tmp_path):
    out = tmp_path / "border.toml"
    result = invoke("new", "border", "--blank", "--sides", "WEST,EAST", "--actors", "WEST,EAST,PAT,MED",
                    "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for key in ("alignment", "ceasefire", "capability", "stubbornness", "intensity", "territory", "losses",
                "[[ties]]", "[[rules]]", "[-1, 1]"):
        assert key in text, key
    spec = load(out)
    assert spec.sides == ("WEST", "EAST") and set(spec.actor_ids) == {"WEST", "EAST", "PAT", "MED"}
    assert [r.rule for r in spec.rules] == [r.rule for r in load("baseline").rules]
    assert invoke("run", out, "--no-plots", "--steps", "5", "--out", tmp_path / "run").exit_code == 0
    assert_user_error(invoke("new", "border", "--blank", "--sides", "WEST,EAST", "--out", out), "--force")
    assert invoke("new", "border", "--blank", "--sides", "WEST,EAST", "--out", out, "--force").exit_code == 0


def test_new_blank_refuses_bad_names_and_ids(tmp_path):
    out = str(tmp_path / "x.toml")
    assert_user_error(invoke("new", "bad name", "--blank", "--sides", "A,B", "--out", out), "NAME")
    assert_user_error(invoke("new", "ok", "--blank", "--sides", "A-1,B", "--out", out), "--sides")
    assert_user_error(invoke("new", "ok", "--blank", "--sides", "A,A", "--out", out), "--sides")
    assert_user_error(invoke("new", "ok", "--blank", "--out", out), "--sides")
    assert_user_error(invoke("new", "ok", "--blank", "--sides", "A,B", "--actors", "C,9D", "--out", out), "--actors")
    assert_user_error(invoke("new", "ok", "--sides", "A,B", "--out", out), "--blank")


def test_the_draft_module_drafts_without_the_command_line():
    result = draft([SEED], "seed")
    assert {a.id for a in result.actors} >= BASELINE_ACTORS
    assert result.sides_guessed and "guessed" in result.sides_guessed


# ------------------------------------------------- what a first trial on an unseen article got wrong
# Each test reads a short invented article of its own (tests/articles/) and failed before its fix.

HIDDEN_COUNTRIES = {"NGA", "GHA", "PRT", "NOR", "CHL", "FIN", "JPN", "KEN", "PER", "SWE", "DEU", "ESP", "ITA", "AUT"}


def test_text_a_browser_does_not_show_is_not_the_articles(tmp_path):
    page = ARTICLES / "hidden-lines.html"
    text = html_text(page.read_text())
    assert "Brazil called on both sides" in text and "The United States said it stands with Guyana." in text
    for hidden in ("newsletter", "Audio version", "Sponsored", "Breaking", "Share on social media", "Hidden text",
                   "Kenya", "Peru", "Sweden", "Most read", "Contact", "Enable scripts"):
        assert hidden not in text, hidden
    out = tmp_path / "essequibo.toml"
    result = invoke("draft", page, "--out", out)
    assert result.exit_code == 0, result.output
    spec = load(out)
    assert set(spec.sides) == {"VEN", "GUY"} and {"BRA", "USA"} <= set(spec.actor_ids)
    assert not HIDDEN_COUNTRIES & set(spec.actor_ids)


def test_the_hiding_attributes_and_classes():
    assert all(is_hidden(a) for a in ({"hidden": None}, {"aria-hidden": "true"}, {"style": "display : none"},
                                      {"style": "color: red; visibility:hidden"}, {"class": "promo sr-only"},
                                      {"class": "d-none"}, {"class": "visually-hidden"}, {"class": "hidden"},
                                      {"class": "screen-reader-text"}))
    assert not any(is_hidden(a) for a in ({"class": "hidden-xs story"}, {"aria-hidden": "false"},
                                          {"style": "display: block"}, {}))


def test_a_cue_goes_to_the_subject_of_its_clause_not_a_name_in_a_relative_clause_or_appositive():
    result = draft([ARTICLES / "relative-clauses.txt"], "border")
    assert result.sides == ("KGZ", "TJK")
    ties = {t.pair: t for t in result.ties}
    # "Kazakhstan and Uzbekistan, which share long borders with both Kyrgyzstan and Tajikistan, also offered
    # to mediate": they offer, not the sides named in the relative clause
    for mediator in ("KAZ", "UZB"):
        assert result.actor(mediator).values["ceasefire"].value >= 0.7, mediator
        for side in result.sides:
            assert ties[frozenset((mediator, side))].kind == "mediation"
    # "The CSTO, whose members include Kyrgyzstan and Tajikistan, called for an immediate ceasefire."
    assert result.actor("CSTO").values["ceasefire"].value >= 0.8
    # "China, Tajikistan's largest creditor, urged both sides ...": China's call alone
    assert all("TJK" not in t.weight.why for t in result.ties if "CHN" in t.ends)
    # "Turkey, whose drones Tajikistan bought last year, backs Kyrgyzstan": Turkey backs, toward the first side
    assert result.actor("TUR").values["alignment"].value < 0
    assert ties[frozenset(("TUR", "KGZ"))].kind == "support"
    for side in result.sides:         # the sides named inside the clauses say nothing of a ceasefire
        assert not any("ceasefire" in q.note or "mediate" in q.note for q in result.actor(side).quotes), side


def test_defence_pacts_joint_exercises_and_military_cooperation_are_alliances():
    result = draft([ARTICLES / "defence-pacts.txt"], "cenepa")
    assert result.sides == ("PER", "ECU")
    ties = {t.pair: t for t in result.ties}
    for pair in (("BRA", "PER"),      # "signed a military cooperation agreement with Peru"
                 ("COL", "ECU"),      # "Colombia and Ecuador held joint military exercises"
                 ("CHL", "ECU"),      # "Chile and Ecuador are bound by a defence pact"
                 ("BOL", "PER")):     # "Bolivia and Peru renewed their mutual-defence accord"
        assert ties[frozenset(pair)].kind == "alliance", pair
        assert ties[frozenset(pair)].weight.value > 0
    assert result.actor("BRA").values["alignment"].value < 0 < result.actor("CHL").values["alignment"].value


def test_an_actor_the_article_only_names_is_not_made_a_mediator(tmp_path):
    from sim.draft.drafting import UNSAID_CEASEFIRE
    from sim.roles import PRESSING, roles

    out = tmp_path / "sarstoon.toml"
    assert invoke("draft", ARTICLES / "bystander.txt", "--out", out).exit_code == 0
    spec = load(out)
    assert spec.sides == ("GTM", "BLZ")
    assert UNSAID_CEASEFIRE < PRESSING
    assert spec.actor("HND").ceasefire == UNSAID_CEASEFIRE          # "Honduras said its fishing boats had left"
    assert spec.actor("MEX").ceasefire >= PRESSING                   # "Mexico called for an immediate ceasefire"
    found = roles(spec.sides, {a.id: a.alignment for a in spec.actors}, {a.id: a.ceasefire for a in spec.actors})
    assert not found["HND"].mediator and found["MEX"].mediator
    line = next(line for line in out.read_text().splitlines() if line.startswith(f"ceasefire = {UNSAID_CEASEFIRE}"))
    assert "# default" in line and "review" in line


def test_a_negated_cue_proposes_nothing():
    result = draft([ARTICLES / "negations.txt"], "temple")
    assert result.sides == ("THA", "KHM")
    ties = {t.pair: t for t in result.ties}
    for pair in (("VNM", "KHM"),      # "Vietnam is not an ally of Cambodia"
                 ("CHN", "KHM"),      # "China has never backed Cambodia"
                 ("MYS", "THA"),      # "Malaysia declined to voice support for Thailand"
                 ("SGP", "KHM"),      # "Singapore denied sending arms to Cambodia"
                 ("JPN", "THA"), ("KOR", "THA"),     # "Neither Japan nor South Korea condemned Thailand"
                 ("MMR", "THA"),      # "Myanmar doesn't stand with Thailand"
                 ("IDN", "KHM")):     # "Indonesia no longer sides with Cambodia"
        assert frozenset(pair) not in ties, pair
        assert result.actor(pair[0]).values["alignment"].value == 0, pair
    # what the article does say: "The Philippines voiced full support for Thailand, while Laos backs Cambodia"
    assert ties[frozenset(("PHL", "THA"))].kind == "support" and result.actor("PHL").values["alignment"].value < 0
    assert ties[frozenset(("LAO", "KHM"))].kind == "support" and result.actor("LAO").values["alignment"].value > 0


def test_it_or_they_after_an_object_is_the_sentences_subject():
    result = draft([ARTICLES / "pronoun-subjects.txt"], "heglig")
    assert result.sides == ("SDN", "SSD")
    ties = {t.pair: t for t in result.ties}
    # "Kenya condemned Sudan's air strikes and said it stands with South Sudan": Kenya backs South Sudan
    assert ties[frozenset(("KEN", "SSD"))].kind == "support" and result.actor("KEN").values["alignment"].value > 0
    # "Egypt criticised South Sudan's incursion and said that it backs Sudan": Egypt, not South Sudan
    assert ties[frozenset(("EGY", "SDN"))].kind == "support" and result.actor("EGY").values["alignment"].value < 0
    # "Uganda and Rwanda met Sudanese envoys and said they would stand with South Sudan": both of them
    for backer in ("UGA", "RWA"):
        assert ties[frozenset((backer, "SSD"))].kind == "support", backer
    for side in result.sides:     # the sides named as objects back no one
        assert not any("backs" in q.note for q in result.actor(side).quotes), side
    # the subject of its own clause keeps its words: "..., and Russia said that it stands with Sudan"
    assert ties[frozenset(("RUS", "SDN"))].kind == "support"
    assert not any(t.kind == "support" and "CHN" in t.ends for t in result.ties)
