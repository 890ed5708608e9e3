"""A deterministic, seeded generator of news-like text in English, French, Dutch and German.

The benchmarks need many documents that read like the ones the horizon engine will see, that
are all different (the pipeline drops exact duplicates), and that use the vocabulary the
classifier and the search index care about. The generator draws on three things shipped with
the project: the sentences of the starter labelled set (``examples/labelled/*.jsonl``, grouped
by language and category), the rule terms of the threat taxonomy (``taxonomy.yaml``), and the
names of states, capitals and organisations of the actor vocabulary (``entities.yaml``). It
mixes labelled sentences of one theme with sentences of other themes and with templated
sentences whose slots (a state, a capital, a region, a taxonomy term, a number, a date) make
every document unique. Region names come from ISO 3166-2 with a Zipf-like draw, so some words
are common and many are rare, as in real news.

``document(i)`` depends only on ``seed`` and ``i``: document 17 is the same whatever the size of
the batch, and a run of 2,000 documents is a prefix of a run of 10,000.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pycountry

from grandstrategy.horizon.entities import load_entities
from grandstrategy.horizon.taxonomy import load_taxonomy

LANGUAGES = ("en", "fr", "nl", "de")
LANGUAGE_SHARE = (0.40, 0.25, 0.20, 0.15)  # a Belgian reader's press review, roughly
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[«\"„“(]?[A-ZÀ-ÖØ-Þ0-9])")
_WORD = re.compile(r"\w+")
_RULE_LANGS = re.compile(r"\(([a-z, ]+)\)\s*$")

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
}

# Our own sentence frames. Slots: {state} {capital} {place} {term} {org} {n} {k} {date}.
BODY: dict[str, tuple[str, ...]] = {
    "en": (
        "Officials in {capital} said on {date} that {n} incidents linked to {term} had been "
        "recorded in {place} since January.",
        "According to a report seen by this newspaper, {state} raised the question of {term} "
        "with its partners in {org} last week.",
        "Analysts warned that {term} could spread beyond {place} within {k} months unless "
        "the authorities act quickly.",
        "A spokesperson for {org} declined to comment on the {term} allegations but said the "
        "situation in {place} was being monitored closely.",
        "Local authorities in {place} counted {n} people affected and asked {capital} for "
        "additional support.",
        "The government of {state} has set aside {n} million euros to respond to {term} over "
        "the next {k} years.",
        "Members of parliament want the minister to explain by {date} what is being done "
        "about {term}.",
        "In {place}, residents told reporters they had heard nothing from {capital} for {k} days.",
        "The case is the {k}th of its kind in {state} this year, prosecutors said.",
        "Diplomats from {state} and {org} are expected to meet in {place} on {date}.",
    ),
    "fr": (
        "Selon les autorités de {capital}, {n} incidents liés à {term} ont été recensés à "
        "{place} depuis janvier.",
        "D'après un rapport consulté par notre rédaction, {state} a soulevé la question de "
        "{term} avec ses partenaires de l'{org} la semaine dernière.",
        "Les analystes craignent que {term} ne s'étende au-delà de {place} d'ici {k} mois si "
        "rien n'est fait.",
        "Un porte-parole de l'{org} n'a pas souhaité commenter les accusations de {term}, "
        "mais la situation à {place} est suivie de près.",
        "Les autorités locales de {place} ont dénombré {n} personnes touchées et demandé "
        "l'aide de {capital}.",
        "Le gouvernement a débloqué {n} millions d'euros pour faire face à {term} au cours "
        "des {k} prochaines années, a indiqué {capital} le {date}.",
        "Des députés demandent au ministre d'expliquer d'ici le {date} ce qui est fait contre "
        "{term}.",
        "À {place}, des habitants affirment n'avoir reçu aucune nouvelle de {capital} depuis "
        "{k} jours.",
        "Il s'agit du {k}e dossier de ce type en {state} cette année, selon le parquet.",
        "Des diplomates de {state} et de l'{org} doivent se retrouver à {place} le {date}.",
    ),
    "nl": (
        "Volgens de autoriteiten in {capital} zijn sinds januari {n} incidenten in verband "
        "met {term} vastgesteld in {place}.",
        "Uit een rapport dat deze krant kon inkijken, blijkt dat {state} de kwestie van {term} "
        "vorige week aankaartte bij de partners van de {org}.",
        "Analisten waarschuwen dat {term} zich binnen {k} maanden buiten {place} kan "
        "verspreiden als de overheid niet snel optreedt.",
        "Een woordvoerder van de {org} wilde niet reageren op de beschuldigingen van {term}, "
        "maar de toestand in {place} wordt nauwlettend gevolgd.",
        "De lokale overheid in {place} telde {n} getroffen mensen en vroeg {capital} om extra "
        "steun.",
        "De regering trekt {n} miljoen euro uit om de komende {k} jaar {term} aan te pakken, "
        "zo maakte {capital} op {date} bekend.",
        "Parlementsleden willen dat de minister tegen {date} uitlegt wat er tegen {term} gebeurt.",
        "Inwoners van {place} zeggen al {k} dagen niets meer van {capital} te hebben gehoord.",
        "Het is volgens het parket al de {k}de zaak van die aard in {state} dit jaar.",
        "Diplomaten van {state} en de {org} komen op {date} samen in {place}.",
    ),
    "de": (
        "Nach Angaben der Behörden in {capital} wurden seit Januar {n} Vorfälle im "
        "Zusammenhang mit {term} in {place} registriert.",
        "Einem Bericht zufolge, der dieser Zeitung vorliegt, hat {state} das Thema {term} "
        "vergangene Woche bei den Partnern der {org} angesprochen.",
        "Fachleute warnen, dass sich {term} binnen {k} Monaten über {place} hinaus ausbreiten "
        "könnte, wenn die Behörden nicht rasch handeln.",
        "Ein Sprecher der {org} wollte sich zu den Vorwürfen wegen {term} nicht äußern, die "
        "Lage in {place} werde aber genau beobachtet.",
        "Die örtlichen Behörden in {place} zählten {n} Betroffene und baten {capital} um "
        "zusätzliche Hilfe.",
        "Die Regierung stellt {n} Millionen Euro bereit, um in den kommenden {k} Jahren gegen "
        "{term} vorzugehen, teilte {capital} am {date} mit.",
        "Abgeordnete verlangen vom Minister bis zum {date} eine Erklärung, was gegen {term} "
        "unternommen wird.",
        "Bewohner von {place} berichten, sie hätten seit {k} Tagen nichts aus {capital} gehört.",
        "Es ist nach Angaben der Staatsanwaltschaft bereits der {k}. Fall dieser Art in "
        "{state} in diesem Jahr.",
        "Diplomaten aus {state} und der {org} wollen am {date} in {place} zusammenkommen.",
    ),
}

HEADLINES: dict[str, tuple[str, ...]] = {
    "en": (
        "{state} under pressure over {term}",
        "{place}: new concerns about {term}",
        "{org} meets as {term} worries grow",
        "{capital} weighs its response to {term}",
    ),
    "fr": (
        "{state} sous pression face à {term}",
        "{place} : nouvelles inquiétudes autour de {term}",
        "Réunion de l'{org} sur fond de {term}",
        "{capital} prépare sa réponse à {term}",
    ),
    "nl": (
        "{state} onder druk door {term}",
        "{place}: nieuwe zorgen over {term}",
        "{org} vergadert over {term}",
        "{capital} beraadt zich over {term}",
    ),
    "de": (
        "{state} wegen {term} unter Druck",
        "{place}: neue Sorgen wegen {term}",
        "{org} berät über {term}",
        "{capital} sucht Antwort auf {term}",
    ),
}


@dataclass(frozen=True)
class Vocabulary:
    """What the generator draws from, per language."""

    categories: tuple[str, ...]
    sentences: dict[str, dict[str, tuple[str, ...]]]  # language -> category -> sentences
    pooled: dict[str, tuple[str, ...]]  # language -> every sentence
    terms: dict[str, dict[str, tuple[str, ...]]]  # language -> category -> rule terms
    states: dict[str, tuple[tuple[str, str], ...]]  # language -> (name, capital)
    orgs: dict[str, tuple[str, ...]]  # language -> short organisation names
    places: tuple[str, ...]  # region names, most frequent first (drawn Zipf-like)


def _split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 25]


def _labelled() -> Iterator[dict[str, object]]:
    folder = resources.files("grandstrategy.examples").joinpath("labelled")
    for lang in LANGUAGES:
        for line in folder.joinpath(f"{lang}.jsonl").read_text("utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def _rule_languages(name: str | None, declared: list[str] | None) -> set[str] | None:
    """The languages a rule's terms are written in, from ``languages`` or the name's suffix;
    None for a rule of shared words ("(all)")."""
    if declared:
        return set(declared)
    m = _RULE_LANGS.search(name or "")
    if not m or m.group(1).strip() == "all":
        return None
    return {code.strip() for code in m.group(1).split(",")}


@cache
def vocabulary() -> Vocabulary:
    """The generator's material, read once from the packaged data files."""
    by_lang: dict[str, dict[str, list[str]]] = {lang: {} for lang in LANGUAGES}
    words: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for rec in _labelled():
        lang = str(rec["language"])
        text = str(rec["text"])
        words[lang].update(w.lower() for w in _WORD.findall(text))
        labels = rec.get("labels") or ["none"]
        assert isinstance(labels, list)
        for sentence in _split_sentences(text):
            for label in labels:
                by_lang[lang].setdefault(str(label), []).append(sentence)
    taxonomy = load_taxonomy()
    terms: dict[str, dict[str, list[str]]] = {lang: {} for lang in LANGUAGES}
    for cat in taxonomy.categories:
        for rule in cat.rules:
            if rule.weight < 2:
                continue  # context words do not make a headline
            langs = _rule_languages(rule.name, rule.languages)
            for term in rule.any:
                plain = term.replace("*", "")
                twords = [w.lower() for w in _WORD.findall(plain)]
                for lang in LANGUAGES:
                    if langs is not None and lang not in langs:
                        continue
                    if langs is None and not any(w in words[lang] for w in twords):
                        continue  # a shared-words rule: keep the terms this language uses
                    terms[lang].setdefault(cat.id, []).append(plain)
    data = load_entities()
    states: dict[str, list[tuple[str, str]]] = {lang: [] for lang in LANGUAGES}
    for st in data.states:
        for lang in LANGUAGES:
            names = getattr(st.names, lang) or st.names.en
            capitals = getattr(st.capitals, lang) or st.capitals.en
            if names and capitals:
                states[lang].append((names[0].text, capitals[0].text))
    orgs: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for org in data.organisations:
        for lang in LANGUAGES:
            aliases = [a.text for a in getattr(org.aliases, lang)]
            short = [a for a in aliases if a.isupper() and 2 <= len(a) <= 6]
            if short:
                orgs[lang].append(short[0])
    places = sorted({s.name for s in pycountry.subdivisions if " " not in s.name})
    random.Random(11).shuffle(places)  # rank in the Zipf draw, fixed by seed
    return Vocabulary(
        categories=tuple(c.id for c in taxonomy.categories),
        sentences={lang: {c: tuple(v) for c, v in cats.items()} for lang, cats in by_lang.items()},
        pooled={
            lang: tuple(dict.fromkeys(s for v in cats.values() for s in v))
            for lang, cats in by_lang.items()
        },
        terms={lang: {c: tuple(v) for c, v in cats.items()} for lang, cats in terms.items()},
        states={lang: tuple(v) for lang, v in states.items()},
        orgs={lang: tuple(v) for lang, v in orgs.items()},
        places=tuple(places),
    )


class Composer:
    """Sentences, passages and documents from one random stream (``rng``)."""

    def __init__(self, rng: random.Random, vocab: Vocabulary | None = None) -> None:
        self.rng = rng
        self.v = vocab or vocabulary()
        n = len(self.v.places)
        # Zipf-like cumulative weights over the places: rank r has weight 1 / (r + 1).
        self._place_cum: list[float] = []
        total = 0.0
        for r in range(n):
            total += 1.0 / (r + 1)
            self._place_cum.append(total)
        self._months = {lang: MONTHS[lang].split() for lang in LANGUAGES}

    def language(self) -> str:
        return self.rng.choices(LANGUAGES, LANGUAGE_SHARE)[0]

    def theme(self, lang: str) -> str:
        cats = [c for c in self.v.categories if c in self.v.sentences[lang]]
        return self.rng.choice(cats)

    def place(self) -> str:
        return self.rng.choices(self.v.places, cum_weights=self._place_cum)[0]

    def date_text(self, lang: str) -> str:
        d = self.rng.randint(1, 28)
        m = self._months[lang][self.rng.randrange(12)]
        return {"en": f"{d} {m}", "fr": f"{d} {m}", "nl": f"{d} {m}", "de": f"{d}. {m}"}[lang]

    def _slots(self, lang: str, theme: str) -> dict[str, str]:
        rng = self.rng
        state, capital = rng.choice(self.v.states[lang])
        terms = (
            self.v.terms[lang].get(theme)
            or self.v.terms[lang][rng.choice(list(self.v.terms[lang]))]
        )
        return {
            "state": state,
            "capital": capital,
            "place": self.place(),
            "term": rng.choice(terms),
            "org": rng.choice(self.v.orgs[lang]),
            "n": str(rng.randint(2, 4000)),
            "k": str(rng.randint(2, 19)),
            "date": self.date_text(lang),
        }

    def templated(self, lang: str, theme: str) -> str:
        return self.rng.choice(BODY[lang]).format(**self._slots(lang, theme))

    def headline(self, lang: str, theme: str) -> str:
        text = self.rng.choice(HEADLINES[lang]).format(**self._slots(lang, theme))
        return text[0].upper() + text[1:]

    def sentence(self, lang: str, theme: str) -> str:
        """A labelled sentence of the theme (60 %), of any theme (20 %) or a templated one."""
        roll = self.rng.random()
        if roll < 0.6 and theme in self.v.sentences[lang]:
            return self.rng.choice(self.v.sentences[lang][theme])
        if roll < 0.8:
            return self.rng.choice(self.v.pooled[lang])
        return self.templated(lang, theme)

    def paragraph(self, lang: str, theme: str, sentences: int, used: set[str] | None = None) -> str:
        """``sentences`` sentences; with ``used``, none of those already in it (three tries)."""
        out: list[str] = []
        for _ in range(sentences):
            s = self.sentence(lang, theme)
            for _retry in range(3):
                if used is None or s not in used:
                    break
                s = self.sentence(lang, theme)
            if used is not None:
                used.add(s)
            out.append(s)
        return " ".join(out)

    def body(self, lang: str, theme: str, words: int) -> str:
        """Paragraphs of two to five sentences until about ``words`` words."""
        paragraphs: list[str] = []
        count = 0
        used: set[str] = set()
        while count < words:
            para = self.paragraph(lang, theme, self.rng.randint(2, 5), used)
            paragraphs.append(para)
            count += para.count(" ") + 1
        return "\n\n".join(paragraphs)


SOURCES = (
    "wire-europe",
    "le-soir",
    "de-standaard",
    "faz",
    "politico-eu",
    "nrc",
    "le-monde",
    "think-tank-notes",
    "parliament-questions",
    "embassy-cables",
)


DAYS = 2400  # publication dates spread over this many days from 1 January 2020


def document(i: int, *, seed: int = 0, words: int = 500, days: int = DAYS) -> dict[str, object]:
    """The ``i``-th generated document as a JSONL record (``language`` is the truth, kept under
    ``expected_language`` so that the pipeline has to detect it). ``days``: how many days
    the publication dates spread over (3,000 documents over 2,400 days are a quiet feed,
    over 10 days a busy news desk's, where each document has hundreds of neighbours)."""
    rng = random.Random(f"{seed}:{i}")
    c = Composer(rng)
    lang = c.language()
    theme = c.theme(lang)
    text = c.body(lang, theme, rng.randint(words - words // 10, words + words // 10))
    title = c.headline(lang, theme)
    day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(max(1, days)))
    return {
        "title": title,
        "text": text,
        "date": day.isoformat(),
        "url": f"https://news.example/{lang}/{i}",
        "source": rng.choice(SOURCES),
        "expected_language": lang,
        "theme": theme,
    }


def documents(
    n: int, *, seed: int = 0, words: int = 500, days: int = DAYS
) -> list[dict[str, object]]:
    """``n`` distinct documents (a repeat, however unlikely, is replaced by a fresh draw)."""
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    i = 0
    while len(out) < n:
        rec = document(i, seed=seed, words=words, days=days)
        i += 1
        digest = hashlib.sha256(str(rec["text"]).encode()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        out.append(rec)
    return out


@dataclass(frozen=True)
class StoredDocument:
    """A document as the search benchmark stores it directly: passages already cut."""

    language: str
    theme: str
    title: str
    passages: list[str]
    published: dt.date
    source: str


def stored_documents(n_passages: int, *, seed: int = 0) -> Iterator[StoredDocument]:
    """Documents of 4 to 16 passages (2 to 6 sentences each, about 500 characters) until
    ``n_passages`` passages; fast enough for a million passages in well under a minute."""
    rng = random.Random(f"stored:{seed}")
    c = Composer(rng)
    made = 0
    start = dt.date(2015, 1, 1).toordinal()
    while made < n_passages:
        lang = c.language()
        theme = c.theme(lang)
        k = min(rng.randint(4, 16), n_passages - made)
        used: set[str] = set()
        passages = [c.paragraph(lang, theme, rng.randint(2, 6), used) for _ in range(k)]
        made += k
        yield StoredDocument(
            language=lang,
            theme=theme,
            title=c.headline(lang, theme),
            passages=passages,
            published=dt.date.fromordinal(start + rng.randrange(4300)),
            source=rng.choice(SOURCES),
        )


def to_jsonl(records: list[dict[str, object]]) -> bytes:
    return ("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n").encode("utf-8")


def write_jsonl(path: Path, n: int, *, seed: int = 0, days: int = DAYS) -> Path:
    path.write_bytes(to_jsonl(documents(n, seed=seed, days=days)))
    return path


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Write a generated JSONL corpus.")
    ap.add_argument("path", type=Path)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--days", type=int, default=DAYS, help="days the publication dates spread over")
    args = ap.parse_args()
    write_jsonl(args.path, args.docs, seed=args.seed, days=args.days)
    print(f"wrote {args.docs} documents to {args.path}")
