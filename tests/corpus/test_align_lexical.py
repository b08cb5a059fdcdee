"""The lexical aligner's mechanics on small inputs, lenient bead files and the vecalign scorer."""

from __future__ import annotations

import numpy as np
import pytest

from mt.corpus.align.api import align_presplit
from mt.corpus.align.base import DEFAULT_METHOD, Bead, get_aligner
from mt.corpus.align.beads import check_beads, parse_beads, read_beads
from mt.corpus.align.lexdp import Band
from mt.corpus.align.lexical import align_sentences, check_code, path_share, training_beads
from mt.corpus.align.model1 import train
from mt.corpus.align.score import score_files, score_vecalign
from mt.corpus.align.tokens import load_glossary, skeleton, word_keys, words
from mt.errors import UserError

EN = [
    "The Ministry of Foreign Affairs of Azerbaijan issued a statement on 12 May 2023.",
    "Minister Jeyhun Bayramov met the delegation in Baku.",
    "The parties discussed the peace treaty and the opening of transport links.",
    "They agreed to meet again in Geneva in June.",
    "Talks will continue next week.",
    "The statement was published on the website.",
]
RU = [
    "Министерство иностранных дел Азербайджана 12 мая 2023 года распространило заявление.",
    "Министр Джейхун Байрамов встретился с делегацией в Баку.",
    "Стороны обсудили мирный договор и открытие транспортных коммуникаций.",
    "Они договорились снова встретиться в Женеве в июне.",
    "Переговоры продолжатся на следующей неделе.",
    "Заявление опубликовано на сайте.",
]


def kinds(beads: list[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.tgt) for b in beads]


def test_default_method_is_lexical_and_gale_church_stays() -> None:
    assert DEFAULT_METHOD == "lexical"
    assert get_aligner().name == "lexical"
    assert get_aligner("gale-church").name == "gale-church"


def test_one_to_one_with_confidences() -> None:
    beads = align_sentences(EN, RU, "en", "ru")
    assert kinds(beads) == [((i,), (i,)) for i in range(6)]
    assert all(b.score is not None and 0.0 <= b.score <= 1.0 for b in beads)


def test_null_bead_for_an_untranslated_sentence() -> None:
    extra = "Справочно: в 2019 году товарооборот составил 1 254 700 долларов США по данным ГТК."
    ru = [*RU[:3], extra, *RU[3:]]
    beads = align_sentences(EN, ru, "en", "ru")
    check_beads(beads, len(EN), len(ru))
    assert ((), (3,)) in kinds(beads)
    assert ((3,), (4,)) in kinds(beads)


def test_many_to_one() -> None:
    ru = [*RU[:3], RU[3].rstrip(".") + ", а " + RU[4][0].lower() + RU[4][1:], RU[5]]
    beads = align_sentences(EN, ru, "en", "ru")
    assert ((3, 4), (3,)) in kinds(beads)
    assert ((5,), (4,)) in kinds(beads)


def test_transliterated_names_share_keys() -> None:
    for a, b, la, lb in [
        ("Baku", "Баку", "en", "ru"),
        ("Aliyev", "Алиев", "en", "ru"),
        ("Əliyev", "Алиев", "az", "ru"),
        ("Jabrayil", "Cəbrayıl", "en", "az"),
    ]:
        assert set(word_keys(a, la)) & set(word_keys(b, lb)), (a, b)
    assert skeleton("Khankendi") == skeleton("Xankəndi", "az") == skeleton("Ханкенди")
    assert word_keys("10000") == [f"n:{10000}"]
    assert words("10 000 and 8,000") == ["10000", "and", "8000"]


def test_glossary_seeds_entries() -> None:
    gl = load_glossary()
    en = gl.keys(words("the Ministry of Foreign Affairs said"), "en")
    ru = gl.keys(words("Министерства иностранных дел заявило"), "ru")
    assert set(en) & set(ru)


def test_model1_learns_from_pairs() -> None:
    pairs = [
        ("la maison bleue".split(), "the blue house".split()),
        ("la maison".split(), "the house".split()),
        ("la fleur".split(), "the flower".split()),
        ("une fleur bleue".split(), "a blue flower".split()),
    ]
    table = train(pairs, iterations=15).table()
    assert table["maison"][0][0] == "house"
    assert table["bleue"][0][0] == "blue"


@pytest.mark.parametrize(("src_lang", "tgt_lang"), [("de", "fr"), ("en", "is"), ("fra", "ell")])
def test_any_language_pair(src_lang: str, tgt_lang: str) -> None:
    src = ["Der Everest ist 8848 m hoch.", "Die Expedition begann 1956.", "Sie war erfolgreich."]
    tgt = ["L'Everest mesure 8848 m.", "L'expédition commença en 1956.", "Elle réussit."]
    for method in ("lexical", "gale-church"):
        beads = align_presplit(src, tgt, src_lang, tgt_lang, method)
        check_beads(beads, 3, 3)
    assert kinds(align_presplit(src, tgt, src_lang, tgt_lang)) == [((i,), (i,)) for i in range(3)]


def test_bad_codes_and_empty_input() -> None:
    with pytest.raises(UserError, match="invalid language code"):
        check_code("english!")
    assert check_code("pt-BR") == "pt"
    assert align_sentences([], [], "en", "ru") == []
    beads = align_sentences(["Only here."], [], "en", "de")
    assert kinds(beads) == [((0,), ())]


def _synthetic(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    src, tgt = [], []
    for _ in range(n):
        ids = rng.integers(0, 3000, size=int(rng.integers(4, 16)))
        src.append(" ".join(f"w{i}" for i in ids) + ".")
        tgt.append(" ".join(f"v{i}x" for i in ids) + ".")
    return src, tgt


def test_band_is_linear_in_the_document() -> None:
    """The searched cells grow linearly: a band around a path, not the full matrix."""
    n = 3000
    path = [Bead((i,), (i,)) for i in range(n)]
    band = Band.around(path, n, n, 20)
    cells = int((band.hi - band.lo + 1).sum())
    assert cells <= (n + 1) * (2 * 20 + 3)
    src, tgt = _synthetic(1500)
    beads = align_sentences(src, tgt, "xx", "yy")
    assert kinds(beads) == [((i,), (i,)) for i in range(1500)]


# ---------------------------------------------------------------- lenient beads and scorer


def test_lenient_reading_accepts_published_gold(tmp_path) -> None:
    lines = ["[0]:[0]", "[2,4]:[1]", "[1]:[2]", "[]:[]", "[3]:[]", "[5]:[3,4]:0.5"]
    with pytest.raises(UserError):
        parse_beads(lines)
    beads = parse_beads(lines, lenient=True)
    assert kinds(beads) == [((0,), (0,)), ((2, 4), (1,)), ((1,), (2,)), ((3,), ()), ((5,), (3, 4))]
    path = tmp_path / "gold.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(read_beads(path, 6, 5, lenient=True)) == 5
    with pytest.raises(UserError, match="beyond"):
        read_beads(path, 6, 4, lenient=True)


def test_vecalign_scorer_counts() -> None:
    gold = [Bead((0,), (0,)), Bead((1, 2), (1,)), Bead((3,), ()), Bead((4,), (2,))]
    pred = [Bead((0,), (0,)), Bead((1,), (1,)), Bead((2,), ()), Bead((3,), ()), Bead((4,), (2,))]
    s = score_vecalign([(gold, pred)])
    # precision over all 5 predicted beads: hits 0-0, [3]:[], 4-2 (null beads count here)
    assert s["strict"]["precision"] == pytest.approx(3 / 5)
    # recall over gold beads with both sides (3) against predicted ones with both sides
    assert s["strict"]["recall"] == pytest.approx(2 / 3)
    # lax: [1]:[1] overlaps gold [1,2]:[1]; [2]:[] has no target and misses
    assert s["lax"]["precision"] == pytest.approx(4 / 5)
    assert s["lax"]["recall"] == pytest.approx(1.0)
    assert score_vecalign([(gold, gold)])["strict"]["f1"] == 1.0


def test_score_files(tmp_path) -> None:
    g = tmp_path / "gold.txt"
    t = tmp_path / "test.txt"
    g.write_text("[0]:[0]\n[1,3]:[1]\n[2]:[2]\n", encoding="utf-8")
    t.write_text("[0]:[0]\n[1]:[1]\n[2]:[2]\n[3]:[]\n", encoding="utf-8")
    out = score_files([g], [t])
    assert out["precision_strict"] == pytest.approx(2 / 4)
    assert out["recall_strict"] == pytest.approx(2 / 3)
    assert out["documents"] == 1 and out["gold_beads"] == 3 and out["test_beads"] == 4
    with pytest.raises(UserError):
        score_files([g], [])


def test_type_prior_adapts_to_the_previous_path() -> None:
    from mt.corpus.align.lexical import TYPE_PROBS, _type_penalties

    path = [Bead((2 * k, 2 * k + 1), (k,)) for k in range(50)]
    prior = _type_penalties(TYPE_PROBS, path, [], 100.0)
    adapted = _type_penalties(TYPE_PROBS, path, [0.9] * len(path), 100.0)
    doubtful = _type_penalties(TYPE_PROBS, path, [0.1] * len(path), 100.0)
    assert prior[(2, 1)] == pytest.approx(-np.log(TYPE_PROBS[(2, 1)] / sum(TYPE_PROBS.values())))
    assert adapted[(2, 1)] < doubtful[(2, 1)] < prior[(2, 1)] and adapted[(1, 1)] > prior[(1, 1)]


def test_training_beads_break_flat_similarity_ties_by_length_fit() -> None:
    """A keys-only pass of en-ru leaves every z at 0: length fit, not position, must decide."""
    path = [Bead((i,), (i,)) for i in range(6)] + [Bead((6, 7), (6,))]
    lens = [3.0, 2.5, 0.1, 2.0, 0.2, 0.3, 0.0]
    flat = training_beads(path, [0.0] * 7, lens, share=0.5)
    assert flat == [path[2], path[4], path[5]]  # not the document's first three
    zs = [0.1, 2.0, 0.5, float("nan"), 1.0, 0.5, 9.0]
    ranked = training_beads(path, zs, lens, share=0.5)
    assert ranked == [path[1], path[4], path[2]]  # z first; 0.5 vs 0.5: the better length
    assert training_beads(path, zs, lens, share=1.0)[-1] == path[3]  # no z: last
    assert training_beads(path, zs, lens, share=0.5, multi=True)[0] == path[6]


def test_path_share_follows_the_path_and_shrinks_toward_the_base() -> None:
    """A long path trains on what looks aligned; a statement's short path keeps the base."""
    long_path = [Bead((i,), (i,)) for i in range(1000)] + [Bead((1000, 1001), (1000,))]
    zs = [1.0] * 900 + [-1.0] * 100 + [5.0]  # 90% of the 1-1 beads look aligned
    share = path_share(long_path, zs, 0.7, 100.0)
    assert share == pytest.approx((70 + 900) / 1100)
    short = long_path[:10]
    assert abs(path_share(short, [1.0] * 10, 0.7, 100.0) - 0.7) < 0.03
    assert path_share(short, [float("nan")] * 10, 0.7, 100.0) == 0.7
    assert path_share(long_path, zs, 0.7, 0.0) == 0.7  # off


def test_batched_costs_match_direct_dot_products() -> None:
    from mt.corpus.align import lexdp

    rng = np.random.default_rng(0)
    n, m = 40, 37
    u, v = rng.normal(size=(n, 8)).astype(np.float32), rng.normal(size=(m, 8)).astype(np.float32)
    doc = lexdp.Document(u, v, rng.integers(5, 80, n), rng.integers(5, 80, m))
    band = lexdp.Band.full(n, m)
    dots = lexdp.CrossDots(doc, band)
    pos = np.arange(3, 20)
    win = dots.window(5, 9, pos)  # rows i - a for i = 5..8, a = 1..4
    direct = np.cumsum(u.astype(np.float64) @ v.astype(np.float64).T, axis=1)
    assert np.allclose(win[2, 1], direct[7 - 2, pos - 1], atol=1e-4)
    params = lexdp.Params(penalties={k: 1.0 for k in lexdp.BEAD_TYPES}, null_cost=1.0)
    types = lexdp._Types(params)
    batch = lexdp.match_costs(1, n + 1, 0, m, doc, dots, params, types)
    for i in (1, 3, 17, n):
        one = lexdp.match_costs(i, i + 1, 0, m, doc, dots, params, types)
        for got, want in zip(batch, one, strict=True):
            assert np.allclose(got[i - 1], want[0], equal_nan=True)


# ---------------------------------------------------------------- null runs and sparse vectors


def _bundle_pair(src_lang: str, tgt_lang: str) -> tuple[list[str], list[str], list[Bead]]:
    """The bundled gold documents of one pair, concatenated, with their gold beads."""
    from pathlib import Path

    from mt.corpus.align.priors import gold_documents

    src: list[str] = []
    tgt: list[str] = []
    gold: list[Bead] = []
    corpus = Path(__file__).resolve().parents[2] / "corpora"
    for d in gold_documents(corpus, [(src_lang, tgt_lang)]):
        ds, dt = len(src), len(tgt)
        gold += [Bead(tuple(i + ds for i in b.src), tuple(j + dt for j in b.tgt)) for b in d.beads]
        src += [s for para in d.src for s in para]
        tgt += [t for para in d.tgt for t in para]
    return src, tgt, gold


#: Page furniture an OCR'd or web-scraped rendering carries and its source does not.
CAPTIONS = [
    "Фото:", "пресс-служба", "—", "стр. 4", "* * *", "12", "Архив", "Фото: МИД", "см. также",
    "2", "—", "Источник:", "ред.", "14:05",
]  # fmt: skip


def test_a_run_of_caption_lines_stays_unaligned() -> None:
    """Fourteen short unmatched lines are one cheap null run; the rest aligns as without them."""
    from mt.corpus.align.lexical import Config

    src, tgt, gold = _bundle_pair("en", "ru")
    assert len(src) >= 80
    clean = align_sentences(src, tgt, "en", "ru")
    assert score_vecalign([(gold, clean)])["strict"]["f1"] > 0.97
    k = clean[len(clean) // 2].tgt[0]  # the captions go in at a bead boundary
    noisy = tgt[:k] + CAPTIONS + tgt[k:]
    shift = len(CAPTIONS)
    want = [(b.src, tuple(j + shift if j >= k else j for j in b.tgt)) for b in clean]
    want += [((), (k + c,)) for c in range(shift)]
    got = align_sentences(src, noisy, "en", "ru")
    check_beads(got, len(src), len(noisy))
    assert sorted(kinds(got)) == sorted(want)
    # each null priced one by one (the old model), the run spills into its neighbours
    flat = align_sentences(src, noisy, "en", "ru", config=Config(null_extend=None))
    assert sorted(kinds(flat)) != sorted(want)


def _chain_reference(x: np.ndarray, open_: float, ext: np.ndarray) -> np.ndarray:
    """``min(X[j], min_{j' < j} X[j'] + open + ext[j'+1] + ... + ext[j-1])``, by brute force."""
    out = x.copy()
    for j in range(len(x)):
        for s in range(j):
            out[j] = min(out[j], x[s] + open_ + ext[s + 1 : j].sum())
    return out


def test_affine_null_chain_matches_brute_force() -> None:
    from mt.corpus.align import lexdp

    rng = np.random.default_rng(3)
    for _ in range(50):
        w = int(rng.integers(1, 12))
        x = rng.uniform(0, 20, w)
        x[rng.random(w) < 0.3] = np.inf
        ext = rng.uniform(0, 4, w + 1)
        open_ = float(rng.uniform(2, 8))
        cum = np.concatenate(([0.0], np.cumsum(ext[:w]), [0.0]))
        best, start = lexdp._chain(x, np.full(w, open_), cum)
        assert np.allclose(best, _chain_reference(x, open_, ext), equal_nan=True)
        for j in np.flatnonzero(start >= 0):  # the run's start explains the cost
            s = start[j]
            assert best[j] == pytest.approx(x[s] + open_ + ext[s + 1 : j].sum())


def test_sparse_vectors_give_the_dense_window_norms_and_cosines() -> None:
    import scipy.sparse as sp

    from mt.corpus.align.vectors import shifted_cosines, window_norms

    rng = np.random.default_rng(1)
    dense = rng.normal(size=(30, 16)) * (rng.random((30, 16)) < 0.3)
    other = rng.normal(size=(25, 16)) * (rng.random((25, 16)) < 0.3)
    assert np.allclose(window_norms(sp.csr_matrix(dense)), window_norms(dense))
    rows, cols = np.arange(20), np.arange(20)
    got = shifted_cosines(sp.csr_matrix(dense), sp.csr_matrix(other), rows, cols, (0, 3))
    want = shifted_cosines(dense, other, rows, cols, (0, 3))
    for g, w in zip(got, want, strict=True):
        assert np.allclose(g, w)


def test_boundary_cues_and_their_costs() -> None:
    from mt.corpus.align.boundaries import CUES, boundary_costs, cue_classes, used_boundaries

    sents = [
        "Die erfolgreichen Bergsteiger waren :",
        "Hartog , J. Brown und Dr. Tom Patey .",
        "Erstersteigung 1933 durch B.M .",
        "Abalakow , seitdem wiederholt besucht .",
        "« Bär !",
        "» und mit ein paar spöttischen Bemerkungen .",
        "1956 , S. 340-343 ) .",
        "Ein ganzer Satz ohne Ende",
        "Noch ein Satz .",
        "'I will go to the kitchen,' she said.",
        "'He will be pleased.'",
        "'Why is it impossible?",
    ]
    got = [CUES[k] for k in cue_classes(sents)[1:-1]]
    assert got == [
        "ends_colon", "plain", "ends_short", "plain", "next_lower", "next_digit", "plain",
        "no_final", "plain", "plain", "turn",
    ]  # fmt: skip
    # a path that never splits after a colon makes such a split dear, a plain one cheap
    classes = np.array([-1] + [3, 0] * 30 + [-1])
    path = []
    i = 0
    while i < 61:
        if classes[i + 1] == 3:
            path.append(Bead((i, i + 1), (len(path),)))
            i += 2
        else:
            path.append(Bead((i,), (len(path),)))
            i += 1
    used = used_boundaries(path, 61, 0)
    assert used[61] and not used[1] and used[2]
    costs = boundary_costs(classes, used)
    assert costs[1] > 1.0 and costs[2] < 0 and costs[0] == costs[61] == 0.0
    assert np.all(boundary_costs(classes, used, weight=0.0) == 0.0)


# ---------------------------------------------------------------- anchors across a split

SPLIT_EN = [
    "On 9 May 1956 the expedition reached the summit together with the Sherpa Gyalzen (No.",
    "57) and on 11 May Kato and Higeta followed them to the top.",
    "They returned to the base camp on 14 May, tired but unharmed.",
]
SPLIT_RU = [
    "9 мая 1956 года экспедиция достигла вершины вместе с шерпой Гьялценом (№ 57).",
    "11 мая за ними на вершину поднялись Като и Хигета.",
    "В базовый лагерь они вернулись 14 мая, усталые, но невредимые.",
]


def test_a_number_split_off_by_the_splitter_joins_its_beads() -> None:
    """ "(No." / "57)": the DP alone pairs the fragments one to one; the anchor joins them."""
    from mt.corpus.align.lexical import Config

    assert kinds(align_sentences(SPLIT_EN, SPLIT_RU, "en", "ru")) == [
        ((0, 1), (0, 1)), ((2,), (2,)),
    ]  # fmt: skip
    plain = align_sentences(SPLIT_EN, SPLIT_RU, "en", "ru", config=Config(anchor_max_df=0))
    assert kinds(plain) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


def _anchor_join(src: list[str], tgt: list[str], beads, **kw) -> list:
    from mt.corpus.align.anchors import join_split_anchors
    from mt.corpus.align.tokens import analyse, load_glossary

    glossary = load_glossary()
    ts, tt = analyse(src, "en", glossary, 6), analyse(tgt, "ru", glossary, 6)
    return kinds(join_split_anchors([Bead(s, t, 0.9) for s, t in beads], ts, tt, **kw))


def test_anchor_join_needs_balance_rarity_and_no_block_start() -> None:
    one_one = [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    joined = [((0, 1), (0, 1)), ((2,), (2,))]
    assert _anchor_join(SPLIT_EN, SPLIT_RU, one_one, max_df=5) == joined
    # a block (paragraph anchor) starts at source sentence 1: never joined across it
    assert _anchor_join(SPLIT_EN, SPLIT_RU, one_one, max_df=5, block_starts={1}) == one_one
    # the number already balanced in each bead: nothing to join
    balanced = [SPLIT_RU[0].replace("(№ 57)", ""), "№ 57: " + SPLIT_RU[1], SPLIT_RU[2]]
    assert _anchor_join(SPLIT_EN, balanced, one_one, max_df=5) == one_one
    # the same number in three more sentence pairs: no longer rare enough to decide
    more_en = [*SPLIT_EN, *(f"Camp {c} stood at 57 metres above the lake." for c in "ABC")]
    more_ru = [*SPLIT_RU, *(f"Лагерь {c} стоял в 57 метрах над озером." for c in "ABC")]
    more = [*one_one, ((3,), (3,)), ((4,), (4,)), ((5,), (5,))]
    assert _anchor_join(more_en, more_ru, more, max_df=4)[:2] == joined
    assert _anchor_join(more_en, more_ru, more, max_df=3) == more
