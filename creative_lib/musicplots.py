"""Lesson 08's figures: melodies as piano rolls, a bar in steps across, MIDI pitch up, a C on every octave."""
import matplotlib.pyplot as plt
import numpy as np
import pretty_midi
from matplotlib.patches import Rectangle


def pitch_span(melodies, pad=2):
    """(lowest, highest) MIDI pitch drawn for melodies of notes (N, 3), `pad` semitones either side."""
    pitches = [p for notes in melodies for p in np.asarray(notes, dtype=float).reshape(-1, 3)[:, 2]]
    return (int(min(pitches)) - pad, int(max(pitches)) + pad) if pitches else (60 - pad, 72 + pad)


def piano_roll(ax, notes, bar_steps=16, title=None, color=None, pitch_range=None):
    """Notes (N, 3) of start step, end step, MIDI pitch as one bar each on `ax`, a grid line on every bar."""
    notes = np.asarray(notes, dtype=float).reshape(-1, 3)
    low, high = pitch_range or pitch_span([notes])
    end = max(bar_steps, notes[:, 1].max() if len(notes) else 0)
    for start, stop, pitch in notes:  # a white edge keeps repeated notes of one pitch apart
        ax.add_patch(Rectangle((start, pitch - 0.4), stop - start, 0.8, facecolor=color or "#48c",
                               edgecolor="white", linewidth=0.5))
    for bar in np.arange(0, end + 1, bar_steps):
        ax.axvline(bar, color="grey", lw=0.5, zorder=0)
    octaves = [p for p in range(low, high + 1) if p % 12 == 0] or [low, high]
    ax.set_yticks(octaves, [pretty_midi.note_number_to_name(p) for p in octaves])
    ax.set(xlim=(0, end), ylim=(low - 0.5, high + 0.5), xlabel="step (16th notes)", ylabel="MIDI pitch")
    if title:
        ax.set_title(title)
    return ax


def piano_rolls(melodies, titles, bar_steps=16, suptitle=None):
    """A figure with one piano roll per melody, one row each, on a pitch range shared by all."""
    fig, axes = plt.subplots(len(melodies), 1, figsize=(10, 1.9 * len(melodies) + 0.6), squeeze=False)
    span = pitch_span(melodies)
    for ax, notes, title in zip(axes[:, 0], melodies, titles):
        piano_roll(ax, notes, bar_steps, title, pitch_range=span)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
