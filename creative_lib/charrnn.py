# Generated from notebooks/07_char_rnn_shakespeare.ipynb by `make export`: edit the notebook, not this file.
# %% notebooks/07_char_rnn_shakespeare.ipynb 4
"""Lesson 07: character-level recurrent networks (Karpathy 2015), from a NumPy RNN to a Keras GRU.

Ids are int arrays: (T,) for one sequence, (B, T) for a batch; V is the vocabulary size, H the
hidden size.
"""
import functools
import time

import keras
import numpy as np
import tensorflow as tf

from creative_lib.corpus import nats_to_bits
from creative_lib.nn import softmax


# %% notebooks/07_char_rnn_shakespeare.ipynb 16
def init_vanilla_rnn(vocab_size, hidden, rng, recurrent_scale=1.0):
    """Parameters of a vanilla RNN language model (float64).

    W_hh is an orthogonal matrix times `recurrent_scale`, so the scale sets the size of the
    recurrent Jacobian: < 1 makes gradients vanish through time, > 1 lets them explode.
    Returns dict: W_xh (V, H), W_hh (H, H), b_h (H,), W_hy (H, V), b_y (V,).
    """
    q, _ = np.linalg.qr(rng.standard_normal((hidden, hidden)))
    return {
        "W_xh": rng.standard_normal((vocab_size, hidden)) * 0.1,
        "W_hh": q * recurrent_scale,
        "b_h": np.zeros(hidden),
        "W_hy": rng.standard_normal((hidden, vocab_size)) * 0.1,
        "b_y": np.zeros(vocab_size),
    }


def rnn_step(params, x, h):
    """One step of the vanilla RNN: input id x (or ids (B,)), state h (H,) (or (B, H)) -> the next state."""
    return np.tanh(params["W_xh"][x] + h @ params["W_hh"] + params["b_h"])


def rnn_forward(params, inputs, targets, h0):
    """Unroll the RNN over one sequence and score it.

    inputs, targets: int arrays (T,); h0: (H,). Returns (mean cross-entropy in nats, cache),
    cache = (hs (T+1, H) with hs[0] = h0, probs (T, V), inputs, targets).
    """
    hs = [h0]
    for x in inputs:  # x_t one-hot, so x_t W_xh is row x of W_xh
        hs.append(rnn_step(params, x, hs[-1]))
    hs = np.stack(hs)
    probs = softmax(hs[1:] @ params["W_hy"] + params["b_y"])
    loss = -np.mean(np.log(probs[np.arange(len(targets)), targets]))
    return loss, (hs, probs, np.asarray(inputs), np.asarray(targets))


def rnn_backward(params, cache):
    """Backpropagation through time.

    Returns (grads: dict shaped like params, dh_norms (T,)): dh_norms[t] is ||dL/dhs[t+1]||, the
    size of the gradient that reaches the state after input t from every later step.
    """
    hs, probs, inputs, targets = cache
    T = len(inputs)
    dlogits = probs.copy()
    dlogits[np.arange(T), targets] -= 1
    dlogits /= T
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    grads["W_hy"] = hs[1:].T @ dlogits
    grads["b_y"] = dlogits.sum(axis=0)
    dh_next = np.zeros(hs.shape[1])
    dh_norms = np.zeros(T)
    for t in reversed(range(T)):
        dh = dlogits[t] @ params["W_hy"].T + dh_next  # from the output at t and from step t+1
        dh_norms[t] = np.linalg.norm(dh)
        dz = dh * (1 - hs[t + 1] ** 2)  # through tanh
        grads["W_xh"][inputs[t]] += dz
        grads["W_hh"] += np.outer(hs[t], dz)
        grads["b_h"] += dz
        dh_next = dz @ params["W_hh"].T  # dL/dhs[t] = dh diag(1 - hs[t+1]^2) W_hh^T: one step back
    return grads, dh_norms


# %% notebooks/07_char_rnn_shakespeare.ipynb 20
def jacobian_norms_through_time(params, inputs, h0):
    """||dh_T / dh_t||_2 (spectral norm) for t = T .. 0, the factor BPTT multiplies by.

    Returns an array (T+1,), entry t for the Jacobian from h_t to the last state h_T.
    """
    _, (hs, _, _, _) = rnn_forward(params, inputs, np.zeros(len(inputs), dtype=int), h0)
    T = len(inputs)
    J = np.eye(hs.shape[1])
    norms = np.zeros(T + 1)
    norms[T] = 1.0
    for t in reversed(range(T)):  # dh_T/dh_t = dh_T/dh_{t+1} @ dh_{t+1}/dh_t, with dh_{t+1}/dh_t = diag(1 - h_{t+1}^2) W_hh^T
        J = J @ ((1 - hs[t + 1] ** 2)[:, None] * params["W_hh"].T)
        norms[t] = np.linalg.norm(J, 2)
    return norms


# %% notebooks/07_char_rnn_shakespeare.ipynb 25
def build_model(vocab_size, units=512, embedding_dim=64, learning_rate=6e-3, decay_steps=None):
    """Embedding -> GRU -> Dense: int ids (B, T) -> logits (B, T, V), compiled with Adam.

    The GRU keeps Keras's defaults (tanh, sigmoid gates, reset_after=True), which is the
    cuDNN-compatible form: on a GPU Keras runs it with the fused cuDNN kernel. With decay_steps
    the learning rate follows a cosine from learning_rate down to 5% of it; gradients are clipped
    to norm 1 (the remedy for exploding gradients).
    """
    if decay_steps:
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps, alpha=0.05)
    ids = keras.Input((None,), dtype="int32", name="ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(ids)
    seq, _ = keras.layers.GRU(units, return_sequences=True, return_state=True, name="gru")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(seq)
    model = keras.Model(ids, logits, name="char_gru")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


# %% notebooks/07_char_rnn_shakespeare.ipynb 28
def split_input_target(chunk):
    """A window of T+1 ids -> (input = first T, target = last T): the target is the input shifted by one."""
    return chunk[..., :-1], chunk[..., 1:]


def make_dataset(ids, seq_len, batch_size, seed=0):
    """Endless tf.data pipeline of (input, target) int32 batches, each (batch_size, seq_len).

    The text is cut into windows of seq_len + 1 characters, shuffled within a buffer of 4,096 and
    batched; every epoch the windows start at a new random offset, so the cuts change from epoch to epoch.
    """
    ids = tf.constant(ids, dtype=tf.int32)
    window = seq_len + 1

    def epoch(i):
        offset = tf.random.stateless_uniform([], seed=[seed, i], maxval=window, dtype=tf.int64)
        n = (tf.size(ids, out_type=tf.int64) - offset) // window
        chunks = tf.reshape(ids[offset: offset + n * window], (-1, window))
        return tf.data.Dataset.from_tensor_slices(chunks).shuffle(4096, seed=seed + 1)

    return (tf.data.Dataset.range(1_000_000).flat_map(epoch)
            .batch(batch_size, drop_remainder=True).map(split_input_target)
            .prefetch(tf.data.AUTOTUNE))


# %% notebooks/07_char_rnn_shakespeare.ipynb 32
def _layers(model):
    return model.get_layer("embedding"), model.get_layer("gru"), model.get_layer("logits")


@functools.lru_cache(maxsize=8)
def _scorer(model):
    """model's compiled scoring step, made once: (ids (B, T), targets (B, T), state (B, H)) -> (sum of nats, state)."""
    embed, gru, dense = _layers(model)

    @tf.function(reduce_retracing=True)
    def score(xc, yc, h):
        seq, h = gru(embed(xc), initial_state=h)
        nll = tf.nn.sparse_softmax_cross_entropy_with_logits(yc, dense(seq))
        return tf.reduce_sum(nll), h

    return score


def bits_per_char(model, ids, streams=32, chunk=256):
    """Cross-entropy of the model on ids (T,), in bits per character.

    ids is cut into `streams` contiguous pieces read side by side, `chunk` characters at a time,
    the GRU state carried from chunk to chunk, so every prediction sees all the text before it in
    its piece. Targets are ids[1 : 1 + streams * L] (the tail that does not fill L is dropped).
    """
    gru, score = _layers(model)[1], _scorer(model)
    L = (len(ids) - 1) // streams
    if L < 1:
        raise ValueError(f"{len(ids)} characters are too few to evaluate on {streams} streams.")
    x = np.asarray(ids[: streams * L], np.int32).reshape(streams, L)
    y = np.asarray(ids[1: 1 + streams * L], np.int32).reshape(streams, L)

    h = tf.zeros((streams, gru.units))
    total = 0.0
    for s in range(0, L, chunk):
        nll, h = score(x[:, s: s + chunk], y[:, s: s + chunk], h)
        total += float(nll)
    return nats_to_bits(total / (streams * L))


# %% notebooks/07_char_rnn_shakespeare.ipynb 41
def sample_steps(step, logits, state, length, temperature, top_k, rng):
    """The course's sampling loop, for any recurrent net: call it inside a tf.function.

    step(ids (B,), state) -> (logits (B, V), state) advances the net by one input; state is any
    nest of tensors (a GRU's [h], an LSTM's [h, c] per layer, a buffer of past events...).
    logits (B, V) score the first id. Each of `length` steps scales the logits by 1 / temperature,
    keeps the top_k largest, samples an id and feeds it back. Returns (ids (B, length), the sum
    of log-probabilities of the sampled ids under the scaled distribution (B,), the state before
    the last id was read: where a next call resumes).
    """
    out = tf.TensorArray(tf.int32, size=length)
    k = tf.minimum(top_k, tf.shape(logits)[-1])
    total = tf.zeros(tf.shape(logits)[:1])
    state_before = state
    for i in tf.range(length):
        scaled = logits / temperature
        kth = tf.math.top_k(scaled, k).values[:, -1:]
        scaled = tf.where(scaled < kth, tf.constant(-np.inf, scaled.dtype), scaled)
        seeds = rng.make_seeds(1)[:, 0]
        nxt = tf.cast(tf.random.stateless_categorical(scaled, 1, seed=seeds)[:, 0], tf.int32)
        total += tf.gather(tf.nn.log_softmax(scaled), nxt, batch_dims=1)
        out = out.write(i, nxt)
        state_before = state
        logits, state = step(nxt, state)
    return tf.transpose(out.stack()), total, state_before


class Generator:
    """Sampling from a trained char model, the GRU state carried step to step in one tf.function.

        gen = Generator(model, vocab, seed=0)
        text = gen.generate("ROMEO:\\n", length=500, temperature=0.8, top_k=20)
        for piece in gen.stream("ROMEO:\\n", 500, 0.8, 20): print(piece, end="")
    """

    def __init__(self, model, vocab, seed=0):
        self.model, self.vocab = model, vocab
        self.embed, self.gru, self.dense = _layers(model)
        self.rng = tf.random.Generator.from_seed(seed)
        self._sample = tf.function(self._sample_fn, reduce_retracing=True)

    def _sample_fn(self, primer, h, length, temperature, top_k):
        """primer (B, P>=1) ids, h (B, H) state -> (ids (B, length), state before the last id).

        The primer is read by the GRU layer in one go; then `sample_steps` feeds each sampled
        character back through the GRU cell.
        """
        seq, h = self.gru(self.embed(primer), initial_state=h)

        def step(ids, state):
            h, state = self.gru.cell(self.embed(ids), state)
            return self.dense(h), state

        ids, _, state = sample_steps(step, self.dense(seq[:, -1]), [h], length, temperature, top_k, self.rng)
        return ids, state[0]

    def prepare_primer(self, primer):
        """(primer ids, a note or None): characters outside the vocabulary are dropped and named."""
        kept, missing = self.vocab.clean(primer)
        note = None
        if missing:
            note = f"The primer's characters {''.join(missing)!r} are not in the vocabulary and were left out."
        if not kept:
            kept = "\n" if "\n" in self.vocab.chars else self.vocab.chars[0]
            note = (note or "The primer is empty") + f"; generation starts from {kept!r}."
        return self.vocab.encode(kept)[None, :], note

    def _chunks(self, primer, length, temperature, top_k, chunk):
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0; got {temperature}.")
        if length < 0 or top_k < 0:
            raise ValueError("length and top_k must be non-negative (top_k = 0 keeps every character).")
        ids, note = self.prepare_primer(primer)
        if note:
            print(note)
        top_k = int(top_k) or self.vocab.size
        h = tf.zeros((1, self.gru.units))
        x = tf.constant(ids)
        for start in range(0, length, chunk):
            n = min(chunk, length - start)
            out, h = self._sample(x, h, tf.constant(n), tf.constant(float(temperature)), tf.constant(top_k))
            x = out[:, -1:]
            yield self.vocab.decode(out[0].numpy())

    def generate(self, primer, length, temperature=1.0, top_k=0):
        """`length` new characters after primer, in ONE call of the compiled sampler."""
        return "".join(self._chunks(primer, length, temperature, top_k, chunk=max(length, 1)))

    def stream(self, primer, length, temperature=1.0, top_k=0, chunk=40):
        """The same text as pieces of `chunk` characters, the state carried between pieces."""
        yield from self._chunks(primer, length, temperature, top_k, chunk)


def chars_per_second(gen, length=2000, primer="\n", temperature=1.0, top_k=0):
    """Generation speed: characters per second of one `length`-character call (compiled first)."""
    gen.generate(primer, 8, temperature, top_k)  # trace and compile outside the clock
    began = time.perf_counter()
    gen.generate(primer, length, temperature, top_k)
    return length / (time.perf_counter() - began)


# %% notebooks/07_char_rnn_shakespeare.ipynb 50
def hidden_states(model, ids, streams=1):
    """The GRU's state after each character of ids (T,): (T, H).

    The text is cut into `streams` pieces read side by side, each from a zero state: a GRU takes
    one step per character of a piece, so 32 streams take a 32nd of the steps of one.
    """
    embed, gru, _ = _layers(model)
    n = -(-len(ids) // streams)  # characters per stream; the last stream is padded at its end
    x = np.zeros(streams * n, np.int32)
    x[: len(ids)] = ids
    seq, _ = gru(embed(x.reshape(streams, n)))
    return seq.numpy().reshape(streams * n, -1)[: len(ids)]


def char_log2_probs(model, ids, streams=32):
    """log2 P(ids[t] | ids[:t]) for t = 1 .. T-1: (T,) -> (T - 1,), as NGramModel.log2_probs.

    Read as `streams` pieces (see hidden_states): the first characters of each piece are predicted
    without the text before them, which costs the GRU a little.
    """
    logits = model.get_layer("logits")(hidden_states(model, ids[:-1], streams))
    nats = tf.nn.sparse_softmax_cross_entropy_with_logits(np.asarray(ids[1:], np.int32), logits)
    return -nats.numpy() / np.log(2)


# %% notebooks/07_char_rnn_shakespeare.ipynb 59
def unit_correlations(states, signal):
    """Pearson correlation of every unit of states (T, H) with signal (T,): (H,)."""
    z = (states - states.mean(0)) / (states.std(0) + 1e-8)
    s = (signal - signal.mean()) / (signal.std() + 1e-8)
    return z.T @ s / len(s)
