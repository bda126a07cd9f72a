"""Checked exercises of lesson 07 (char-RNN Shakespeare): `from creative_lib.exercises import ex07 as ex`.

Each reference is built on the course's own code (creative_lib.corpus, charrnn, nn, ngram); each
model answer is a function written from scratch below, which `ex.qN.solution()` prints.
"""
import numpy as np

from creative_lib import charrnn, nn
from creative_lib.corpus import Vocabulary, nats_to_bits
from creative_lib.exercises.core import Case, Question, compare_frequencies
from creative_lib.ngram import ngram_codes

SPEECH = "ROMEO:\nBut, soft! what light through yonder window breaks?\n"


# q1 ------------------------------------------------------------------------------------------
def _vocabulary_reference(text):
    vocab = Vocabulary.from_text(text)
    return "".join(vocab.chars), vocab.encode(text)


def vocab_and_encode(text):
    chars = "".join(sorted(set(text)))
    index = {c: i for i, c in enumerate(chars)}
    return chars, np.array([index[c] for c in text], dtype=np.int32)


q1 = Question(
    "q1", "Vocabulary and encoding",
    cases=[Case(args=("abracadabra",), label='"abracadabra"'),
           Case(args=(SPEECH,), label="a line of Romeo's"),
           Case(args=("z",), label='"z"')],
    reference=_vocabulary_reference,
    hint="sorted(set(text)) gives the characters in code-point order; a dict {char: id} then encodes.",
    solution=vocab_and_encode,
)


# q2 ------------------------------------------------------------------------------------------
def _pairs_reference(ids, seq_len):
    n = len(ids) // (seq_len + 1)
    return charrnn.split_input_target(np.asarray(ids)[: n * (seq_len + 1)].reshape(n, seq_len + 1))


def make_pairs(ids, seq_len):
    n = len(ids) // (seq_len + 1)
    windows = np.asarray(ids)[: n * (seq_len + 1)].reshape(n, seq_len + 1)
    return windows[:, :-1], windows[:, 1:]


q2 = Question(
    "q2", "(input, target) pairs shifted by one",
    cases=[Case(args=(np.arange(12), 3), label="ids 0..11, seq_len 3"),
           Case(args=(np.arange(10), 4), label="ids 0..9, seq_len 4 (a leftover is dropped)"),
           Case(args=(np.arange(5, 0, -1), 1), label="ids 5..1, seq_len 1")],
    reference=_pairs_reference,
    hint="Cut the ids into windows of seq_len + 1 (drop what does not fill one), reshape to (n, seq_len + 1); "
         "the input is every window but its last id, the target every window but its first.",
    solution=make_pairs,
)


# q3 ------------------------------------------------------------------------------------------
def _check_samples(result, case):
    logits, temperature, n, _ = case.args
    samples = np.asarray(result)
    if samples.shape != (n,):
        return f"expected an array of {n} sampled ids, got shape {samples.shape}"
    return compare_frequencies(samples, nn.softmax(np.asarray(logits) / temperature), tolerance=0.02)


def sample(logits, temperature, n, rng):
    z = np.asarray(logits) / temperature
    p = np.exp(z - z.max())
    p /= p.sum()
    return rng.choice(len(p), size=n, p=p)


_LOGITS = np.array([2.0, 1.0, 0.0, -1.0])
q3 = Question(
    "q3", "Temperature sampling from logits",
    cases=[Case(args=(_LOGITS, 1.0, 20_000, np.random.default_rng(0)), label="temperature 1"),
           Case(args=(_LOGITS, 0.5, 20_000, np.random.default_rng(1)), label="temperature 0.5 (sharper)"),
           Case(args=(_LOGITS, 3.0, 20_000, np.random.default_rng(2)), label="temperature 3 (flatter)"),
           Case(args=(_LOGITS, 0.01, 1_000, np.random.default_rng(3)), label="temperature 0.01 (nearly argmax)")],
    checker=_check_samples,
    hint="Divide the logits by the temperature, take a softmax (subtract the max first), "
         "then rng.choice(len(p), size=n, p=p).",
    solution=sample,
)


# q4 ------------------------------------------------------------------------------------------
def _bits_reference(logits, targets):
    return nats_to_bits(nn.softmax_cross_entropy(logits, targets)[0])


def bits_per_char(logits, targets):
    z = logits - logits.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return -np.mean(log_p[np.arange(len(targets)), targets]) / np.log(2)


q4 = Question(
    "q4", "Bits per character from the loss",
    cases=[Case(args=(np.zeros((3, 4)), np.array([0, 1, 2])), label="uniform over 4 characters (2 bits)"),
           Case(args=(np.array([[5.0, 0.0], [0.0, 5.0]]), np.array([0, 0])), label="one right, one wrong"),
           Case(args=(np.random.default_rng(0).normal(size=(6, 65)) * 3, np.arange(6) * 10),
                label="6 predictions over 65 characters")],
    reference=_bits_reference,
    hint="The cross-entropy loss is in nats (natural log); a bit is log base 2, so divide by ln 2 = 0.693. "
         "Compute log-softmax stably (subtract the row max).",
    solution=bits_per_char,
)


# q5 ------------------------------------------------------------------------------------------
def _bigram_reference(train, val, vocab_size, k):
    """The same model, counted with the n-gram baseline's codes (pair code = previous * V + next)."""
    counts = np.bincount(ngram_codes(train, 2, vocab_size), minlength=vocab_size ** 2).reshape(vocab_size, -1)
    probs = (counts + k) / (counts.sum(axis=1, keepdims=True) + k * vocab_size)
    return -np.mean(np.log2(probs.ravel()[ngram_codes(val, 2, vocab_size)]))


def bigram_bits_per_char(train, val, vocab_size, k):
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (train[:-1], train[1:]), 1)
    probs = (counts + k) / (counts.sum(axis=1, keepdims=True) + k * vocab_size)
    return -np.mean(np.log2(probs[val[:-1], val[1:]]))


_TRAIN = Vocabulary.from_text(SPEECH).encode(SPEECH * 3)
q5 = Question(
    "q5", "An add-k smoothed bigram baseline",
    cases=[Case(args=(np.array([0, 1, 0, 1, 0]), np.array([0, 1, 1]), 2, 1.0), expected=-np.mean(np.log2([3 / 4, 1 / 4])),
                label="tiny: train 01010, val 011, k=1: by hand, P(1|0) = 3/4 and P(1|1) = 1/4"),
           Case(args=(_TRAIN, _TRAIN[:20], int(_TRAIN.max()) + 1, 0.5), label="Romeo's line, k=0.5"),
           Case(args=(_TRAIN, _TRAIN[::-1].copy(), int(_TRAIN.max()) + 1, 0.01),
                label="Romeo's line reversed (unseen pairs), k=0.01")],
    reference=_bigram_reference,
    hint="Count pairs (previous, next) of the training ids into a V x V table (np.add.at), "
         "P(next | previous) = (count + k) / (row total + k V); average -log2 P over the pairs of val.",
    solution=bigram_bits_per_char,
)


# q6 ------------------------------------------------------------------------------------------
def rnn_step(params, x, h):
    x_onehot = np.eye(params["W_xh"].shape[0])[x]  # (V,) or (B, V): the one-hot rows of the ids
    return np.tanh(x_onehot @ params["W_xh"] + h @ params["W_hh"] + params["b_h"])


def _rnn_params(vocab_size, hidden, seed):
    """The lesson's parameters, with a bias that is not zero (so that a step that forgets it is caught)."""
    rng = np.random.default_rng(seed)
    params = charrnn.init_vanilla_rnn(vocab_size, hidden, rng, recurrent_scale=0.9)
    params["b_h"] = rng.normal(0, 0.3, hidden)
    return params


_P = _rnn_params(6, 4, 0)
q6 = Question(
    "q6", "One step of a vanilla RNN",
    cases=[Case(args=(_P, 2, np.zeros(4)), label="id 2, zero state"),
           Case(args=(_P, 5, np.full(4, 0.5)), label="id 5, a state of 0.5s"),
           Case(args=(_P, np.array([0, 3, 3]), np.random.default_rng(1).uniform(-1, 1, (3, 4))),
                label="a batch of 3 ids, each with its own state (3, 4)"),
           Case(args=(_rnn_params(30, 16, 2), 29, np.random.default_rng(3).uniform(-1, 1, 16)),
                label="30 characters, 16 units, the last id")],
    reference=charrnn.rnn_step,
    hint="h_next = tanh(x_onehot W_xh + h W_hh + b_h). np.eye(V)[x] is the one-hot row of id x "
         "(and (B, V) for a batch of ids); it picks row x of W_xh, which is what params['W_xh'][x] does.",
    solution=rnn_step,
)


# q7 ------------------------------------------------------------------------------------------
def _top_k_probabilities(logits, temperature, k):
    """softmax(logits / temperature) over the k largest logits, 0 elsewhere: what the sampler draws from."""
    z = np.asarray(logits, float) / temperature
    kth = np.sort(z)[-k]
    return nn.softmax(np.where(z >= kth, z, -np.inf))


def _check_top_k(result, case):
    logits, temperature, k, n, _ = case.args
    draws = np.asarray(result)
    if draws.shape != (n,):
        return f"expected an array of {n} sampled ids, got shape {draws.shape}"
    outside = sorted(set(draws.tolist()) - set(np.argsort(logits)[-k:].tolist()))
    if outside:
        return f"ids {outside} were drawn, but they are not among the {k} likeliest"
    return compare_frequencies(draws, _top_k_probabilities(logits, temperature, k), tolerance=0.02,
                               target=f"softmax over the top {k} of logits / temperature")


def top_k_sample(logits, temperature, k, n, rng):
    z = np.asarray(logits, float) / temperature
    keep = np.argsort(z)[-k:]  # the ids of the k largest logits
    p = np.exp(z[keep] - z[keep].max())
    return keep[rng.choice(k, size=n, p=p / p.sum())]


_LOGITS6 = np.array([0.5, 2.0, -1.0, 1.5, 0.0, 1.0])
q7 = Question(
    "q7", "Top-k sampling",
    cases=[Case(args=(_LOGITS6, 1.0, 3, 20_000, np.random.default_rng(0)), label="top 3 of 6, temperature 1"),
           Case(args=(_LOGITS6, 0.5, 2, 20_000, np.random.default_rng(1)), label="top 2, temperature 0.5"),
           Case(args=(_LOGITS6, 1.0, 1, 500, np.random.default_rng(2)), label="top 1: always the likeliest id"),
           Case(args=(_LOGITS6, 2.0, 6, 20_000, np.random.default_rng(3)),
                label="k = 6 keeps every id: plain temperature sampling")],
    checker=_check_top_k,
    hint="Divide by the temperature; np.argsort(z)[-k:] gives the ids of the k largest; softmax over those "
         "only, draw positions with rng.choice(k, size=n, p=p) and map them back to ids.",
    solution=top_k_sample,
)
