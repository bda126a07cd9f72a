"""Melodies to MIDI, to sound and to a player in the notebook, for lesson 08.

    pm = to_midi([(melody, 73)], bpm=120)         # a flute playing notes (N, 3): start step, end step, MIDI pitch
    wave = render(pm)                             # float32 mono in [-1, 1]: FluidSynth when usable, else our synth
    play([(melody, 73)], bpm=120, title="sample") # an <audio> player, OGG inlined, a few kB a second

Notes sit on Magenta's grid of 4 steps per quarter note, so a step lasts 60 / bpm / 4 seconds.
`render` uses FluidSynth with the General MIDI soundfont that pretty_midi ships (TimGM6mb.sf2)
when pyfluidsynth and libfluidsynth load; otherwise it adds a few harmonics per note under an
attack-decay-sustain-release envelope, so a melody always sounds and never clicks.
"""
import base64
import functools
import html
import io
import os

import numpy as np
import pretty_midi
import soundfile as sf

STEPS_PER_QUARTER = 4
VELOCITY = 90
PEAK = 0.9
ATTACK_S, DECAY_S, SUSTAIN, RELEASE_S = 0.020, 0.120, 0.6, 0.080
# General MIDI family (program // 8) -> how fast harmonic k fades (amplitude 1 / k**rolloff): lower is brighter.
ROLLOFF = {0: 1.3, 1: 1.5, 2: 1.0, 3: 1.1, 4: 0.9, 5: 1.2, 6: 0.9, 7: 1.8, 8: 0.8, 9: 1.0, 10: 1.2}
MAX_HARMONICS = 8
OGG_COMPRESSION = 0.9  # Vorbis at about 28 kbit/s mono: 3.6 kB a second, clean for a melody; the default is 5.6 kB


def step_seconds(bpm):
    """How long one step (a 16th note) lasts at `bpm` quarter notes per minute."""
    return 60.0 / bpm / STEPS_PER_QUARTER


def to_midi(parts, bpm):
    """A PrettyMIDI of `parts`, a list of (notes, General MIDI program 0-127) pairs.

    notes: (N, 3) start step, end step, MIDI pitch, or (N, 4) with a velocity column (default 90).
    The same parts give the same bytes (`midi_bytes`): notes are written sorted.
    """
    pm = pretty_midi.PrettyMIDI(initial_tempo=float(bpm))
    step = step_seconds(bpm)
    for notes, program in parts:
        if not 0 <= int(program) <= 127:
            raise ValueError(f"program {program} is not a General MIDI program 0-127")
        instrument = pretty_midi.Instrument(program=int(program))
        for row in sorted(map(tuple, np.asarray(notes, dtype=float).tolist())):
            velocity = int(row[3]) if len(row) > 3 else VELOCITY
            instrument.notes.append(pretty_midi.Note(velocity=velocity, pitch=int(row[2]),
                                                     start=row[0] * step, end=row[1] * step))
        pm.instruments.append(instrument)
    return pm


def midi_bytes(pm):
    """The standard MIDI file of `pm` as bytes."""
    buffer = io.BytesIO()
    pm.write(buffer)
    return buffer.getvalue()


def soundfont_path():
    """pretty_midi's bundled General MIDI soundfont."""
    return os.path.join(os.path.dirname(pretty_midi.__file__), "TimGM6mb.sf2")


def _fluidsynth(pm, sr):
    """FluidSynth's rendering of `pm` (float, any length); raises when FluidSynth cannot run."""
    import fluidsynth  # noqa: F401  (pyfluidsynth; loading it loads libfluidsynth, or raises)

    return np.nan_to_num(np.asarray(pm.fluidsynth(sr, soundfont_path()), dtype=np.float64))


@functools.lru_cache(maxsize=None)
def fluidsynth_available():
    """Whether FluidSynth renders a test note here (pyfluidsynth, libfluidsynth and the soundfont)."""
    probe = to_midi([(np.array([[0, 4, 69]]), 0)], bpm=120)
    try:
        return bool(np.abs(_fluidsynth(probe, 22050)).max() > 0)
    except Exception:  # ImportError, OSError from the shared library, anything pyfluidsynth raises
        return False


def engine_name():
    """The engine render(engine="auto") uses here: "fluidsynth" or "synth"."""
    return "fluidsynth" if fluidsynth_available() else "synth"


def _ease(a, b, n):
    """n samples from a towards b along a raised cosine: no corner, so no click or splash of high partials."""
    return a + (b - a) * (1 - np.cos(np.linspace(0.0, np.pi, n, endpoint=False))) / 2


def envelope(n_held, sr):
    """Attack, decay to the sustain level while the note is held, then release to 0: (n_held + release,)."""
    n_attack, n_decay, n_release = (max(1, int(s * sr)) for s in (ATTACK_S, DECAY_S, RELEASE_S))
    held = np.full(max(n_held, 1), SUSTAIN)
    held[:n_attack] = _ease(0.0, 1.0, n_attack)[: len(held)]
    decay = _ease(1.0, SUSTAIN, n_decay)[: max(0, len(held) - n_attack)]
    held[n_attack:n_attack + len(decay)] = decay
    return np.concatenate([held, _ease(held[-1], 0.0, n_release + 1)[1:]])


def synth_note(pitch, seconds, sr, program=0, velocity=VELOCITY):
    """One note as harmonics 1..8 (below Nyquist) with amplitudes 1 / k**rolloff, under `envelope`."""
    hz = pretty_midi.note_number_to_hz(pitch)
    env = envelope(int(round(seconds * sr)), sr)
    t = np.arange(len(env)) / sr
    rolloff = ROLLOFF.get(program // 8, 1.2)
    ks = [k for k in range(1, MAX_HARMONICS + 1) if k * hz < sr / 2]
    tone = sum(np.sin(2 * np.pi * k * hz * t) / k ** rolloff for k in ks)
    return tone * env * velocity / 127


def _synth(pm, sr):
    """The course's own rendering of every non-drum note of `pm`: (end seconds + release) * sr samples."""
    wave = np.zeros(int(np.ceil((pm.get_end_time() + RELEASE_S) * sr)) + 1)
    for instrument in pm.instruments:
        for note in [] if instrument.is_drum else instrument.notes:
            tone = synth_note(note.pitch, note.end - note.start, sr, instrument.program, note.velocity)
            start = int(round(note.start * sr))
            wave[start:start + len(tone)] += tone[: len(wave) - start]
    return wave


def render(pm, sr=22050, engine="auto"):
    """`pm` as a float32 mono wave, peak 0.9 (silence stays zeros).

    engine: "auto" (FluidSynth when `fluidsynth_available()`, else the synth; a failing FluidSynth
    falls back too), "fluidsynth" (raises when unavailable) or "synth".
    """
    if engine not in ("auto", "fluidsynth", "synth"):
        raise ValueError(f"engine must be 'auto', 'fluidsynth' or 'synth', not {engine!r}")
    if not any(i.notes for i in pm.instruments):
        return np.zeros(int(RELEASE_S * sr), np.float32)
    wave = None
    if engine == "fluidsynth" or (engine == "auto" and fluidsynth_available()):
        try:
            wave = _fluidsynth(pm, sr)
        except Exception:
            if engine == "fluidsynth":
                raise
    if wave is None or not np.abs(wave).max() > 0:
        wave = _synth(pm, sr)
    peak = np.abs(wave).max()
    return (wave * (PEAK / peak) if peak > 0 else wave).astype(np.float32)


def ogg_bytes(wave, sr):
    """`wave` (samples,) in [-1, 1] as OGG/Vorbis bytes."""
    buffer = io.BytesIO()
    samples = np.asarray(wave, np.float32)
    sf.write(buffer, samples if samples.size else np.zeros(1, np.float32), sr, format="OGG", subtype="VORBIS",
             compression_level=OGG_COMPRESSION)
    return buffer.getvalue()


def player(wave, sr, title=None):
    """An HTML <audio class="creative-audio"> player with the OGG inlined, and `title` above it."""
    from IPython.display import HTML

    src = "data:audio/ogg;base64," + base64.b64encode(ogg_bytes(wave, sr)).decode("ascii")
    heading = f'<div style="font-weight:bold;margin:4px 0">{html.escape(title)}</div>' if title else ""
    return HTML(f'{heading}<audio class="creative-audio" controls preload="none" src="{src}"></audio>')


def play(parts_or_pm, bpm=None, sr=22050, title=None):
    """A player for a PrettyMIDI, or for a list of (notes, program) pairs at `bpm`."""
    if isinstance(parts_or_pm, pretty_midi.PrettyMIDI):
        pm = parts_or_pm
    elif bpm is None:
        raise ValueError("play(parts, bpm=...): parts of (notes, program) need a tempo")
    else:
        pm = to_midi(parts_or_pm, bpm)
    return player(render(pm, sr), sr, title)
