"""Race 08: lesson 08's melody sampler against the TensorFlow music-generation tutorial's loop, to as many notes.

A speed race: the quality is the count of notes each recipe has generated, the target the
tutorial's run (120 notes). Ours: `MelodySampler(model, "lookback")` over the lesson's lookback
RNN (`build_melody_rnn`: two LSTMs of 128), each turn one 16-bar tune of 16th-note events in one
compiled call; its notes are the note-ons among the events (an event >= 2). The tutorial's
(reference_melody): an LSTM of 128 over the last 25 notes, one `model.predict` call a note, each
turn `chunk` notes. Both untrained: generation does the same arithmetic whatever the weights, but
an untrained sampler's events are nearly all note-ons, where a trained one holds notes over
several steps, so the setting also gives ours' events per second: the speed at one note an event.

    python -m benchmarks.race_melody [--size tiny|bench] [--json result.json]
"""
import numpy as np

from benchmarks.racing import Contender, chunks, race
from benchmarks.reference_melody import TUTORIAL_NOTES, tutorial_generate, tutorial_model, tutorial_window
from benchmarks.results import main, outcome
from creative_lib.melody_rnn import LOOKBACK_SIZE, MIN_PITCH, NUM_CLASSES, MelodySampler, build_melody_rnn

# turns; the tutorial's notes a turn; our events a turn (one tune in one compiled call)
SIZES = {"tiny": dict(turns=2, chunk=2, events=32),
         "bench": dict(turns=12, chunk=TUTORIAL_NOTES // 12, events=256)}
BAR = 16  # 4/4 in 16th notes
PRIMER = np.array([2 + 60 - MIN_PITCH], np.int32)  # middle C, as lesson 08's soundtrack starts a phrase


def run(size):
    s = SIZES[size]
    sampler = MelodySampler(build_melody_rnn(LOOKBACK_SIZE, NUM_CLASSES + 2), "lookback", seed=0)
    ours_count = {"events": 0, "notes": 0}

    def ours_step():
        events = sampler.generate(PRIMER, BAR, s["events"])
        ours_count["events"] += len(events)
        ours_count["notes"] += int(np.sum(events >= 2))  # note-ons

    their_model, window, their_notes = tutorial_model(), tutorial_window(), []
    their_step = lambda: their_notes.extend(tutorial_generate(their_model, window, s["chunk"]))  # noqa: E731

    ours_work, their_work = chunks(ours_step, s["turns"]), chunks(their_step, s["turns"])
    next(ours_work), next(their_work)  # compile both (one call each), then forget what that made
    ours_count.update(events=0, notes=0)
    their_notes.clear()
    curves = race([Contender("ours", _prepared(ours_work), lambda: ours_count["notes"]),
                   Contender("reference", _prepared(their_work), lambda: len(their_notes))])
    ours_seconds, their_seconds = curves["ours"].seconds[-1], curves["reference"].seconds[-1]
    ours_rate, their_rate = ours_count["notes"] / ours_seconds, len(their_notes) / their_seconds
    return outcome(curves, higher_is_better=True, race="08 melody RNN",
                   measure=f"notes generated, higher is better; target: the tutorial's run ({len(their_notes)} notes)",
                   setting=f"`MelodySampler` (lookback, 2 LSTMs of 128, {ours_count['events']:,} events in "
                           f"{s['turns']} tunes of {s['events']} 16th-note events, one compiled call each) against "
                           f"the TensorFlow tutorial's loop (LSTM 128 on the last 25 notes, one `model.predict` a "
                           f"note, {s['chunk']} notes a turn), both untrained, temperature 1.0 and 2.0 (each "
                           f"recipe's own). Over all their work: ours {ours_count['events'] / ours_seconds:,.0f} "
                           f"events/s and {ours_rate:,.0f} notes/s ({ours_count['notes']:,} note-ons), the "
                           f"tutorial's {their_rate:,.1f} notes/s: {ours_rate / their_rate:,.0f}× in notes/s, "
                           f"{ours_count['events'] / ours_seconds / their_rate:,.0f}× at one note an event "
                           f"(the issue's aim: 10×). In the table ours is timed to the end of the whole tune that "
                           f"reaches the target, which may hold more notes than the target.")


def _prepared(work):
    """A Contender's work that race() may prepare again: its first next() does nothing."""
    yield
    yield from work


if __name__ == "__main__":
    main(run)
