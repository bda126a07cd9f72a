"""The baseline that lesson 07's RNN has to beat: an interpolated Kneser-Ney character n-gram.

    ngram = NGramModel.fit(train_ids, order=6, vocab_size=vocab.size)
    ngram.bits_per_char(val_ids)                 # validation bits per character
    best, scores = best_ngram_order(train_ids, dev_ids, vocab.size, max_order=8)   # the order chosen on dev

Counting is vectorised with NumPy: every n-gram is one int64 code, and counts are found by
sorting and searching, so all orders of a 4.5-million-character corpus fit in seconds.
"""
from dataclasses import dataclass

import numpy as np


def ngram_codes(ids, n, base):
    """int64 code of every n-gram of ids: (T,) -> (T - n + 1,). code = sum ids[t+i] * base**(n-1-i)."""
    ids = np.asarray(ids, dtype=np.int64)
    codes = ids[: len(ids) - n + 1].copy()
    for i in range(1, n):
        codes = codes * base + ids[i: len(ids) - n + 1 + i]
    return codes


def _counts(codes):
    """Sorted unique codes and how often each occurs."""
    return np.unique(codes, return_counts=True)


def _lookup(keys, values, query):
    """values[keys == q] for every q in query (0 where q is absent); keys sorted."""
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[pos] == query, values[pos], 0)


@dataclass
class _Level:
    """Counts of one order: n-grams (history + next char) and their histories."""
    gram_keys: np.ndarray
    gram_counts: np.ndarray
    hist_keys: np.ndarray
    hist_totals: np.ndarray  # sum over next chars of gram_counts
    hist_types: np.ndarray  # number of distinct next chars seen after the history
    discount: float


def _level(gram_keys, gram_counts, base):
    """A _Level from the (unique, sorted) n-gram keys and their (possibly continuation) counts."""
    hist = gram_keys // base
    hist_keys, start = np.unique(hist, return_index=True)
    totals = np.add.reduceat(gram_counts, start)
    types = np.diff(np.append(start, len(hist)))
    n1, n2 = np.sum(gram_counts == 1), np.sum(gram_counts == 2)
    discount = float(n1 / (n1 + 2 * n2)) if n1 + n2 > 0 else 0.5
    return _Level(gram_keys, gram_counts, hist_keys, totals, types, min(max(discount, 0.1), 0.95))


@dataclass
class NGramModel:
    """A character n-gram model with interpolated Kneser-Ney smoothing (Chen & Goodman 1998).

    P(c | h) = max(N(h c) - D, 0) / N(h) + D * T(h) / N(h) * P(c | h minus its first char),
    where at the top order N counts occurrences, and at lower orders N counts continuations
    (how many distinct characters precede the n-gram); T(h) is the number of distinct characters
    seen after h; D = n1 / (n1 + 2 n2) per order. Below order 1 sits the uniform distribution.
    Unseen histories fall back to the lower order entirely.
    """
    order: int
    vocab_size: int
    levels: list  # levels[k] has histories of k characters, k = 0 .. order-1

    @classmethod
    def fit(cls, ids, order, vocab_size):
        """Count every n-gram of ids (T,) up to `order` characters (history = order - 1)."""
        return fit_ngram_models(ids, order, vocab_size)[-1]

    def _prob(self, hist_codes, nexts, k_max):
        """P(next | the last k_max chars of the history) for many (history code, next) pairs."""
        base = self.vocab_size
        p = np.full(len(nexts), 1.0 / base)
        for k in range(0, k_max + 1):
            lv = self.levels[k]
            h = hist_codes % base ** k  # the last k characters of the history
            total = _lookup(lv.hist_keys, lv.hist_totals, h).astype(np.float64)
            types = _lookup(lv.hist_keys, lv.hist_types, h)
            count = _lookup(lv.gram_keys, lv.gram_counts, h * base + nexts)
            seen = total > 0
            safe = np.where(seen, total, 1.0)
            mixed = (np.maximum(count - lv.discount, 0) + lv.discount * types * p) / safe
            p = np.where(seen, mixed, p)
        return p

    def log2_probs(self, ids):
        """log2 P(ids[t] | ids[t-order+1 : t]) for t = 1 .. T-1: (T,) -> (T - 1,).

        The first characters use the shorter history they have.
        """
        ids = np.asarray(ids, dtype=np.int64)
        k = self.order - 1
        out = np.empty(len(ids) - 1)
        for t in range(1, min(k, len(ids))):  # the few positions with a short history
            out[t - 1] = np.log2(self._prob(ngram_codes(ids[:t], t, self.vocab_size), ids[t: t + 1], t)[0])
        if len(ids) > k:
            hist = ngram_codes(ids[:-1], k, self.vocab_size) if k else np.zeros(len(ids), np.int64)
            start = max(k, 1)
            out[start - 1:] = np.log2(self._prob(hist[start - k:], ids[start:], k))
        return out

    def bits_per_char(self, ids):
        """Mean -log2 P over ids[1:] (the cross-entropy in bits per character)."""
        return float(-np.mean(self.log2_probs(ids)))

    def next_distribution(self, history):
        """P(. | history): (V,) probabilities given a sequence of ids (only its last order-1 count)."""
        k = min(self.order - 1, len(history))
        code = ngram_codes(np.asarray(history[len(history) - k:], np.int64), k, self.vocab_size) if k else [0]
        return self._prob(np.full(self.vocab_size, code[0], np.int64), np.arange(self.vocab_size), k)

    def sample(self, primer_ids, length, rng, temperature=1.0, top_k=0):
        """Continue primer_ids (a list of ids) by `length` sampled ids; returns the new ids.

        As the RNN's sampler does with logits: temperature reshapes each distribution to
        p ** (1 / temperature), top_k > 0 keeps only the k likeliest characters, then it is renormalised.
        """
        ids = list(primer_ids)
        for _ in range(length):
            p = self.next_distribution(ids) ** (1.0 / temperature)
            if 0 < top_k < self.vocab_size:
                p[p < np.sort(p)[-top_k]] = 0.0
            ids.append(int(rng.choice(self.vocab_size, p=p / p.sum())))
        return ids[len(primer_ids):]


def fit_ngram_models(ids, max_order, vocab_size):
    """The models of every order 1 .. max_order, sharing their counts: a list, item n-1 of order n.

    Raw counts of the n-grams serve the top level of the order-n model; continuation counts of
    the n-grams (distinct (n+1)-grams ending with them) serve the lower levels of higher orders.
    """
    ids = np.asarray(ids)
    if max_order < 1:
        raise ValueError(f"order must be at least 1; got {max_order}.")
    if vocab_size ** (max_order + 1) >= 2 ** 62:
        raise ValueError(f"order {max_order} is too high for a vocabulary of {vocab_size} characters.")
    if len(ids) <= max_order:
        raise ValueError(f"{len(ids)} characters are too few for an order-{max_order} model.")
    base = vocab_size
    raw = [_level(*_counts(ngram_codes(ids, n, base)), base) for n in range(1, max_order + 1)]
    continuation = [_level(*_counts(longer.gram_keys % base ** n), base) for n, longer in enumerate(raw[1:], 1)]
    return [NGramModel(n, vocab_size, continuation[: n - 1] + [raw[n - 1]]) for n in range(1, max_order + 1)]


def best_ngram_order(train, dev, vocab_size, max_order=8):
    """Fit models of order 1 .. max_order on train and keep the best on the development set.

    Returns (best model, {order: dev bits per char}). Score the chosen model on a validation set
    that took no part in the choice. max_order is lowered to what int64 codes can hold for this
    vocabulary.
    """
    while vocab_size ** (max_order + 1) >= 2 ** 62:
        max_order -= 1
    models = fit_ngram_models(train, max_order, vocab_size)
    scores = {m.order: m.bits_per_char(dev) for m in models}
    return models[min(scores, key=scores.get) - 1], scores
