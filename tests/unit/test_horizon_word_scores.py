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


def _written_by_definition(term, folded):
    """Every place tried one by one, as ``wordforms._written`` was first written."""
    n = len(term.words)
    wanted = [wordforms.fold(w) for w in term.words]
    found = []
    for i in range(len(folded) - n + 1):
        head_ok = all(folded[i + k] == wanted[k] for k in range(n - 1))
        last = folded[i + n - 1]
        ok = last.startswith(wanted[-1]) if term.prefix else last == wanted[-1]
        if head_ok and ok:
            found += [(i + k, 1.0) for k in range(n)]
    return found


def test_written_terms_found_as_by_their_definition():
    rng = random.Random(7)
    vocab = ["a", "ab", "abc", "b", "ba", "c"]
    queries = ['"a"', "ab*", '"a a"', '"a b"', '"a ab*"', '"a a a"', '"b a c"', "a*", '"zz"']
    for _ in range(400):
        folded = rng.choices(vocab, k=rng.randint(0, 25))
        for q in queries:
            (term,) = search.parse(q)
            assert wordforms._written(term, folded) == _written_by_definition(term, folded)


def _snippet_by_definition(terms, text, language):
    """The extract as first written: every word located, then the best window."""
    toks = wordforms.tokens(text)
    hits = sorted({i for found in wordforms._positions(terms, toks, language) for i, _ in found})
    if not toks:
        return wordforms.Snippet(text[:300], 0, [])
    best, best_n, size = 0, -1, wordforms.SNIPPET_TOKENS
    for i in hits or [0]:
        lo = max(0, min(i - size // 3, len(toks) - size))
        n = sum(1 for h in hits if lo <= h < lo + size)
        if n > best_n:
            best, best_n = lo, n
    first, last = best, min(len(toks), best + size) - 1
    start = 0 if first == 0 else toks[first][1]
    end = len(text) if last == len(toks) - 1 else toks[last][2]
    matches = [(toks[h][1] - start, toks[h][2] - start) for h in hits if first <= h <= last]
    return wordforms.Snippet(text[start:end], start, matches)


def test_snippets_as_by_their_definition():
    rng = random.Random(13)
    vocab = [w for t in TEXTS for w in t.split()] + ["drone", "Drones", "cyber", "é", "a"] * 3
    texts = TEXTS + [" ".join(rng.choices(vocab, k=rng.randint(0, 120))) for _ in range(300)]
    for query in [*QUERIES, "a", '"a drone"', "cyb*", "drone OR a"]:
        terms = search.parse(query)
        for text in texts:
            for lang in ("en", "de"):
                got = wordforms.snippet(terms, text, lang)
                assert got == _snippet_by_definition(terms, text, lang), (query, text)


def test_a_snippet_given_its_words_is_the_same_and_survives_wrong_ones():
    terms = search.parse("drone")
    for text in TEXTS:
        folded = list(wordforms.words(text))
        assert wordforms.snippet(terms, text, "en", folded) == wordforms.snippet(terms, text, "en")
    text = TEXTS[0]
    assert wordforms.snippet(terms, text, "en", ["drone"] * 50) == wordforms.snippet(
        terms, text, "en"
    )
