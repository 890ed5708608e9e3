"""Stories: which documents report the same event (pure functions, no database).

Trends must count events, not articles: ten wires on one cable cut are one story. Two
signals decide whether a new document belongs to an existing story:

* **near-duplicates** — MinHash over word 3-shingles estimates the Jaccard overlap of two
  texts; a re-published wire or a lightly edited copy is joined at once;
* **meaning** — the cosine of the two documents' vectors (the multilingual sentence encoder
  when installed, so a French and a Dutch report of one event meet; hashed character
  n-grams otherwise), plus a little weight for shared actors.

A document is compared only with documents published within ``WINDOW_DAYS`` of it, so a
second cyber attack on the same grid a month later is a new story, not the old one grown.
A story's score against a document blends its best and its average member (single link
alone chains unrelated events together, average link alone misses the one close report).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

WINDOW_DAYS = 7
HEAD_CHARS = 1500  # a document is compared by its title and opening, not its whole text
PERMUTATIONS = 64
NEAR_DUPLICATE = 0.5  # estimated Jaccard of 3-shingles above which two texts are copies
CHAR_DIM = 2048
_BLOCK = 256  # rows of a similarity matrix computed at once (memory: rows x columns x 64)
_MATRIX_FROM = 16  # members from which a story's links are computed as matrices
_FOLLOW = 32  # reached members whose links are followed at once (rows of one matrix)


@dataclass(frozen=True)
class Tuning:
    """Thresholds for one kind of vector, chosen on the labelled story set
    (``benchmarks/stories.py``): encoder cosines run higher than character n-gram ones."""

    join: float  # story score above which a document joins a story
    merge: float  # a document scoring this high with two stories merges them
    split: float  # members with no link this strong to the rest of their story split off
    actor_weight: float  # weight of shared actors (Jaccard) added to the cosine


ENCODER = Tuning(join=0.60, merge=0.67, split=0.40, actor_weight=0.15)
CHARS = Tuning(join=0.50, merge=0.57, split=0.35, actor_weight=0.30)


def tuning(dim: int) -> Tuning:
    return CHARS if dim == CHAR_DIM else ENCODER


_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20261205)
_A = _rng.integers(1, _PRIME, PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)
_MUL, _MIX1, _MIX2 = (
    np.uint64(1_000_003),
    np.uint64(0xBF58476D1CE4E5B9),
    np.uint64(0x94D049BB133111EB),
)
_S27, _S30, _S31, _DIM = np.uint64(27), np.uint64(30), np.uint64(31), np.uint64(CHAR_DIM)
_P, _S61 = np.uint64(_PRIME), np.uint64(61)


@dataclass
class Item:
    """What the clustering knows of a document."""

    document_id: int
    published: dt.date
    vector: np.ndarray  # float32, unit length
    signature: np.ndarray  # uint32, PERMUTATIONS values
    actors: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Decision:
    """Where a new document goes: a story (or None: a new one), how, and stories to merge."""

    story: int | None
    how: str
    similarity: float
    merge: list[int] = field(default_factory=list)


# Combining marks of the Basic Multilingual Plane: the accents NFKD splits off ("ï" -> "i" +
# U+0308), deleted by one pattern (a translation table looked every character up: 2x slower).
_MARKS = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(0x10000) if unicodedata.combining(chr(c))) + "]+"
)


def head_text(title: str, text: str) -> str:
    """What a document is compared by: its title and opening."""
    return f"{title}. {text[:HEAD_CHARS]}"


def words(text: str) -> list[str]:
    """Case- and accent-folded words (so 'Kyïv' and 'Kyiv' shingle alike)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    if not folded.isascii():
        folded = _MARKS.sub("", folded)
    return _WORD.findall(folded)


def features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The MinHash signature and the character n-gram vector of ``text`` (its words folded
    once for both)."""
    w = words(text)
    return signature(text, w), char_vector(text, w)


def signature(text: str, folded: list[str] | None = None) -> np.ndarray:
    """MinHash signature of the text's word 3-shingles (universal hashing, fixed seed).

    For two texts the share of equal positions estimates the Jaccard overlap of their
    shingle sets (Broder 1997). ``folded``: the text's ``words``, when already known."""
    w = (words(text) if folded is None else folded) or [""]
    ids = np.fromiter((zlib.crc32(x.encode()) for x in w), dtype=np.uint64, count=len(w))
    m = max(1, len(w) - 2)
    pad = np.concatenate([ids, np.zeros(2, dtype=np.uint64)])  # a text of under 3 words
    shingles = (pad[:m] * _MUL + pad[1 : m + 1]) * _MUL + pad[2 : m + 2]  # wraps at 2**64
    hashes = np.unique(shingles & np.uint64(0xFFFFFFFF))
    # (a·x + b) mod p for every permutation and shingle (the product wraps at 2**64 first,
    # which still mixes well); the minimum per permutation. x mod 2**61-1 is taken as
    # (x & p) + (x >> 61), less p once if that reaches p: the same value, without a division.
    mixed = np.outer(_A, hashes) + _B[:, None]
    mixed = (mixed & _P) + (mixed >> _S61)
    mixed = np.where(mixed >= _P, mixed - _P, mixed)
    return np.asarray(mixed.min(axis=1) & np.uint64(0xFFFFFFFF), dtype=np.uint32)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return int(np.count_nonzero(a == b)) / a.size  # the share of equal positions


def char_vector(text: str, folded: list[str] | None = None) -> np.ndarray:
    """Hashed character 3–5-grams of the folded text, unit length: the fallback meaning
    vector when no sentence encoder is installed (it needs no corpus statistics, so no
    document's vector depends on another's). ``folded``: the text's ``words``, if known."""
    t = " " + " ".join(words(text) if folded is None else folded) + " "
    codes = np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    vec = np.zeros(CHAR_DIM, dtype=np.float32)
    for n in (3, 4, 5):
        m = len(codes) - n + 1
        if m <= 0:
            continue
        # A polynomial hash of each n-gram for all positions at once (wrapping at 2**64),
        # then mixed (splitmix64's finaliser) so that the low bits spread evenly.
        h = np.full(m, n, dtype=np.uint64)
        for j in range(n):
            h = h * _MUL + codes[j : j + m]
        h ^= h >> _S30
        h *= _MIX1
        h ^= h >> _S27
        h *= _MIX2
        h ^= h >> _S31
        vec += np.bincount((h % _DIM).astype(np.intp), minlength=CHAR_DIM).astype(np.float32)
    norm = float(np.linalg.norm(vec))
    return np.asarray(vec / norm if norm else vec, dtype=np.float32)


def similarity(a: Item, b: Item) -> float:
    """Meaning similarity of two documents in [0, ~1.15]; 1.0 for near-duplicates."""
    if jaccard(a.signature, b.signature) >= NEAR_DUPLICATE:
        return 1.0
    cos = float(a.vector @ b.vector) if a.vector.shape == b.vector.shape else 0.0
    if a.actors and b.actors:
        cos += (
            tuning(len(a.vector)).actor_weight * len(a.actors & b.actors) / len(a.actors | b.actors)
        )
    return cos


def similarities(rows: Sequence[Item], cols: Sequence[Item]) -> np.ndarray:
    """``similarity(r, c)`` of every row item with every column item, as one matrix (the
    same values, up to float32 rounding, at numpy's speed instead of one call a pair)."""
    n, m = len(rows), len(cols)
    out = np.zeros((n, m), dtype=np.float64)
    if not n or not m:
        return out
    row_dims = np.array([len(r.vector) for r in rows])
    col_dims = np.array([len(c.vector) for c in cols])
    for dim in set(row_dims.tolist()):  # vectors of another kind do not compare: cosine 0
        ri, ci = np.flatnonzero(row_dims == dim), np.flatnonzero(col_dims == dim)
        if len(ci):
            left = np.stack([rows[i].vector for i in ri.tolist()])
            out[np.ix_(ri, ci)] = left @ np.stack([cols[j].vector for j in ci.tolist()]).T
    names = frozenset().union(*(it.actors for it in rows), *(it.actors for it in cols))
    if names:  # shared actors (Jaccard), weighted for the row item's kind of vector
        index = {a: k for k, a in enumerate(sorted(names))}
        ra, ca = _actor_matrix(rows, index), _actor_matrix(cols, index)
        inter = (ra @ ca.T).toarray()
        rn = np.asarray(ra.sum(axis=1)).reshape(-1, 1)
        cn = np.asarray(ca.sum(axis=1)).reshape(1, -1)
        weight = np.array([tuning(len(r.vector)).actor_weight for r in rows])[:, None]
        both = (rn > 0) & (cn > 0)
        out += np.where(both, weight * inter / np.where(both, rn + cn - inter, 1.0), 0.0)
    rs, cs = np.stack([r.signature for r in rows]), np.stack([c.signature for c in cols])
    for k in range(0, n, _BLOCK):  # near-duplicates: 1.0 (rows in blocks: n x m x 64 bytes)
        equal = np.count_nonzero(rs[k : k + _BLOCK, None, :] == cs[None, :, :], axis=2)
        near = equal / rs.shape[1] >= NEAR_DUPLICATE
        out[k : k + _BLOCK][near] = 1.0
    return out


Similar = Callable[[Item, Sequence[Item]], Sequence[float] | np.ndarray]


def each_similarity(item: Item, members: Sequence[Item]) -> list[float]:
    """``similarity`` of ``item`` with each of ``members``, one pair at a time."""
    return [similarity(item, m) for m in members]


class Links:
    """``each_similarity`` for the items of ``rows`` with those of ``cols``, computed
    beforehand as one matrix (``similarities``: the same values up to float32 rounding).

    Items are known by document id; a pair outside the matrix is computed alone. The matrix
    is made ``_BLOCK`` rows at a time, when a row of the block is first asked for, so a
    large story's split check holds one block of it in memory, not the whole square."""

    def __init__(self, rows: Sequence[Item], cols: Sequence[Item]) -> None:
        self.rows, self.cols = list(rows), list(cols)
        self.row_of = {it.document_id: i for i, it in enumerate(self.rows)}
        self.col_of = {it.document_id: j for j, it in enumerate(self.cols)}
        self._first = -1  # the first row of the block computed
        self._block = np.zeros((0, 0))  # its rows of the matrix

    def row(self, item: Item) -> np.ndarray | None:
        """``item``'s links with every column, or None when it is not a row."""
        i = self.row_of.get(item.document_id)
        if i is None:
            return None
        start = i - i % _BLOCK
        if self._first != start:
            self._block = similarities(self.rows[start : start + _BLOCK], self.cols)
            self._first = start
        links: np.ndarray = self._block[i - start]
        return links

    def __call__(self, item: Item, members: Sequence[Item]) -> Sequence[float] | np.ndarray:
        links = self.row(item)
        if links is None:
            return each_similarity(item, members)
        idx = [self.col_of.get(m.document_id, -1) for m in members]
        sims: np.ndarray = links[idx]
        for k, j in enumerate(idx):
            if j < 0:
                sims[k] = similarity(item, members[k])
        return sims


def score_links(sims: np.ndarray) -> tuple[float, str]:
    """A story's score from a document's links with its members in window (not empty)."""
    return blend(float(sims.max()), float(sims.mean()))


def blend(best: float, mean: float) -> tuple[float, str]:
    """A story's score from a document's best and mean link with its members in window."""
    if best >= 1.0:
        return 1.0, "near-duplicate"
    return 0.5 * best + 0.5 * mean, "similar"


def _actor_matrix(items: Sequence[Item], index: dict[str, int]) -> Any:
    """Items × actors as a sparse matrix: 1.0 where the item names the actor."""
    import scipy.sparse as sp  # type: ignore[import-untyped]  # here: the CLI starts without it

    counts = np.fromiter(map(len, (it.actors for it in items)), np.int64, len(items))
    named = chain.from_iterable(it.actors for it in items)
    cols = np.fromiter(map(index.__getitem__, named), np.int64, int(counts.sum()))
    indptr = np.concatenate([[0], np.cumsum(counts)])
    return sp.csr_matrix((np.ones(len(cols)), cols, indptr), shape=(len(items), len(index)))


def story_score(
    item: Item, members: Sequence[Item], similar: Similar = each_similarity
) -> tuple[float, str]:
    """Blend of best and average link between a document and a story's members in window.
    ``similar``: how the links are computed (a lookup in a matrix made beforehand, say)."""
    near = [m for m in members if abs((m.published - item.published).days) <= WINDOW_DAYS]
    if not near:
        return 0.0, "similar"
    return score_links(np.asarray(similar(item, near), dtype=np.float64))


def decide(item: Item, stories: Mapping[int, Sequence[Item]]) -> Decision:
    """The story a new document joins (the best above ``JOIN``), and any it bridges."""
    return choose(item, [(story_score(item, members), sid) for sid, members in stories.items()])


def choose(item: Item, scores: Iterable[tuple[tuple[float, str], int]]) -> Decision:
    """``decide``, given each story's score (``story_score``) as ((score, how), story)."""
    scored = sorted(scores, key=lambda x: (-x[0][0], x[1]))
    t = tuning(len(item.vector))
    if not scored or scored[0][0][0] < t.join:
        return Decision(None, "founded", 1.0)
    (best, how), sid = scored[0]
    merge = [other for (s, _h), other in scored[1:] if s >= t.merge] if best >= t.merge else []
    return Decision(sid, how, best, merge)


def split_groups(members: Sequence[Item]) -> list[list[int]]:
    """Connected groups of a story's members under links of at least the split threshold.

    One group means the story holds together; several mean it chained distinct events
    and should split. Indices into ``members``, the group of the earliest first."""
    n = len(members)
    if not n:
        return []
    cut = tuning(len(members[0].vector)).split
    group = _linked_matrix(members, cut) if n >= _MATRIX_FROM else _linked_pairs(members, cut)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(int(group[i]), []).append(i)
    return sorted(groups.values(), key=lambda g: min((members[i].published, i) for i in g))


def _linked_pairs(members: Sequence[Item], cut: float) -> list[int]:
    """A name for each member's group (union-find over every pair): a small story."""
    n = len(members)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if similarity(members[i], members[j]) >= cut:
                parent[root(i)] = root(j)
    return [root(i) for i in range(n)]


def _linked_matrix(members: Sequence[Item], cut: float) -> np.ndarray:
    """The same for a large story, by a search from each group's first member: a block of
    the members reached but not yet followed is compared, as a matrix, with the members
    not reached yet, and those it links to join the group.

    The groups are the same as over every pair (they are the graph's connected parts), but
    a story that holds together, the usual case, is reached in a few blocks, each compared
    with fewer members than the last: a few times ``n x _FOLLOW`` links computed, where the
    whole matrix took ``n x n`` (2,048 members around one event: 0.44 s before, 6 ms now).
    Only members of separate groups are all compared, as they must be to show no link."""
    n = len(members)
    group = np.full(n, -1)
    left = np.arange(n)  # members not reached yet, in order
    while len(left):
        first = int(left[0])
        group[first], left = first, left[1:]
        queue = [first]  # reached, not yet followed
        while queue and len(left):
            block, queue = queue[:_FOLLOW], queue[_FOLLOW:]
            sims = similarities([members[i] for i in block], [members[j] for j in left.tolist()])
            reached = (sims >= cut).any(axis=0)
            if reached.any():
                found = left[reached]
                group[found] = first
                queue += found.tolist()
                left = left[~reached]
    return group


def cluster(items: Sequence[Item]) -> dict[int, int]:
    """Cluster a batch in publication order, as arrivals would (document id -> story key).

    The same decision rule as the database service, for evaluation and tests."""
    stories: dict[int, list[Item]] = {}
    where: dict[int, int] = {}
    for it in sorted(items, key=lambda x: (x.published, x.document_id)):
        d = decide(it, stories)
        sid = it.document_id if d.story is None else d.story
        stories.setdefault(sid, []).append(it)
        for other in d.merge:
            for m in stories.pop(other):
                stories[sid].append(m)
                where[m.document_id] = sid
        where[it.document_id] = sid
    return where


def bcubed(predicted: dict[int, int], truth: dict[int, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998; Amigó et al. 2009).

    For each item: precision is the share of its predicted cluster that shares its true
    event; recall, the share of its true event inside its predicted cluster; averaged."""
    by_pred: dict[int, set[int]] = {}
    by_true: dict[str, set[int]] = {}
    for d, c in predicted.items():
        by_pred.setdefault(c, set()).add(d)
    for d, t in truth.items():
        by_true.setdefault(t, set()).add(d)
    ps, rs = [], []
    for d in truth:
        same = by_pred[predicted[d]] & by_true[truth[d]]
        ps.append(len(same) / len(by_pred[predicted[d]]))
        rs.append(len(same) / len(by_true[truth[d]]))
    p, r = float(np.mean(ps)), float(np.mean(rs))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
