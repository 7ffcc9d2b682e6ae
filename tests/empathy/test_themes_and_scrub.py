import numpy as np

from careloop.empathy.scrub import scrub_personal_data
from careloop.empathy.semantic import embed_texts, rank_by_similarity
from careloop.empathy.themes import find_themes, nearest_theme

DELIVERY = [
    "The parcel arrived late again",
    "My order never arrived, the courier lost it",
    "Shipping was so slow, the parcel came a week late",
    "Courier left my parcel in the rain",
]
REFUNDS = [
    "The refund took forever",
    "Still waiting for my money back",
    "Refund not processed after a month",
    "I want my money back, the refund is stuck",
]


def test_comments_about_the_same_thing_share_a_theme() -> None:
    themes = find_themes(DELIVERY + REFUNDS)
    grouped = {frozenset(theme.members) for theme in themes}
    assert frozenset(range(4)) in grouped
    assert frozenset(range(4, 8)) in grouped


def test_a_theme_is_named_by_the_words_that_set_it_apart() -> None:
    themes = find_themes(DELIVERY + REFUNDS)
    delivery = next(theme for theme in themes if 0 in theme.members)
    assert "parcel" in delivery.keywords


def test_too_few_texts_make_no_theme() -> None:
    assert find_themes(["Late parcel", "Slow refund"]) == []


def test_new_texts_join_the_nearest_stored_theme_or_none() -> None:
    themes = find_themes(DELIVERY + REFUNDS)
    centroids = np.array([theme.centroid for theme in themes])
    delivery_index = next(i for i, theme in enumerate(themes) if 0 in theme.members)
    vectors = embed_texts(["The courier never delivered my parcel", "qqqq zzzz"])
    assert nearest_theme(vectors, centroids)[0] == delivery_index
    assert nearest_theme(vectors, centroids, min_similarity=0.99)[1] == -1


def test_similar_meaning_ranks_first_even_with_other_words() -> None:
    candidates = embed_texts(["How to reset your password", "Where is my parcel?"])
    [(best, _)] = rank_by_similarity("my delivery has not come", candidates, limit=1)
    assert best == 1


def test_personal_data_is_replaced_before_analysis() -> None:
    scrubbed = scrub_personal_data(
        "Hi Sarah, ring +44 20 7946 0958 or write to bob@example.com, "
        "card 4111 1111 1111 1111. Thanks, Tom Jones. Priya was great.",
        names=["Priya Patel"],
    )
    for leaked in ("Sarah", "7946", "bob@", "4111", "Tom", "Jones", "Priya"):
        assert leaked not in scrubbed
    assert "[email]" in scrubbed and "[phone]" in scrubbed and "[name]" in scrubbed


def test_ordinary_words_after_a_greeting_word_survive() -> None:
    assert scrub_personal_data("thanks for nothing") == "thanks for nothing"
