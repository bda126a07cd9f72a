# Generated from notebooks/08_melody_rnn.ipynb by `make export`: edit the notebook, not this file.
# %% notebooks/08_melody_rnn.ipynb 4
"""Lesson 08: Magenta's melody RNN on Keras 3, from note events to a soundtrack grown from a seed.

Notes are int arrays (N, 3): start step, end step, MIDI pitch, 4 steps per quarter note. Events
are int arrays (T,), one class per step: 0 NO_EVENT, 1 NOTE_OFF, 2 + pitch - 48 a note-on.
`bar` is a tune's bar length in steps (16 for 4/4, 12 for 6/8, 8 for 2/4).
"""
import time

import keras
import numpy as np
import tensorflow as tf

from creative_lib.audio import to_midi
from creative_lib.charrnn import sample_steps
from creative_lib.melodies import MAX_BAR_STEPS


# %% notebooks/08_melody_rnn.ipynb 8
NO_EVENT, NOTE_OFF = 0, 1
MIN_PITCH, MAX_PITCH = 48, 84              # C3 up to, not including, C6
NUM_CLASSES = 2 + MAX_PITCH - MIN_PITCH    # 38
MAJOR_SCALE = np.array([0, 2, 4, 5, 7, 9, 11])
PITCH_CLASSES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def major_key(notes):
    """The major key (0 = C ... 11 = B) whose scale holds the most notes: (N, 3) -> int."""
    counts = np.bincount(np.asarray(notes)[:, 2] % 12, minlength=12)
    return int(np.argmax([counts[(MAJOR_SCALE + k) % 12].sum() for k in range(12)]))


def to_c_major(notes):
    """Transpose (N, 3) notes to C major / A minor, then by octaves into [MIN_PITCH, MAX_PITCH).

    The key moves by at most 6 semitones; the octave shift centres the tune in the range.
    Returns None when no octave shift fits the tune into the range.
    """
    k = major_key(notes)
    pitches = notes[:, 2] + (-k if k <= 6 else 12 - k)
    lo, hi = pitches.min(), pitches.max()
    lowest, highest = -((lo - MIN_PITCH) // 12), (MAX_PITCH - 1 - hi) // 12  # octave shifts that fit
    if lowest > highest:
        return None
    centred = np.round(((MIN_PITCH + MAX_PITCH) / 2 - (lo + hi) / 2) / 12)
    out = notes.copy()
    out[:, 2] = pitches + 12 * int(np.clip(centred, lowest, highest))
    return out


def notes_to_events(notes):
    """(N, 3) non-overlapping notes in range -> events (T,), T = last end + 1 (its NOTE_OFF)."""
    events = np.full(int(notes[-1, 1]) + 1, NO_EVENT, np.int32)
    events[notes[:, 1]] = NOTE_OFF
    events[notes[:, 0]] = notes[:, 2] - MIN_PITCH + 2  # a note-on ends the note before it
    return events


def events_to_notes(events):
    """Events (T,) -> (N, 3) notes: a note lasts until the next NOTE_ON or NOTE_OFF (or the end)."""
    events = np.asarray(events)
    changes = np.flatnonzero(events != NO_EVENT)
    ends = np.append(changes[1:], len(events))
    on = events[changes] >= 2
    return np.stack([changes[on], ends[on], events[changes[on]] - 2 + MIN_PITCH], axis=1).astype(np.int64)


# %% notebooks/08_melody_rnn.ipynb 16
COUNTER_BITS = 5                     # steps in a bar < 32
LOOKBACK_SIZE = 3 * NUM_CLASSES + COUNTER_BITS + 2   # 121
REPEAT_1, REPEAT_2 = NUM_CLASSES, NUM_CLASSES + 1    # the two extra lookback labels


def events_back(events, distance, start=0):
    """events[..., i - distance], NO_EVENT where that falls before the tune: (B, T) -> (B, T).

    `start` is the position of events[:, 0] in its tune (a window of a longer sequence).
    """
    events = tf.convert_to_tensor(events, tf.int32)
    shifted = tf.pad(events, [[0, 0], [distance, 0]])[:, : tf.shape(events)[1]]
    known = tf.range(tf.shape(events)[1]) - distance + start >= 0
    return tf.where(known, shifted, NO_EVENT)


def lookback_inputs(events, bar, start=0):
    """Magenta's lookback input for every step: events (B, T) -> (B, T, 121) float32."""
    events = tf.convert_to_tensor(events, tf.int32)
    position = tf.range(tf.shape(events)[1]) + start
    one_hot = lambda e: tf.one_hot(e, NUM_CLASSES)
    ahead = [events_back(events, d - 1, start) for d in (bar, 2 * bar)]  # event t+1-bar, t+1-2bar
    step_in_bar = (position + 1) % bar
    bits = tf.cast(tf.bitwise.bitwise_and(tf.bitwise.right_shift(step_in_bar[:, None], tf.range(COUNTER_BITS)), 1), tf.float32) * 2 - 1
    repeats = [tf.cast((events == events_back(events, d, start)) & (position >= d), tf.float32)
               for d in (bar, 2 * bar)]
    batch = tf.shape(events)[0]
    return tf.concat([one_hot(events), one_hot(ahead[0]), one_hot(ahead[1]),
                      tf.broadcast_to(bits, [batch, tf.shape(events)[1], COUNTER_BITS]),
                      tf.stack(repeats, axis=-1)], axis=-1)


def lookback_labels(events, bar):
    """Labels for steps 1 .. T-1: REPEAT_2 if the event repeats two bars back, else REPEAT_1 if one
    bar back, else the event itself: (T,) -> (T-1,). Before the tune, events count as NO_EVENT."""
    events = np.asarray(events)
    labels = events[1:].copy()
    for distance, label in ((bar, REPEAT_1), (2 * bar, REPEAT_2)):  # two bars back wins, as in Magenta
        labels[events[1:] == events_back(events[None], distance)[0, 1:].numpy()] = label
    return labels


def labels_to_events(primer, labels, bar):
    """Undo lookback_labels: the events after `primer` (P,) given their labels (L,) -> (L,)."""
    events = list(primer)
    for label in labels:
        distance = {REPEAT_1: bar, REPEAT_2: 2 * bar}.get(int(label))
        if distance is None:
            events.append(int(label))
        else:
            events.append(events[-distance] if len(events) >= distance else NO_EVENT)
    return np.asarray(events[len(primer):], np.int32)


# %% notebooks/08_melody_rnn.ipynb 24
def build_melody_rnn(input_size, num_classes, units=128, layers=2, dropout=0.5, learning_rate=1e-3):
    """Inputs (B, T, input_size) -> logits (B, T, num_classes): Magenta's melody RNN, compiled."""
    x = inputs = keras.Input((None, input_size), name="inputs")
    for i in range(layers):
        x = keras.layers.LSTM(units, return_sequences=True, name=f"lstm_{i + 1}")(x)
        x = keras.layers.Dropout(dropout, name=f"dropout_{i + 1}")(x)
    logits = keras.layers.Dense(num_classes, name="logits")(x)
    model = keras.Model(inputs, logits, name="melody_rnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def basic_inputs(events):
    """basic_rnn's input: the one-hot of every event, (B, T) -> (B, T, 38)."""
    return tf.one_hot(events, NUM_CLASSES)


def network_inputs(events, bar, kind, start=0):
    """The inputs of a "basic" or a "lookback" network for every step: events (B, T) -> (B, T, F)."""
    return basic_inputs(events) if kind == "basic" else lookback_inputs(events, bar, start)


# %% notebooks/08_melody_rnn.ipynb 27
def encode_tunes(songs, kind):
    """Inputs (T-1, F) float32 and labels (T-1,) of every song, for kind "basic" or "lookback"."""
    out = []
    for s in songs:
        events = s["events"]
        labels = events[1:] if kind == "basic" else lookback_labels(events, s["bar"])
        out.append((network_inputs(events[None, :-1], s["bar"], kind)[0].numpy(), labels))
    return out


def training_batches(encoded, batch_size, window, seed):
    """Endless batches (inputs (B, W, F), labels (B, W), weights (B, W)) of random windows."""
    rng = np.random.default_rng(seed)
    lengths = np.array([len(y) for _, y in encoded])
    features = encoded[0][0].shape[1]
    while True:
        x = np.zeros((batch_size, window, features), np.float32)
        y = np.zeros((batch_size, window), np.int32)
        w = np.zeros((batch_size, window), np.float32)
        for b, i in enumerate(rng.choice(len(encoded), batch_size, p=lengths / lengths.sum())):
            start = rng.integers(0, max(lengths[i] - window, 0) + 1)
            n = min(window, lengths[i] - start)
            x[b, :n], y[b, :n], w[b, :n] = encoded[i][0][start: start + n], encoded[i][1][start: start + n], 1
        yield x, y, w


# %% notebooks/08_melody_rnn.ipynb 31
def event_probabilities(model, songs, kind):
    """P(event t+1 | events up to t) for every step of every song: a list of (T-1, 38) arrays.

    The songs are read side by side, padded at the end (an LSTM's step t never sees later steps).
    """
    inputs = [network_inputs(s["events"][None, :-1], s["bar"], kind)[0] for s in songs]
    batch = np.zeros((len(songs), max(len(x) for x in inputs), inputs[0].shape[1]), np.float32)
    for i, x in enumerate(inputs):
        batch[i, : len(x)] = x
    logits = model.predict(batch, batch_size=64, verbose=0).astype(np.float64)
    out = []
    for s, x, lg in zip(songs, inputs, logits):
        probs = np.exp(lg[: len(x)] - lg[: len(x)].max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        if kind == "lookback":  # fold the repeat classes into the events they repeat
            rows = np.arange(len(probs))
            for distance, label in ((s["bar"], REPEAT_1), (2 * s["bar"], REPEAT_2)):
                np.add.at(probs, (rows, events_back(s["events"][None], distance)[0, 1:].numpy()), probs[:, label])
            probs = probs[:, :NUM_CLASSES]
        out.append(probs)
    return out


def melody_metrics(probs, songs):
    """Magenta's accuracy, event accuracy, no-event accuracy and perplexity over all steps."""
    p = np.concatenate(probs)
    truth = np.concatenate([s["events"][1:] for s in songs])
    hit = p.argmax(axis=1) == truth
    return {"accuracy": float(hit.mean()),
            "event_accuracy": float(hit[truth != NO_EVENT].mean()),
            "no_event_accuracy": float(hit[truth == NO_EVENT].mean()),
            "perplexity": float(np.exp(-np.log(p[np.arange(len(p)), truth]).mean()))}


# %% notebooks/08_melody_rnn.ipynb 35
WINDOW = 2 * MAX_BAR_STEPS + 1  # the events a sampler keeps: 2 bars of up to 32 steps, and the current one


class MelodySampler:
    """Melodies from a trained melody RNN (kind "basic" or "lookback"), in compiled loops.

        sampler = MelodySampler(model, "lookback", seed=0)
        events = sampler.generate(primer_events, bar=16, length=256, temperature=1.0)
        events = sampler.beam_search(primer_events, 16, 256, 1.0, beam_size=4, branch_factor=2, steps_per_iteration=16)
    """

    def __init__(self, model, kind, seed=0):
        self.kind = kind
        self.cells = [layer.cell for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
        self.dense = model.get_layer("logits")
        self.classes = self.dense.units
        self.rng = tf.random.Generator.from_seed(seed)
        self._prime = tf.function(self._prime_fn, reduce_retracing=True)
        self._extend = tf.function(self._extend_fn, reduce_retracing=True)

    def _step(self, labels, state, bar):
        """Read one label per sequence (B,): -> (logits (B, classes), new state)."""
        layers, window, position = state
        events = labels
        if self.kind == "lookback":  # a repeat label becomes the event it repeats
            events = tf.where(labels == REPEAT_1, window[:, WINDOW - bar],
                              tf.where(labels == REPEAT_2, window[:, WINDOW - 2 * bar], labels))
        window = tf.concat([window[:, 1:], events[:, None]], axis=1)
        position += 1
        x = network_inputs(window, bar, self.kind, position - WINDOW + 1)[:, -1]
        new_layers = []
        for cell, layer_state in zip(self.cells, layers):
            x, layer_state = cell(x, layer_state, training=False)
            new_layers.append(layer_state)
        return self.dense(x), (new_layers, window, position)

    def _prime_fn(self, primer, bar):
        """primer (B, P >= 1) events -> (logits for the next step, state after reading the primer)."""
        batch = tf.shape(primer)[0]
        layers = [[tf.zeros((batch, cell.units)), tf.zeros((batch, cell.units))] for cell in self.cells]
        state = (layers, tf.fill((batch, WINDOW), NO_EVENT), tf.constant(-1))
        logits = tf.zeros((batch, self.classes))
        for i in tf.range(tf.shape(primer)[1]):
            logits, state = self._step(primer[:, i], state, bar)
        return logits, state

    def _extend_fn(self, logits, state, bar, length, temperature):
        """Sample `length` labels after `logits`: (labels (B, length), their log-likelihood (B,), logits, state)."""
        step = lambda labels, s: self._step(labels, s, bar)
        labels, loglik, before = sample_steps(step, logits, state, length, temperature, self.classes, self.rng)
        logits, state = step(labels[:, -1], before)
        return labels, loglik, logits, state

    def beam_search(self, primer, bar, length, temperature=1.0, beam_size=1, branch_factor=1, steps_per_iteration=16):
        """The best of beam search's melodies: the `length` events after primer (P,) -> (length,)."""
        if not temperature > 0 or min(beam_size, branch_factor, steps_per_iteration) < 1 or len(primer) < 1:
            raise ValueError("temperature must be > 0; beam size, branch factor and steps per iteration >= 1; "
                             "the primer needs at least one event.")
        if not 1 <= bar <= (WINDOW - 1) // 2 or not 0 <= np.min(primer) <= np.max(primer) < NUM_CLASSES:
            raise ValueError(f"a bar must have 1 to {(WINDOW - 1) // 2} steps and primer events lie in 0..{NUM_CLASSES - 1}.")
        bar_t, temp_t = tf.constant(int(bar)), tf.constant(float(temperature))
        logits, state = self._prime(tf.constant(np.asarray(primer, np.int32)[None]), bar_t)
        labels, scores = np.zeros((1, 0), np.int32), np.zeros(1)
        while labels.shape[1] < length:
            pick = np.repeat(np.arange(len(scores)), beam_size * branch_factor // len(scores))  # branch
            logits, state = _take((logits, state), pick)
            new, loglik, logits, state = self._extend(logits, state, bar_t, tf.constant(min(steps_per_iteration, length - labels.shape[1])), temp_t)
            labels, scores = np.concatenate([labels[pick], new.numpy()], axis=1), scores[pick] + loglik.numpy()
            keep = np.argsort(-scores, kind="stable")[:beam_size]  # the most likely survive
            (logits, state), labels, scores = _take((logits, state), keep), labels[keep], scores[keep]
        best = labels[int(np.argmax(scores))]
        return best if self.kind == "basic" else labels_to_events(primer, best, bar)

    def generate(self, primer, bar, length, temperature=1.0):
        """`length` sampled events after primer (P,), in one compiled call."""
        return self.beam_search(primer, bar, length, temperature, 1, 1, max(length, 1))


def _take(nest, rows):
    """The given rows of every batched tensor in a nest (scalars, like the position, are shared)."""
    rows = tf.constant(rows)
    return tf.nest.map_structure(lambda t: tf.gather(t, rows) if t.shape.rank else t, nest)


def events_per_second(sampler, length=1024, bar=16):
    """Generation speed: events per second of one `length`-event call (compiled first)."""
    sampler.generate([NO_EVENT], bar, 8)
    began = time.perf_counter()
    sampler.generate([NO_EVENT], bar, length)
    return length / (time.perf_counter() - began)


# %% notebooks/08_melody_rnn.ipynb 44
def melody_statistics(events, bar):
    """Pitch range, in-scale share, mean note length and repeated-bar share of events (T,)."""
    notes = events_to_notes(events)
    bars = [tuple(events[i: i + bar]) for i in range(0, len(events) - bar + 1, bar)]
    repeats = [bars[i] in bars[max(0, i - 2): i] for i in range(1, len(bars))]
    return {"pitch_range": float(np.ptp(notes[:, 2])) if len(notes) else 0.0,
            "in_scale": float(np.isin(notes[:, 2] % 12, MAJOR_SCALE).mean()) if len(notes) else 0.0,
            "note_length": float(np.mean(notes[:, 1] - notes[:, 0])) if len(notes) else 0.0,
            "repeated_bars": float(np.mean(repeats)) if repeats else 0.0}


# %% notebooks/08_melody_rnn.ipynb 48
MOODS = {  # tempo range (bpm), mode, temperature, melody / bass / pad programs (General MIDI)
    "calm": {"bpm": (60, 80), "minor": False, "temperature": 0.8, "melody": (73, 71, 68), "bass": (32, 42), "pad": (89, 48, 52)},
    "tense": {"bpm": (96, 128), "minor": True, "temperature": 1.2, "melody": (40, 71, 56), "bass": (43, 38), "pad": (50, 95, 49)},
    "bright": {"bpm": (110, 140), "minor": False, "temperature": 1.0, "melody": (24, 11, 72), "bass": (33, 35), "pad": (48, 88, 19)},
}
FORMS = ("AABA", "ABAB", "AABB", "ABAC")
PROGRESSIONS = ((0, 5, 3, 4), (0, 3, 4, 0), (5, 3, 0, 4), (0, 4, 5, 3))  # scale degrees of each bar's chord
MINOR = {4: 3, 9: 8, 11: 10}  # C major -> C minor: E, A and B a semitone lower


def soundtrack(seed, mood, compose, phrase_bars=4):
    """A piece from an integer seed and a mood: (pretty_midi.PrettyMIDI, the plan as a dict).

    compose(rng, primer events, length) -> events must draw only from rng, so the piece is a pure
    function of (seed, mood, compose). Form, chords, tempo, key and instruments come from the seed.
    """
    if mood not in MOODS:
        raise ValueError(f"mood must be one of {sorted(MOODS)}; got {mood!r}.")
    style, rng = MOODS[mood], np.random.default_rng(seed)
    bar = int(rng.choice([16, 12]))  # 4/4 or 6/8
    plan = {"seed": int(seed), "mood": mood, "bar": bar, "form": str(rng.choice(FORMS)),
            "bpm": int(rng.integers(*style["bpm"])), "key": int(rng.integers(-5, 7)),
            "chords": [int(d) for d in PROGRESSIONS[rng.integers(len(PROGRESSIONS))]],
            **{part: int(rng.choice(style[part])) for part in ("melody", "bass", "pad")}}
    phrases = {}
    for name in sorted(set(plan["form"])):  # each phrase starts on the tonic
        primer = np.array([2 + 60 - MIN_PITCH], np.int32)
        phrases[name] = np.concatenate([primer, compose(rng, primer, phrase_bars * bar - 1)])
    melody = events_to_notes(np.concatenate([phrases[p] for p in plan["form"]]))
    length = len(plan["form"]) * phrase_bars * bar
    degrees = [plan["chords"][b % 4] for b in range(length // bar)]
    scale = lambda degree, octave: 12 * octave + MAJOR_SCALE[degree % 7] + 12 * (degree // 7)
    bass = np.array([(b * bar, (b + 1) * bar - 1, 36 + scale(d, 0)) for b, d in enumerate(degrees)])
    pad = np.array([(b * bar, (b + 1) * bar, 48 + scale(d + third, 0)) for b, d in enumerate(degrees) for third in (0, 2, 4)])
    parts = []
    for notes, program, velocity in ((melody, plan["melody"], 96), (bass, plan["bass"], 72), (pad, plan["pad"], 56)):
        notes = notes.copy()
        if style["minor"]:
            notes[:, 2] -= np.isin(notes[:, 2] % 12, list(MINOR)).astype(int)
        notes[:, 2] += plan["key"]
        parts.append((np.column_stack([notes, np.full(len(notes), velocity)]), program))
    return to_midi(parts, plan["bpm"]), plan


def ngram_composer(ngram, temperature=1.0, resolution=2**24):
    """compose(rng, primer, length) for `soundtrack` from an event n-gram (lesson 07's NGramModel).

    Each draw uses integer weights round(p ** (1 / temperature) * resolution), so the event drawn
    cannot depend on the last bit of a platform's floating-point maths.
    """
    def compose(rng, primer, length):
        events = list(primer)
        for _ in range(length):
            weights = np.cumsum(np.round(ngram.next_distribution(events) ** (1.0 / temperature) * resolution).astype(np.int64))
            events.append(int(np.searchsorted(weights, rng.integers(weights[-1]), side="right")))
        return np.asarray(events[len(primer):], np.int32)
    return compose
