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
