"""The fast story features give exactly what the plain definitions give.

Stored members keep their MinHash signatures, and a new document is compared with them, so
a faster way to compute one must not change a single value: these are the definitions the
signatures were first written with (a translation table for accents, a modulo for the
prime), kept here as the reference."""

import unicodedata
import zlib

import numpy as np
import pytest

from grandstrategy.horizon import stories as S

TEXTS = [
    "Kyïv: drones struck the grid overnight; Zaporizhzhia's plant lost off-site power.",
    "La Sûreté de l'État signale une cyberattaque contre des hôpitaux à Liège et à Mons.",
    "Die Bundeswehr übt mit Großgerät; Straßen in Köln gesperrt, Ärger über Lärm.",
    "De Nederlandse marine volgde een Russisch schip bij de kabels in de Noordzee.",
    "ǅemal İstanbul ſtraße ΣΟΦΊΑ ﬁnance Ⅻ x² — mixed folds and compatibility forms",
    "",
    "one",
    "two words",
    "word " * 400,
]
_MARKS = {c: None for c in range(0x10000) if unicodedata.combining(chr(c))}


def plain_words(text):
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_MARKS)
    return S._WORD.findall(folded)


def plain_signature(text):
    w = plain_words(text) or [""]
    ids = np.fromiter((zlib.crc32(x.encode()) for x in w), dtype=np.uint64, count=len(w))
    m = max(1, len(w) - 2)
    pad = np.concatenate([ids, np.zeros(2, dtype=np.uint64)])
    shingles = (pad[:m] * S._MUL + pad[1 : m + 1]) * S._MUL + pad[2 : m + 2]
    hashes = np.unique(shingles & np.uint64(0xFFFFFFFF))
    mixed = (np.outer(S._A, hashes) + S._B[:, None]) % np.uint64(S._PRIME)
    return np.asarray(mixed.min(axis=1) & np.uint64(0xFFFFFFFF), dtype=np.uint32)


@pytest.mark.parametrize("text", TEXTS)
def test_words_and_signature_are_those_of_the_plain_definitions(text):
    assert S.words(text) == plain_words(text)
    assert np.array_equal(S.signature(text), plain_signature(text))
    signature, chars = S.features(text)
    assert np.array_equal(signature, plain_signature(text))
    assert np.array_equal(chars, S.char_vector(text))


def test_accents_fold_away():
    assert S.words("Kyïv Liège Köln") == ["kyiv", "liege", "koln"]
