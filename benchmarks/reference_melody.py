"""The TensorFlow music-generation tutorial's model and generation loop, rebuilt from its description, for race 08.

The tutorial ("Generate music with an RNN", tensorflow.org/tutorials/audio/music_generation) reads
notes as (pitch, step, duration): step the seconds since the previous note's start, duration the
note's length. Its model reads the last 25 notes (pitch divided by the 128 MIDI pitches) through an
LSTM of 128 units and answers with three Dense heads: 128 pitch logits, one step and one duration
(regressions). It generates one note per `model.predict` call on the window of the last 25 notes:
the pitch sampled from logits / temperature with `tf.random.categorical`, step and duration taken
from the regressions and clamped at 0; the new note is appended and the window slides by one. Its
run generates 120 notes at temperature 2.0 after a window of 25 notes from a training file.

    model = tutorial_model()                                  # (B, 25, 3) -> {"pitch", "step", "duration"}
    notes = tutorial_generate(model, window, count=120)       # (120, 3) pitch, step, duration
"""
import keras
import numpy as np
import tensorflow as tf

TUTORIAL_SEQ = 25  # notes in the window
TUTORIAL_VOCAB = 128  # MIDI pitches; the input's pitch is divided by it
TUTORIAL_TEMPERATURE = 2.0
TUTORIAL_NOTES = 120  # the notes its run generates


def tutorial_model(seq_length=TUTORIAL_SEQ):
    """Notes (B, seq_length, 3) -> {"pitch": (B, 128) logits, "step": (B, 1), "duration": (B, 1)}."""
    notes = keras.Input((seq_length, 3))
    x = keras.layers.LSTM(128)(notes)
    return keras.Model(notes, {"pitch": keras.layers.Dense(TUTORIAL_VOCAB, name="pitch")(x),
                               "step": keras.layers.Dense(1, name="step")(x),
                               "duration": keras.layers.Dense(1, name="duration")(x)}, name="tutorial_music_lstm")


def tutorial_next_note(model, window, temperature=TUTORIAL_TEMPERATURE):
    """One note after the window (seq_length, 3): (pitch, step, duration), as the tutorial's predict_next_note."""
    predictions = model.predict(tf.expand_dims(window, 0), verbose=0)  # one predict call a note
    pitch = tf.squeeze(tf.random.categorical(predictions["pitch"] / temperature, num_samples=1), axis=-1)
    step = tf.maximum(0.0, tf.squeeze(predictions["step"], axis=-1))
    duration = tf.maximum(0.0, tf.squeeze(predictions["duration"], axis=-1))
    return int(pitch.numpy()[0]), float(step.numpy()[0]), float(duration.numpy()[0])


def tutorial_generate(model, window, count=TUTORIAL_NOTES, temperature=TUTORIAL_TEMPERATURE):
    """`count` notes (count, 3) after the window (seq_length, 3) of normalised notes, one predict call each.

    The window (a NumPy array) is updated in place, so a caller can generate in chunks where the last left off.
    The tutorial's own bug is kept: the sampled pitch is appended to the window as it is (0..127),
    not divided by 128 as its training inputs were.
    """
    notes = []
    for _ in range(count):
        note = tutorial_next_note(model, np.asarray(window, np.float32), temperature)
        notes.append(note)
        window[:] = np.append(np.delete(np.asarray(window), 0, axis=0), [note], axis=0)  # slide: the bug above
    return np.array(notes, np.float64).reshape(-1, 3)


def tutorial_window(seq_length=TUTORIAL_SEQ):
    """A starting window (seq_length, 3): a C major scale of 16th notes, pitch / 128 as the tutorial reads it."""
    pitches = 60 + np.resize([0, 2, 4, 5, 7, 9, 11, 12], seq_length)
    return np.stack([pitches / TUTORIAL_VOCAB, np.full(seq_length, 0.125), np.full(seq_length, 0.125)], axis=1)
