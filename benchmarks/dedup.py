"""Benchmark crawler.dedup.StoryIndex on a synthetic syndication corpus it generates itself.

    python benchmarks/dedup.py --sizes 10000,100000 --seed 7 [--workers 2] [--details]

The corpus: wire stories of seeded, varied prose (story-specific vocabulary drawn from a Zipfian
pseudo-word list, news sentence templates, names, places, figures), each carried by 1-8 sites.
A copy may get another headline (the index sees body text only, so it never matters), a few
words edited (Kiev/Kyiv, US/U.S., per cent/percent, a changed word), a dateline prefix, its last
paragraphs dropped, its first paragraph dropped (shown apart as a standfirst), a site promo
paragraph appended, whitespace/quote/dash differences; or it is a truncated excerpt of the first
1-2 paragraphs. Hard negatives: groups of different stories on one topic sharing a background
paragraph, short agency briefs sharing the agency's sign-off paragraph, and market/currency/
weather reports from one template differing only in their figures and names.

For each size it prints pairwise precision and recall of copy pairs, articles/s (wall clock), the
wall and CPU microseconds per article (CPU time is steadier on a shared machine) and the peak
memory growth of indexing (RSS, in a forked child so sizes do not mix), beside a plain exact-hash
dedup. `--details` adds recall per variation and the false pairs per kind of story. With
`--workers N` (default: one per core) it also runs the index as the crawl can, texts prepared in
N processes and matched in order in one, and prints that beside the one-process run; its CPU
column counts the workers too.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import multiprocessing as mp
import os
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import pairwise
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.dedup import index as index_module
from crawler.dedup.ids import new_story_id
from crawler.dedup.index import Prepared, Sketcher, StoryIndex

# --------------------------------------------------------------------------- vocabulary


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


FIRST_NAMES = _words(
    "Vladimir Dmitry Rustem Marco Susie Lee Zhang Maria Anna Olena Sergei Ahmed Fatima "
    "Rahul Priya Carlos Lucia James Emma Kenji Yuki Omar Leila Ivan Nadia Pierre Claire "
    "Hans Greta Ali Sara Tomas Ewa Mehmet Ayse Juan Sofia Daniel Hannah Arjun Meera Kwame "
    "Amara Luis Elena Viktor Irina Jorge Paula Samuel Grace Hiroshi Mei Tariq Zainab "
    "Nikolai Olga Andre Ines Felix Noor"
)
LAST_NAMES = _words(
    "Medinsky Peskov Umerov Rubio Wiles Kim Petrov Ivanova Kovalenko Smirnov Khan Sharma "
    "Patel Garcia Lopez Smith Brown Tanaka Sato Haddad Nasser Volkov Morozova Dubois Martin "
    "Schmidt Weber Yilmaz Demir Fernandez Rossi Bianchi Nowak Kowalski Mensah Okafor Silva "
    "Santos Novak Horvat Jensen Larsen Costa Ferreira Mwangi Otieno Rahman Hossain Chen "
    "Wang Liu Park Choi Ortega Navarro Lindqvist Berg Moreau Laurent Fischer Becker Aziz "
    "Karimi"
)
PLACES = _words(
    "Kiev Moscow Istanbul Ankara Beijing Seoul Washington Geneva Brussels Paris Berlin "
    "Warsaw Mumbai Delhi Karachi Dhaka Jakarta Manila Nairobi Lagos Cairo Riyadh Tehran "
    "Baghdad Kabul Tokyo Osaka Sydney Toronto Ottawa Madrid Lisbon Rome Milan Vienna Prague "
    "Budapest Bucharest Sofia Athens Belgrade Zagreb Minsk Tbilisi Yerevan Baku Astana "
    "Tashkent Hanoi Bangkok Singapore Kuala Lumpur Colombo Kathmandu Doha Dubai Amman "
    "Beirut Tunis Algiers Rabat Dakar Accra Addis Ababa Kampala Lusaka Harare Pretoria Lima "
    "Bogota Quito Santiago Caracas"
)
ORGS = _words(
    "the Defence Ministry|the Foreign Ministry|the central bank|the Health Ministry|"
    "the United Nations|the World Bank|the European Commission|the Interior Ministry|"
    "the state news agency|the election commission|the finance ministry|"
    "the regional government|the city council|the national police|"
    "the Investigative Committee|the energy regulator|the port authority|the Kremlin|"
    "the White House|the parliament|the supreme court|the opposition party|"
    "the ruling coalition|the trade union|the chamber of commerce|"
    "the meteorological department",
    sep="|",
)
ROLES = _words(
    "presidential aide|spokesman|defence minister|foreign minister|prime minister|governor|"
    "mayor|chief executive|central bank governor|health minister|opposition leader|"
    "senior official|analyst|economist|police chief|army commander|envoy|ambassador|senator|"
    "party chairman",
    sep="|",
)
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = _words(
    "January February March April May June July August September October November December"
)
BASE_NOUNS = _words(
    "talks ceasefire strike drone missile bridge airfield delegation prisoner exchange "
    "proposal budget tariff market share price index rupee dollar oil gas pipeline election "
    "vote ballot court ruling law bill reform protest rally police arrest investigation "
    "report inquiry flood storm drought harvest crop export import deal agreement treaty "
    "summit meeting visit border troops army navy port ship cargo train railway airport "
    "flight passenger hospital vaccine outbreak virus school teacher student university "
    "factory worker wage strike union company profit loss revenue shareholder bank loan "
    "debt inflation interest rate currency reserve ministry official statement spokesman "
    "minister president leader party coalition campaign candidate poll survey region "
    "province village city capital district community resident family child children women "
    "men officials lawmakers prosecutors investigators authorities sanctions embargo aid "
    "donation fund grant project plan programme strategy policy measure"
)
BASE_VERBS = _words(
    "said announced confirmed denied reported warned urged called rejected approved signed "
    "launched opened closed blocked halted resumed expanded cut raised lowered met visited "
    "attacked targeted struck destroyed damaged repaired built proposed agreed demanded "
    "accused criticised praised welcomed condemned discussed reviewed examined investigated "
    "arrested detained released charged fined sentenced elected appointed dismissed "
    "resigned rose fell gained lost climbed dropped surged slumped recovered"
)
BASE_ADJECTIVES = _words(
    "new major key fresh early late senior former local regional national foreign domestic "
    "military civilian economic political financial public private official annual monthly "
    "weekly heavy strong weak high low large small rapid slow sharp steady direct indirect "
    "temporary permanent joint bilateral urgent critical significant modest"
)
FUNCTION_PHRASES = _words(
    "according to|in a statement|on the heels of|as well as|in response to|at least|"
    "more than|for the first time|earlier this week|later that day|on the sidelines of|"
    "in the wake of|amid concerns over|despite|following|ahead of",
    sep="|",
)
SYLLABLES = _words(
    "ka ren mo ta li so ver dan pel tor mis gra bel fen cor lan dre sta pri mon val ter nor "
    "vis cal ber tin dor gal har jun kel lum mar nel pas quin ros sen tul var wen zor bra "
    "cle fli glo pla tro"
)
SPELLING_EDITS = (
    ("Kiev", "Kyiv"),
    ("US", "U.S."),
    ("per cent", "percent"),
    ("programme", "program"),
    ("criticised", "criticized"),
    ("Defence", "Defense"),
    ("defence", "defense"),
    ("Mumbai", "Bombay"),
    ("Türkiye", "Turkey"),
    ("rupee", "Rupee"),
)
SITES = [
    f"{p} {s}"
    for p in (
        "St Petersburg",
        "Big News",
        "Northern",
        "Pacific",
        "Gulf",
        "Sydney",
        "Tri-City",
        "Valley",
        "Capital",
        "Coastal",
        "Midland",
        "Harbour",
        "Prairie",
        "Lakeside",
        "Eastern",
        "Southern",
    )
    for s in ("Star", "Herald", "Times", "Network")
]
PROMOS = (
    "Get a daily dose of {site} news through our daily email, its complimentary and keeps you "
    "fully up to date with world and business news as well.",
    "Publish news of your business, community or sports group, personnel appointments, major "
    "event and more by submitting a news release to {site}.",
    "Follow {site} on social media for breaking news alerts, video and analysis from our "
    "correspondents around the world, every day of the week.",
    "This story was republished by {site} under a licence agreement. Subscribe for unlimited "
    "access to {site} coverage from just $1 a week for the first 12 weeks.",
)
AGENCIES = {
    "ANI": "ANI is a leading multimedia news agency providing content to broadcasters, "
    "publishers and digital platforms across South Asia and the world, with more than 100 "
    "bureaus.",
    "Xinhua": "Xinhua News Agency is the official state press agency, with bureaus in every "
    "province and more than 170 offices overseas, releasing news in eight languages daily.",
    "RT.com": "Readers can share this story on social media. RT.com content is distributed to "
    "partner sites worldwide under a syndication agreement with the agency.",
    "PTI": "Press Trust of India is the largest news agency of the country, a non-profit "
    "cooperative owned by newspapers, serving more than 450 newspapers at home.",
}


# --------------------------------------------------------------------------- prose


class Prose:
    """Seeded news prose: a Zipfian pseudo-word vocabulary plus real words in news templates."""

    def __init__(self, rng: random.Random, vocabulary: int = 6000) -> None:
        self.rng = rng
        words: set[str] = set()
        while len(words) < vocabulary:
            words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4)))))
        self.words = sorted(words)
        rng.shuffle(self.words)
        self.weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(self.words))]
        self.cum = list(_accumulate(self.weights))

    def zipf_words(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=count)

    def cast(self) -> Cast:
        """The people, places and words one story (or one topic) is about."""
        rng = self.rng
        people = [
            (f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", rng.choice(ROLES))
            for _ in range(rng.randint(2, 4))
        ]
        return Cast(
            people=people,
            places=rng.sample(PLACES, 3),
            orgs=rng.sample(ORGS, 2),
            nouns=rng.sample(BASE_NOUNS, 8) + self.zipf_words(10),
            verbs=rng.sample(BASE_VERBS, 8),
            adjectives=rng.sample(BASE_ADJECTIVES, 5) + self.zipf_words(4),
        )

    def paragraph(self, cast: Cast, sentences: int) -> str:
        return " ".join(self.sentence(cast) for _ in range(sentences))

    def sentence(self, c: Cast) -> str:
        rng = self.rng
        person, role = rng.choice(c.people)
        other, other_role = rng.choice(c.people)
        pick = rng.randrange(10)
        if pick == 0:
            s = (
                f"{person}, {role}, said on {rng.choice(DAYS)} that {self.np(c)} would "
                f"{self.verb(c)} {self.np(c)} {self.pp(c)}"
            )
        elif pick == 1:
            s = (
                f"{self.np(c).capitalize()} {self.verb(c)} {self.np(c)} in {rng.choice(c.places)} "
                f"on {rng.choice(DAYS)}, according to {rng.choice(c.orgs)}"
            )
        elif pick == 2:
            s = (
                f"According to {rng.choice(c.orgs)}, {self.number()} {self.noun(c)} were "
                f"{self.verb(c)} {self.pp(c)}"
            )
        elif pick == 3:
            s = (
                f"The {self.adj(c)} {self.noun(c)} {self.verb(c)} {self.np(c)} after "
                f"{other} {self.verb(c)} {self.np(c)}"
            )
        elif pick == 4:
            s = (
                f"{person}, who {self.verb(c)} {self.np(c)} last {rng.choice(MONTHS)}, "
                f'described the {self.noun(c)} as "{self.adj(c)} and {self.adj(c)}"'
            )
        elif pick == 5:
            s = (
                f"{rng.choice(c.places)} has {self.verb(c)} {self.np(c)} since "
                f"{rng.randint(1990, 2024)}, {other}, the {other_role}, told reporters"
            )
        elif pick == 6:
            s = (
                f"In a statement, {rng.choice(c.orgs)} said {self.np(c)} {self.verb(c)} "
                f"{self.number()} per cent {self.pp(c)}"
            )
        elif pick == 7:
            s = (
                f'"{self.np(c).capitalize()} {self.verb(c)} {self.np(c)} {self.pp(c)}," '
                f"{person} said"
            )
        elif pick == 8:
            s = (
                f"{rng.choice(FUNCTION_PHRASES).capitalize()} {self.np(c)}, {self.np(c)} "
                f"{self.verb(c)} {self.np(c)} {self.pp(c)}"
            )
        else:
            s = (
                f"{self.np(c).capitalize()} is expected to {self.verb(c)} {self.np(c)} by "
                f"{rng.choice(MONTHS)}, the US and {rng.choice(c.places)} said"
            )
        return s + "."

    def np(self, c: Cast) -> str:
        rng = self.rng
        det = rng.choice(("the", "the", "a", "its", "their", "this"))
        phrase = (
            f"{det} {self.adj(c)} {self.noun(c)}"
            if rng.random() < 0.5
            else (f"{det} {self.noun(c)}")
        )
        if rng.random() < 0.3:
            phrase += f" of the {self.noun(c)}"
        return phrase

    def pp(self, c: Cast) -> str:
        prep = self.rng.choice(("in", "near", "across", "with", "for", "against", "over"))
        return f"{prep} {self.np(c)}"

    def noun(self, c: Cast) -> str:
        return self.rng.choice(c.nouns) if self.rng.random() < 0.75 else self.zipf_words(1)[0]

    def verb(self, c: Cast) -> str:
        return self.rng.choice(c.verbs) if self.rng.random() < 0.8 else self.rng.choice(BASE_VERBS)

    def adj(self, c: Cast) -> str:
        if self.rng.random() < 0.7:
            return self.rng.choice(c.adjectives)
        return self.rng.choice(BASE_ADJECTIVES)

    def number(self) -> str:
        rng = self.rng
        kind = rng.randrange(3)
        if kind == 0:
            return str(rng.randint(2, 99))
        if kind == 1:
            return f"{rng.randint(1, 999):,}"
        return f"{rng.randint(1, 99)}.{rng.randint(0, 9)}"


def _accumulate(values: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


@dataclass
class Cast:
    people: list[tuple[str, str]]
    places: list[str]
    orgs: list[str]
    nouns: list[str]
    verbs: list[str]
    adjectives: list[str]


# --------------------------------------------------------------------------- stories

REPORT_TEMPLATES: tuple[Callable[[random.Random], str], ...]


def _market(rng: random.Random) -> str:
    day, month = rng.randint(1, 28), rng.choice(MONTHS)
    gainers = rng.sample(COMPANIES, 3)
    return (
        f"Mumbai (Maharashtra) [India], {month} {day} (ANI): Indian stock markets "
        f"{rng.choice(('kicked off the week', 'ended the session', 'opened'))} on a "
        f"{rng.choice(('negative', 'positive', 'flat'))} note on {rng.choice(DAYS)}. The Sensex "
        f"{rng.choice(('fell', 'rose'))} {rng.randint(50, 900)}.{rng.randint(10, 99)} points or "
        f"{rng.randint(0, 2)}.{rng.randint(10, 99)} per cent to {rng.randint(70, 85)},"
        f"{rng.randint(100, 999)}.{rng.randint(10, 99)}, while the Nifty 50 "
        f"{rng.choice(('declined', 'advanced'))} {rng.randint(20, 300)}.{rng.randint(10, 99)} "
        f"points to {rng.randint(21, 26)},{rng.randint(100, 999)}.{rng.randint(10, 99)}.\n\n"
        f"Among the top gainers were {gainers[0]}, {gainers[1]} and {gainers[2]}, while "
        f"{rng.choice(COMPANIES)} and {rng.choice(COMPANIES)} led the losers, market data showed."
    )


SUPPORTS = ("foreign fund inflows", "a weaker dollar", "lower crude prices")


def _currency(rng: random.Random) -> str:
    return (
        f"Mumbai [India], {rng.choice(MONTHS)} {rng.randint(1, 28)} (PTI): The rupee "
        f"{rng.choice(('rose', 'fell', 'settled'))} {rng.randint(1, 40)} paise to "
        f"{rng.randint(82, 88)}.{rng.randint(10, 99)} against the US dollar in early trade on "
        f"{rng.choice(DAYS)}, forex traders said. At the interbank foreign exchange, the "
        f"domestic unit opened at {rng.randint(82, 88)}.{rng.randint(10, 99)} and traded "
        f"between {rng.randint(82, 88)}.{rng.randint(10, 99)} and {rng.randint(82, 88)}."
        f"{rng.randint(10, 99)}, supported by {rng.choice(SUPPORTS)}.\n\n"
        f"Brent crude futures were trading {rng.randint(0, 3)}.{rng.randint(10, 99)} per cent "
        f"{rng.choice(('higher', 'lower'))} at {rng.randint(60, 95)}.{rng.randint(10, 99)} dollars "
        f"per barrel, {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} of "
        f"{rng.choice(COMPANIES)} said."
    )


def _weather(rng: random.Random) -> str:
    city = rng.choice(PLACES)
    return (
        f"BEIJING, {rng.choice(MONTHS)} {rng.randint(1, 28)} (Xinhua) -- The national "
        f"meteorological centre on {rng.choice(DAYS)} renewed a "
        f"{rng.choice(('yellow', 'blue', 'orange'))} alert for "
        f"{rng.choice(('rainstorms', 'heatwaves', 'sandstorms', 'snowstorms'))} in parts of "
        f"{city}, with temperatures expected to reach {rng.randint(20, 41)} degrees Celsius and "
        f"up to {rng.randint(50, 250)} mm of rain in {rng.randint(2, 24)} hours.\n\n"
        f"Residents of {rng.choice(PLACES)} and {rng.choice(PLACES)} were advised to avoid "
        f"outdoor activities, and {rng.randint(3, 90)} flights were cancelled at the airport in "
        f"{city}, the centre said."
    )


COMPANIES = _words(
    "Infosys|Wipro|Reliance|Tata Motors|HDFC Bank|ICICI Bank|Adani Ports|Bharti Airtel|"
    "Maruti Suzuki|Sun Pharma|Titan|Asian Paints|Nestle India|Hindalco|Cipla|"
    "Larsen and Toubro|Bajaj Finance|Axis Bank|ITC|Kotak Bank|Power Grid|NTPC|ONGC|"
    "Coal India",
    sep="|",
)
REPORT_TEMPLATES = (_market, _currency, _weather)


@dataclass
class Story:
    kind: str  # "wire", "background", "brief", "report"
    paragraphs: list[str]
    agency: str
    city: str


@dataclass
class Article:
    story: int
    kind: str
    variants: tuple[str, ...]
    url: str
    text: str
    title: str = ""


@dataclass
class Corpus:
    articles: list[Article] = field(default_factory=list)
    stories: int = 0


class Generator:
    """Stories, their copies and the hard negatives, from one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.prose = Prose(self.rng)

    def wire(self, cast: Cast | None = None) -> Story:
        rng = self.rng
        cast = cast or self.prose.cast()
        paragraphs = [
            self.prose.paragraph(cast, rng.choice((1, 2, 2, 3))) for _ in range(rng.randint(3, 10))
        ]
        agency = rng.choice(list(AGENCIES))
        if rng.random() < 0.3:
            paragraphs.append(f"({agency})")
        return Story("wire", paragraphs, agency, cast.places[0])

    def background_group(self) -> list[Story]:
        """Different stories on one topic (one cast) sharing a background paragraph."""
        cast = self.prose.cast()
        background = self.prose.paragraph(cast, 3)
        stories = []
        for _ in range(self.rng.randint(2, 4)):
            story = self.wire(cast)
            story.kind = "background"
            at = self.rng.randint(1, max(1, len(story.paragraphs) - 1))
            story.paragraphs.insert(at, background)
            stories.append(story)
        return stories

    def brief(self) -> Story:
        """A short item that is half agency sign-off."""
        agency = self.rng.choice(list(AGENCIES))
        cast = self.prose.cast()
        return Story(
            "brief", [self.prose.paragraph(cast, 2), AGENCIES[agency]], agency, cast.places[0]
        )

    def report(self, template: Callable[[random.Random], str]) -> Story:
        paragraphs = template(self.rng).split("\n\n")
        if self.rng.random() < 0.5:
            paragraphs.append(AGENCIES["ANI"])
        return Story("report", paragraphs, "ANI", "Mumbai")

    def stories(self) -> list[Story]:
        """One batch of stories in the corpus mix."""
        roll = self.rng.random()
        if roll < 0.08:
            return self.background_group()
        if roll < 0.12:
            return [self.brief()]
        if roll < 0.22:
            return [self.report(self.rng.choice(REPORT_TEMPLATES))]
        return [self.wire()]

    def copy(self, story: Story, first: bool) -> tuple[str, tuple[str, ...]]:
        """One site's copy of `story`: the text and the variations applied."""
        rng = self.rng
        paragraphs = list(story.paragraphs)
        variants: list[str] = []
        if first:
            return "\n\n".join(paragraphs), ("original",)
        shape = rng.random()
        words = [len(p.split()) for p in paragraphs]
        if shape < 0.15 and sum(words[:2]) >= 40:
            variants.append("excerpt")
            text = " ".join(
                paragraphs[:2] if words[0] < 40 or rng.random() < 0.5 else paragraphs[:1]
            )
            tokens = text.split()
            cut = rng.randint(40, len(tokens)) if len(tokens) > 40 else len(tokens)
            paragraphs = [" ".join(tokens[:cut]) + ("..." if cut < len(tokens) else "")]
        elif shape < 0.35 and len(paragraphs) > 2:
            keep = rng.randint(2, len(paragraphs) - 1)
            if sum(words[:keep]) >= 40:
                variants.append("dropped-end")
                paragraphs = paragraphs[:keep]
        elif shape < 0.40 and len(paragraphs) > 3:
            variants.append("dropped-first")
            paragraphs = paragraphs[1:]
        if rng.random() < 0.10:
            variants.append("dateline")
            paragraphs[0] = (
                f"{story.city.upper()}, {rng.choice(MONTHS)} {rng.randint(1, 28)} "
                f"({story.agency}) -- {paragraphs[0]}"
            )
        if rng.random() < 0.30:
            variants.append("edits")
            paragraphs = [self.edit(p) for p in paragraphs]
        if "excerpt" not in variants and rng.random() < 0.30:
            variants.append("promo")
            paragraphs.append(rng.choice(PROMOS).format(site=rng.choice(SITES)))
        text = "\n\n".join(paragraphs)
        if rng.random() < 0.30:
            variants.append("typography")
            text = self.typography(text)
        return text, tuple(variants) or ("full",)

    def edit(self, paragraph: str) -> str:
        rng = self.rng
        for old, new in SPELLING_EDITS:
            if old in paragraph and rng.random() < 0.7:
                paragraph = paragraph.replace(old, new)
        if rng.random() < 0.15:  # a copy editor changes a word
            words = paragraph.split(" ")
            at = rng.randrange(len(words))
            if words[at].isalpha():
                words[at] = rng.choice(BASE_VERBS + BASE_ADJECTIVES)
            paragraph = " ".join(words)
        return paragraph

    def typography(self, text: str) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            text = text.replace(' "', " \u201c").replace('"', "\u201d").replace("'", "\u2019")
        if rng.random() < 0.5:
            text = text.replace(" -- ", " \u2014 ").replace(", ", ",  ")
        if rng.random() < 0.5:
            text = text.replace("\n\n", "\n \n").replace(". ", ".\u00a0")
        return "  " + text + "\n"

    def corpus(self, size: int) -> Corpus:
        rng = self.rng
        corpus = Corpus()
        while len(corpus.articles) < size:
            for story in self.stories():
                number = corpus.stories
                corpus.stories += 1
                for copy in range(rng.randint(1, 8)):
                    text, variants = self.copy(story, copy == 0)
                    site = rng.choice(SITES).lower().replace(" ", "")
                    url = f"https://www.{site}.com/news/{number}-{copy}"
                    corpus.articles.append(Article(number, story.kind, variants, url, text))
        del corpus.articles[size:]
        rng.shuffle(corpus.articles)
        return corpus


# --------------------------------------------------------------------------- scoring


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(truth: Sequence[int], predicted: Sequence[str]) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of copy pairs; also the true and predicted pair counts."""
    both = Counter(zip(truth, predicted, strict=True))
    true_pairs = sum(pairs(n) for n in Counter(truth).values())
    pred_pairs = sum(pairs(n) for n in Counter(predicted).values())
    hits = sum(pairs(n) for n in both.values())
    precision = hits / pred_pairs if pred_pairs else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    return precision, recall, true_pairs, pred_pairs


def details(articles: Sequence[Article], predicted: Sequence[str]) -> list[str]:
    """Recall per variation (did a copy join a cluster holding another copy of its story?) and
    false pairs per kind of story."""
    by_pred: dict[str, Counter[int]] = {}
    for article, label in zip(articles, predicted, strict=True):
        by_pred.setdefault(label, Counter())[article.story] += 1
    story_sizes = Counter(a.story for a in articles)
    joined: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_pairs: Counter[str] = Counter()
    kinds = {a.story: a.kind for a in articles}
    for article, label in zip(articles, predicted, strict=True):
        if story_sizes[article.story] < 2:
            continue
        for variant in article.variants:
            total[variant] += 1
            joined[variant] += by_pred[label][article.story] > 1
    for counts in by_pred.values():
        stories = sorted(counts)
        for i, a in enumerate(stories):
            for b in stories[i + 1 :]:
                key = "/".join(sorted((kinds[a], kinds[b])))
                false_pairs[key] += counts[a] * counts[b]
    lines = ["  copies joined to a cluster with another copy of their story, by variation:"]
    lines += [f"    {v:14} {joined[v] / total[v]:.4f} of {total[v]}" for v in sorted(total)]
    lines.append(
        "  false pairs by kind: "
        + (", ".join(f"{k} {n}" for k, n in sorted(false_pairs.items())) or "none")
    )
    return lines


# --------------------------------------------------------------------------- runs


_SKETCHER: Sketcher | None = None


def _prepare(text: str) -> Prepared:
    assert _SKETCHER is not None
    return _SKETCHER.prepare(text)


def _set_sketcher(sketcher: Sketcher) -> None:
    global _SKETCHER
    _SKETCHER = sketcher


def run_index(
    articles: Sequence[Article], ticks: list[float], workers: int = 0, **options: float
) -> list[str]:
    """Assign every article as the pipeline would; `ticks` gets the CPU clock at each tenth.

    With `workers`, texts are prepared (normalised, shingled, signed) in that many processes
    and matched, in order, in this one.
    """
    for name in [name for name in options if name.isupper()]:  # a module constant, for tuning
        setattr(index_module, name, options.pop(name))
    index = StoryIndex(**options)  # type: ignore[arg-type]
    labels = []
    tenth = max(1, len(articles) // 10)
    texts: Iterable[str | Prepared] = (article.text for article in articles)
    with contextlib.ExitStack() as stack:
        if workers:
            pool = stack.enter_context(
                mp.get_context("fork").Pool(workers, _set_sketcher, (index.sketcher,))
            )
            texts = pool.imap(_prepare, (article.text for article in articles), chunksize=64)
        for number, (article, text) in enumerate(zip(articles, texts, strict=True), 1):
            story = index.match(text)
            if story is None:
                story = new_story_id(article.url)
            index.add(story, text)
            labels.append(story)
            if number % tenth == 0:
                ticks.append(time.process_time())
    return labels


def run_exact(
    articles: Sequence[Article], ticks: list[float], workers: int = 0, **options: float
) -> list[str]:
    """The baseline: a story per distinct text (whitespace at the ends stripped)."""
    seen: dict[bytes, str] = {}
    labels = []
    for article in articles:
        key = sha256(article.text.strip().encode()).digest()
        labels.append(seen.setdefault(key, new_story_id(article.url)))
    return labels


CPU_FIELDS = ("ru_utime", "ru_stime")


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 1024


def _child(
    method: str,
    articles: Sequence[Article],
    workers: int,
    options: dict[str, float],
    conn: Connection,
) -> None:
    run = run_index if method.startswith("index") else run_exact
    # the corpus is input, not index state: keep the collector from walking it on every pass
    gc.collect()
    gc.freeze()
    before = _rss_kib()
    start, cpu = time.perf_counter(), time.process_time()
    ticks = [cpu]
    labels = run(articles, ticks, workers, **options)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    cpu += sum(getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f) for f in CPU_FIELDS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tenths = [later - earlier for earlier, later in pairwise(ticks)]
    conn.send((labels, elapsed, cpu, max(0, peak - before), tenths))
    conn.close()


def measure(
    method: str, articles: Sequence[Article], workers: int, options: dict[str, float]
) -> tuple[list[str], float, float, int, list[float]]:
    """Run one method in a forked child: a clean peak-RSS reading, sizes apart. CPU time
    includes the workers'; peak memory is the matching process's."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(method, articles, workers, options, child))
    process.start()
    child.close()
    labels, elapsed, cpu, grown, tenths = parent.recv()
    process.join()
    return labels, elapsed, cpu, grown, tenths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="article counts, comma-separated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--details", action="store_true", help="recall per variation, FP kinds")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes preparing texts for the index beside the one matching them "
        "(0: all in one process; the one-process run is always printed too)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a StoryIndex option (--set threshold=0.7) or, upper case, a constant of "
        "crawler.dedup.index (--set TAIL_SHARE=0.5)",
    )
    args = parser.parse_args(argv)
    options = {
        name: float(value) if "." in value else int(value)
        for name, _, value in (item.partition("=") for item in args.set)
    }
    sizes = [int(size) for size in args.sizes.split(",") if size]
    print(
        f"{'articles':>9} {'method':>11} {'precision':>9} {'recall':>7} {'true pairs':>10} "
        f"{'pred pairs':>10} {'art/s':>8} {'us/art':>7} {'cpu us':>7} {'peak MiB':>8}"
    )
    for size in sizes:
        start = time.perf_counter()
        corpus = Generator(args.seed).corpus(size)
        generated = time.perf_counter() - start
        truth = [article.story for article in corpus.articles]
        runs = [("exact-hash", 0), ("index", 0)]
        if args.workers:
            runs.append((f"index+{args.workers}w", args.workers))
        for method, workers in runs:
            labels, elapsed, cpu, grown, tenths = measure(
                method, corpus.articles, workers, options
            )
            precision, recall, true_pairs, pred_pairs = pair_scores(truth, labels)
            print(
                f"{size:>9} {method:>11} {precision:>9.4f} {recall:>7.4f} {true_pairs:>10} "
                f"{pred_pairs:>10} {size / elapsed:>8.0f} {elapsed / size * 1e6:>7.0f} "
                f"{cpu / size * 1e6:>7.0f} {grown / 1024:>8.1f}",
                flush=True,
            )
            if args.details and method == "index":
                print("\n".join(details(corpus.articles, labels)))
                per_tenth = " ".join(f"{tick / (size / 10) * 1e6:.0f}" for tick in tenths)
                print(f"  CPU us/article in each tenth of the run (flat = linear): {per_tenth}")
        print(f"  ({corpus.stories} stories; corpus generated in {generated:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
