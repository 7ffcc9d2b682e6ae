"""Group short texts (survey comments, concerns, pulse comments) into themes a person can name.

Spherical k-means over the engine's sentence vectors, with k chosen by silhouette, then each
theme named by the words that set it apart (class-based TF-IDF). Deterministic: the same
texts give the same themes, so a page does not reshuffle on reload.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from careloop.empathy.features import Matrix
from careloop.empathy.semantic import embed_texts

_WORD = re.compile(r"[a-z][a-z']{2,}")
_STOPWORD_TEXT = """
about above after again against all also and any are aren't because been before being
below between both but can can't cannot could couldn't did didn't does doesn't doing don't
down during each even ever every few for from further get got had hadn't has hasn't have
haven't having her here hers herself him himself his how i'm i've into isn't it's its
itself just let's like more most much must mustn't myself name nor not now off once only
other our ours ourselves out over own really same she she'll she's should shouldn't some
still such than that that's the their theirs them themselves then there there's these they
they're this those through too under until very was wasn't way well were weren't what
what's when where which while who whom why will with won't would wouldn't you you'd you'll
you're you've your yours yourself yourselves one two three yes thanks thank please also
again just lot lots get got really would could [name] email link number phone
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class Theme:
    label: str
    keywords: tuple[str, ...]
    members: tuple[int, ...]  # indexes into the texts given
    centroid: Matrix


def _kmeans(vectors: Matrix, k: int, iterations: int = 30) -> tuple[np.ndarray, Matrix]:
    rng = np.random.default_rng(0)
    # k-means++ seeding on cosine distance.
    centroids = [vectors[int(rng.integers(len(vectors)))]]
    for _ in range(1, k):
        distance = 1 - np.max(vectors @ np.array(centroids).T, axis=1)
        distance = np.clip(distance, 0, None) ** 2
        total = distance.sum()
        pick = int(rng.choice(len(vectors), p=distance / total)) if total > 0 else 0
        centroids.append(vectors[pick])
    centres = np.array(centroids, dtype=np.float32)
    assignment = np.zeros(len(vectors), dtype=np.int64)
    for _ in range(iterations):
        new_assignment = np.argmax(vectors @ centres.T, axis=1)
        if _ and np.array_equal(new_assignment, assignment):
            break
        assignment = new_assignment
        for cluster in range(k):
            members = vectors[assignment == cluster]
            if len(members):
                mean = members.sum(axis=0)
                centres[cluster] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return assignment, centres


def _silhouette(vectors: Matrix, assignment: np.ndarray, sample: int = 400) -> float:
    rng = np.random.default_rng(1)
    picked = rng.permutation(len(vectors))[:sample]
    vectors, assignment = vectors[picked], assignment[picked]
    distance = 1 - vectors @ vectors.T
    scores = []
    for row, cluster in enumerate(assignment):
        own = assignment == cluster
        if own.sum() < 2:
            scores.append(0.0)
            continue
        inner = distance[row, own].sum() / (own.sum() - 1)
        outer = min(
            (distance[row, assignment == other].mean() for other in set(assignment) - {cluster}),
            default=0.0,
        )
        scores.append((outer - inner) / max(inner, outer, 1e-12))
    return float(np.mean(scores))


def _keywords(texts: Sequence[str], groups: list[list[int]], count: int) -> list[tuple[str, ...]]:
    per_group = [
        Counter(
            w for i in group for w in set(_WORD.findall(texts[i].lower())) if w not in _STOPWORDS
        )
        for group in groups
    ]
    overall = Counter[str]()
    for words in per_group:
        overall.update(words)
    average = sum(len(group) for group in groups) / max(len(groups), 1)
    names = []
    for words, group in zip(per_group, groups, strict=True):
        scored = {
            word: (seen / len(group)) * np.log(1 + average / overall[word])
            for word, seen in words.items()
            if seen >= 2 or len(group) < 4
        }
        names.append(tuple(sorted(scored, key=lambda w: (-scored[w], w))[:count]))
    return names


def find_themes(
    texts: Sequence[str], *, min_size: int = 3, max_themes: int = 8, keyword_count: int = 3
) -> list[Theme]:
    """Themes of at least `min_size` texts, largest first; texts that fit none are left out.

    Texts should already be scrubbed of personal data (scrub.scrub_personal_data).
    """
    usable = [i for i, text in enumerate(texts) if _WORD.search(text.lower())]
    if len(usable) < min_size:
        return []
    vectors = embed_texts([texts[i] for i in usable])
    best: tuple[float, np.ndarray, Matrix] | None = None
    for k in range(1, min(max_themes, len(usable) // min_size) + 1):
        assignment, centres = _kmeans(vectors, k)
        score = _silhouette(vectors, assignment) if k > 1 else 0.05
        if best is None or score > best[0]:
            best = (score, assignment, centres)
    assert best is not None
    _, assignment, centres = best
    groups = [
        [usable[row] for row in np.flatnonzero(assignment == cluster)]
        for cluster in range(len(centres))
    ]
    kept = [(group, centres[c]) for c, group in enumerate(groups) if len(group) >= min_size]
    kept.sort(key=lambda entry: -len(entry[0]))
    keywords = _keywords(texts, [group for group, _ in kept], keyword_count)
    return [
        Theme(
            label=", ".join(words).capitalize() if words else "Other",
            keywords=words,
            members=tuple(group),
            centroid=centre,
        )
        for (group, centre), words in zip(kept, keywords, strict=True)
    ]


def nearest_theme(
    text_vectors: Matrix, centroids: Matrix, min_similarity: float = 0.5
) -> list[int]:
    """For each text vector, the index of the closest centroid, or -1 if none is close enough.

    Lets stored, renamed themes keep collecting new texts without re-clustering.
    """
    if len(centroids) == 0:
        return [-1] * len(text_vectors)
    similarity = text_vectors @ centroids.T
    best = np.argmax(similarity, axis=1)
    return [
        int(index) if similarity[row, index] >= min_similarity else -1
        for row, index in enumerate(best)
    ]
