"""Checked exercises of lesson 08 (a melody RNN): `from creative_lib.exercises import ex08 as ex`.

Each reference is built on the course's own code (creative_lib.melody_rnn, nn, ngram); each model
answer is a function written from scratch below, which `ex.qN.solution()` prints. Sampling is
checked by the frequencies of many draws, whatever generator calls a correct answer makes.
"""
import numpy as np

from creative_lib import nn
from creative_lib.exercises.core import Case, Question, compare_close, compare_frequencies, short
from creative_lib.melody_rnn import (MIN_PITCH, NO_EVENT, NOTE_OFF, NUM_CLASSES, basic_inputs, events_to_notes,
                                     lookback_inputs, notes_to_events)
from creative_lib.ngram import fit_ngram_models

# Twinkle twinkle in C: six touching quarter notes, then a half note.
TWINKLE = np.array([[0, 4, 60], [4, 8, 60], [8, 12, 67], [12, 16, 67], [16, 20, 69], [20, 24, 69], [24, 32, 67]])


# q1 ------------------------------------------------------------------------------------------
def melody_to_events(notes):
    events = np.full(notes[-1, 1] + 1, NO_EVENT, dtype=np.int32)
    for start, end, pitch in notes:  # in order, so a note-on overwrites the NOTE_OFF of a note it touches
        events[start] = pitch - MIN_PITCH + 2
        events[end] = NOTE_OFF
    return events


q1 = Question(
    "q1", "Notes to melody events",
    cases=[Case(args=(TWINKLE,), label="twinkle: touching notes, no rest"),
           Case(args=(np.array([[0, 2, 72], [6, 8, 71], [8, 9, 48], [12, 16, 83]]),), label="rests between notes"),
           Case(args=(np.array([[4, 36, 64]]),), label="one long note after a rest of one beat"),
           Case(args=(np.array([[0, 1, 50], [1, 2, 50], [2, 3, 50]]),), label="the same pitch three times, one step each")],
    reference=notes_to_events,
    hint="Start from np.full(last end + 1, NO_EVENT). For each note (in order) write its note-on class "
         "pitch - MIN_PITCH + 2 at its start and NOTE_OFF at its end: the next note's note-on overwrites "
         "that NOTE_OFF when the notes touch, because a note-on also ends the note before it.",
    solution=melody_to_events,
)


# q2 ------------------------------------------------------------------------------------------
def events_to_melody(events):
    notes, start, pitch = [], None, None
    for t, event in enumerate(events):
        if event == NO_EVENT:
            continue
        if pitch is not None:  # a NOTE_OFF or a note-on ends the sounding note
            notes.append([start, t, pitch])
        start, pitch = (t, event - 2 + MIN_PITCH) if event >= 2 else (None, None)
    if pitch is not None:  # the melody ends while a note sounds
        notes.append([start, len(events), pitch])
    return np.array(notes, dtype=np.int64).reshape(-1, 3)


q2 = Question(
    "q2", "Melody events back to notes",
    cases=[Case(args=(notes_to_events(TWINKLE),), label="twinkle's events"),
           Case(args=(np.array([1, 0, 14, 0, 1, 0, 0, 21, 1, 1, 0, 16, 0, 0, 1]),),
                label="a stray NOTE_OFF first, rests, a doubled NOTE_OFF"),
           Case(args=(np.array([26, 0, 0, 0, 24, 0, 23, 0, 0]),), label="a melody ending without NOTE_OFF"),
           Case(args=(np.zeros(8, np.int32),), label="eight steps of NO_EVENT: no notes, shape (0, 3)")],
    reference=events_to_notes,
    hint="Walk through the events, remembering the start and pitch of the sounding note. Any event other than "
         "NO_EVENT ends it (note [start, t, pitch]); a note-on e >= 2 starts pitch e - 2 + MIN_PITCH. A note "
         "still sounding at the end lasts until len(events). Return int (N, 3), also when N is 0.",
    solution=events_to_melody,
)


# q3 ------------------------------------------------------------------------------------------
def _step_inputs_reference(events, t, bar):
    return basic_inputs(events[None])[0, t].numpy(), lookback_inputs(events[None], bar)[0, t].numpy()


def _compare_inputs(result, expected):
    if not (isinstance(result, tuple) and len(result) == 2):
        return "expected a tuple (basic input, lookback input)"
    for name, value in zip(("basic", "lookback"), result):
        if not (isinstance(value, np.ndarray) and value.dtype == np.float32):
            return f"the {name} input must be a NumPy float32 array, got {type(value).__name__} of {getattr(value, 'dtype', '?')}"
    return compare_close(result, expected)


def step_inputs(events, t, bar):
    one_hot = lambda e: np.eye(NUM_CLASSES, dtype=np.float32)[e]
    back = lambda distance: events[t - distance] if t >= distance else NO_EVENT
    basic = one_hot(events[t])
    step_in_bar = (t + 1) % bar  # the position of the step being predicted
    counter = 2.0 * ((step_in_bar >> np.arange(5)) & 1) - 1
    repeats = [float(t >= d and events[t] == events[t - d]) for d in (bar, 2 * bar)]
    lookback = np.concatenate([basic, one_hot(back(bar - 1)), one_hot(back(2 * bar - 1)), counter, repeats])
    return basic, lookback.astype(np.float32)


_REEL = np.tile(np.array([26, 0, 1, 0, 30, 0, 33, 0, 37, 0, 0, 0, 33, 0, 30, 0], np.int32), 3)  # one bar, three times
_JIG = np.array([30, 0, 0, 28, 0, 26, 25, 0, 0, 23, 0, 21, 30, 0, 0, 28, 0, 26, 25, 0, 0, 23, 1, 0,
                 30, 0, 0, 28, 0, 27, 25, 0, 0, 23, 0, 21], np.int32)  # three bars of 6/8, as in the lesson
q3 = Question(
    "q3", "One step's basic and lookback inputs",
    cases=[Case(args=(_REEL, 0, 16), label="4/4 (bar 16), t = 0"),
           Case(args=(_REEL, 5, 16), label="4/4 (bar 16), t = 5, before one bar"),
           Case(args=(_REEL, 15, 16), label="4/4 (bar 16), t = 15, the last step of bar 1"),
           Case(args=(_REEL, 40, 16), label="4/4 (bar 16), t = 40, repeating 1 and 2 bars back"),
           Case(args=(_JIG, 3, 12), label="6/8 (bar 12), t = 3, before one bar"),
           Case(args=(_JIG, 14, 12), label="6/8 (bar 12), t = 14, repeating one bar back"),
           Case(args=(_JIG, 29, 12), label="6/8 (bar 12), t = 29, a changed note in bar 3")],
    reference=_step_inputs_reference,
    compare=_compare_inputs,
    hint="basic = one-hot of events[t] (38). lookback = [one-hot events[t], one-hot of the event at t + 1 - bar, "
         "one-hot of the event at t + 1 - 2 bar (NO_EVENT before the tune), 5 bits of (t + 1) % bar, lowest first, "
         "as -1/+1, then 1.0 if events[t] equals the event one bar back (and t >= bar), the same two bars back]: "
         "38 * 3 + 5 + 2 = 121 float32 numbers.",
    solution=step_inputs,
)


# q4 ------------------------------------------------------------------------------------------
class _Draws(Question):
    """A Question whose cases (logits, temperature, rng, draws) call the function `draws` times."""

    def verdict(self, fn):
        if not callable(fn):
            return super().verdict(fn)

        def many(logits, temperature, rng, draws):
            try:
                return [fn(logits, temperature, rng) for _ in range(draws)]
            except ValueError as err:
                return err

        return super().verdict(many)


def _check_draws(result, case):
    logits, temperature, _, draws = case.args
    if temperature <= 0:
        return None if isinstance(result, ValueError) else f"expected ValueError for temperature {temperature}"
    if isinstance(result, ValueError):
        return f"your function raised ValueError: {result}"
    samples = np.asarray(result)
    if samples.shape != (draws,) or not np.issubdtype(samples.dtype, np.integer):
        return f"each call must return one integer index, got {short(result[0])}"
    return compare_frequencies(samples, nn.softmax(np.asarray(logits) / temperature), tolerance=0.03)


def sample_with_temperature(logits, temperature, rng):
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0; got {temperature}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


_LOGITS = np.array([2.0, 1.0, 0.0, -1.0, 0.5])
q4 = _Draws(
    "q4", "Sampling one event with a temperature",
    cases=[Case(args=(_LOGITS, 1.0, np.random.default_rng(0), 4000), label="temperature 1: the softmax itself"),
           Case(args=(_LOGITS, 0.01, np.random.default_rng(1), 500), label="temperature 0.01: almost always the argmax"),
           Case(args=(_LOGITS, 100.0, np.random.default_rng(2), 4000), label="temperature 100: nearly uniform"),
           Case(args=(_LOGITS, 0.0, np.random.default_rng(3), 1), label="temperature 0 must raise ValueError"),
           Case(args=(_LOGITS, -1.0, np.random.default_rng(4), 1), label="temperature -1 must raise ValueError")],
    checker=_check_draws,
    hint="Raise ValueError unless temperature > 0. Divide the logits by the temperature, subtract the max, "
         "exponentiate and normalise (a softmax), then return int(rng.choice(len(p), p=p)): one index per call.",
    solution=sample_with_temperature,
)


# q5 ------------------------------------------------------------------------------------------
def _perplexity_reference(model, songs):
    """2 ** (bits per event), pooled over songs scored one by one with the n-gram's log2_probs."""
    log2p = np.concatenate([model.log2_probs(s["events"]) for s in songs])
    return 2.0 ** -log2p.mean()


def ngram_perplexity(model, songs):
    log2p = []
    for song in songs:
        events = song["events"]
        for t in range(1, len(events)):  # each song's history starts with the song
            log2p.append(np.log2(model.next_distribution(events[:t])[events[t]]))
    return 2.0 ** -np.mean(log2p)


_rng = np.random.default_rng(8)
_P = _rng.dirichlet(np.full(NUM_CLASSES, 0.3))
_TRAIN = _rng.choice(NUM_CLASSES, 2000, p=_P)
_MODELS = fit_ngram_models(_TRAIN, 3, NUM_CLASSES)
_SONGS = [{"bar": 16, "events": _rng.choice(NUM_CLASSES, n, p=_P)} for n in (40, 25, 2)]
q5 = Question(
    "q5", "Perplexity of an n-gram on whole songs",
    cases=[Case(args=(_MODELS[0], _SONGS[:1]), label="order 1 (unigram), one song"),
           Case(args=(_MODELS[2], _SONGS[:1]), label="order 3, one song"),
           Case(args=(_MODELS[2], _SONGS), label="order 3, three songs: no history crosses from one song into the next"),
           Case(args=(_MODELS[1], [{"bar": 16, "events": _TRAIN[:300]}]), label="order 2, a piece of its training events")],
    reference=_perplexity_reference,
    hint="For each song separately, and for t = 1 .. T-1, P(events[t] | events[:t]) is "
         "model.next_distribution(events[:t])[events[t]] (model.log2_probs(events) gives all their log2 at once). "
         "Pool the log2 P of all songs' steps: perplexity = 2 ** -(their mean).",
    solution=ngram_perplexity,
)
