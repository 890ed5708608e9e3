"""Keyword scores worked out in bulk (``wordforms.words`` and ``wordforms.scores``, the fast
path of search ranking) equal the word-by-word definition, whatever the text holds."""

from __future__ import annotations

import random

from grandstrategy.horizon import search, wordforms

TEXTS = [
    "Drones crossed the border; the drone operator was arrested.",
    "Une cyberattaque a paralysé les serveurs du ministère de l'Intérieur.",
    "Die Straße nach Kyjiw war gesperrt: Drohnenangriffe auf Öl-Depots.",
    "De cyberaanval op de haven van Antwerpen legde de terminals stil.",
    "Microsoft™ Windows servers were hit; ½ of them rebooted. ΣΑΣ ΑΣ'Β.",
    "Decomposed accents: cafe\u0301 noir, e\u0301te\u0301, İstanbul, Ŀlobregat.",
    "snake_case and A-B-C, 3.5 km, l’État « souverain » — fin…",
    "",
]
QUERIES = [
    "drone",
    "cyber attack",
    '"drone operator"',
    "cyber*",
    '"cyber"',
    "état souverain",
    "strasse -kyjiw",
    "haven OR terminals",
]


def reference(terms, text: str, language: str) -> float:
    """The score as first defined: every word folded and weighed one by one."""
    toks = wordforms.tokens(text)
    norm = wordforms.K1 * (1 - wordforms.B + wordforms.B * len(toks) / wordforms.AVERAGE_TOKENS)
    total = 0.0
    for found in wordforms._positions(terms, toks, language):
        tf = sum(w for _, w in found)
        if tf:
            total += tf * (wordforms.K1 + 1) / (tf + norm)
    return round(total, 6)


def test_words_are_the_folded_tokens():
    rng = random.Random(11)
    alphabet = [chr(c) for c in range(32, 127)] + list(
        "àéèêëïîôöüûçñßæøœłđĳŀĿ½¼™₨µ²ªİıΣσς\u0301\u0327’«»—…ﬁ"
    )
    samples = TEXTS + ["".join(rng.choices(alphabet, k=rng.randint(1, 40))) for _ in range(3000)]
    for text in samples:
        assert list(wordforms.words(text)) == [w for w, _, _ in wordforms.tokens(text)], text


def test_bulk_scores_equal_the_word_by_word_score():
    rows = [(t, lang) for t in TEXTS for lang in ("en", "fr", "nl", "de")]
    for query in QUERIES:
        terms = search.parse(query)
        assert wordforms.scores(terms, rows) == [reference(terms, t, lang) for t, lang in rows]
        assert wordforms.score(terms, TEXTS[0], "en") == reference(terms, TEXTS[0], "en")
