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


def random_members(n, seed, dims=(2048,)):
    """Members around a few events: alike within one, some near-duplicates, shared actors;
    ``dims``: the kinds of vectors mixed in (encoder and character n-grams)."""
    import datetime as dt

    rng = np.random.default_rng(seed)
    centres = {d: rng.normal(size=(4, d)) for d in dims}
    wires = rng.integers(0, 10**6, (4, S.PERMUTATIONS)).astype(np.uint32)
    cast = [["state:RU", "org:NATO"], ["state:BE"], ["org:EU", "state:FR"], ["state:CN"]]
    out = []
    for i in range(n):
        dim, event = dims[i % len(dims)], int(rng.integers(4))
        v = centres[dim][event] + rng.normal(scale=1.3, size=dim)
        sig = rng.integers(0, 10**6, S.PERMUTATIONS).astype(np.uint32)
        if rng.random() < 0.15:  # a wire copied: most of the event's signature
            sig[:50] = wires[event][:50]
        actors = rng.choice(cast[event], rng.integers(0, len(cast[event]) + 1), replace=False)
        out.append(
            S.Item(
                document_id=i,
                published=dt.date(2026, 3, 1) + dt.timedelta(days=int(rng.integers(0, 20))),
                vector=(v / np.linalg.norm(v)).astype(np.float32),
                signature=sig,
                actors=frozenset(actors.tolist()),
            )
        )
    return out


@pytest.mark.parametrize("dims", [(2048,), (384,), (384, 2048)])
def test_the_similarity_matrix_is_the_pairwise_similarity(dims):
    members = random_members(40, seed=len(dims), dims=dims)
    matrix = S.similarities(members[:25], members)
    pairwise = np.array([[S.similarity(a, b) for b in members] for a in members[:25]])
    assert np.allclose(matrix, pairwise, atol=1e-6)
    assert (matrix == 1.0).sum() > 25  # near-duplicates (and each member with itself) count


def partition(groups):
    out = {}
    for name, i in zip(groups, range(len(groups)), strict=True):
        out.setdefault(int(name), set()).add(i)
    return sorted(sorted(g) for g in out.values())


@pytest.mark.parametrize("n", [16, 40, 300, 600])
def test_a_large_story_splits_as_it_would_pair_by_pair(n):
    """Past ``_MATRIX_FROM`` members the links come from the similarity matrix (600 crosses
    a block of 256 rows): the groups are those of the union-find over every pair."""
    members = random_members(n, seed=n)
    cut = S.tuning(2048).split
    by_pairs = partition(S._linked_pairs(members, cut))
    assert partition(S._linked_matrix(members, cut)) == by_pairs
    assert 1 < len(by_pairs) < n  # the set has both links and separate groups
    assert sorted(sorted(g) for g in S.split_groups(members)) == by_pairs


@pytest.mark.parametrize("events", [1, 2])
def test_a_large_story_holds_or_splits_by_its_events_without_comparing_all_pairs(
    events, monkeypatch
):
    """2,000 members from one tight event stay one group; from two events chained into one
    story, they come apart into exactly those two. Members are followed a block at a time:
    an event is reached in a few blocks, and only the pairs across the two events (which
    must all be compared to show that no link joins them) add to that."""
    rng = np.random.default_rng(7)
    members = random_members(2000, seed=7)
    centres = rng.normal(size=(events, 2048))
    for i, m in enumerate(members):
        v = centres[i % events] + rng.normal(scale=0.02, size=2048)
        m.vector = (v / np.linalg.norm(v)).astype(np.float32)
        m.signature = rng.integers(0, 10**6, S.PERMUTATIONS).astype(np.uint32)  # no copies
        m.actors = frozenset()
    compared = []
    real = S.similarities

    def counted(rows, cols):
        compared.append(len(rows) * len(cols))
        return real(rows, cols)

    monkeypatch.setattr(S, "similarities", counted)
    groups = S.split_groups(members)
    assert [sorted({i % events for i in g}) for g in groups] == [[e] for e in range(events)]
    assert sorted(len(g) for g in groups) == [2000 // events] * events
    across = 1000 * 1000 if events == 2 else 0
    assert sum(compared) < across + 2000 * 3 * S._FOLLOW  # all pairs: 4,000,000


def test_links_made_beforehand_are_the_pairwise_ones_block_by_block(monkeypatch):
    """``Links``: the rows of a matrix, made a block of rows at a time when first asked
    for; what the matrix lacks is computed a pair at a time."""
    members = random_members(600, seed=7)
    outsider = random_members(1, seed=8)[0]
    outsider.document_id = 10_000
    blocks = []
    real = S.similarities

    def counted(rows, cols):
        blocks.append(len(rows))
        return real(rows, cols)

    monkeypatch.setattr(S, "similarities", counted)
    similar = S.Links(members, members[:300])
    asked = [members[0], members[5], members[300], members[599], members[1]]
    for item in asked:
        got = np.asarray(similar(item, [*members[290:300], outsider, *members[:3]]))
        want = [S.similarity(item, m) for m in [*members[290:300], outsider, *members[:3]]]
        assert np.allclose(got, want, atol=1e-6)
    # rows 0-255, then 256-511, then 512-599; row 1 again: a block computed anew
    assert blocks == [S._BLOCK, S._BLOCK, 600 - 2 * S._BLOCK, S._BLOCK]
    # an item that is not a row is compared a pair at a time, without a block
    pairwise = [S.similarity(outsider, m) for m in members[:4]]
    assert np.allclose(similar(outsider, members[:4]), pairwise)
    # a story's score from the matrix is the pairwise one (row 3: block 0, made already)
    for story in (members[:300], members[100:160]):
        score, how = S.story_score(members[3], story, similar)
        plain_score, plain_how = S.story_score(members[3], story)
        assert how == plain_how
        assert score == pytest.approx(plain_score, abs=1e-6)
    assert blocks == [S._BLOCK, S._BLOCK, 600 - 2 * S._BLOCK, S._BLOCK]
