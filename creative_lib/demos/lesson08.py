"""Lesson 08's demo: the lookback melody RNN continues a primer, drawn as a piano roll and played.

    demo = ComposeDemo(model, {"tune": (events, 16), ...}, bpm=100)   # primers: name -> (events (P,), bar steps)
    display(demo.ui)              # pick or upload a primer, set temperature, bars, beam and seed; press Compose
    events = demo.compose("tune", temperature=1.0, bars=8, beam_size=2, seed=1)   # what the button does
    demo.add_file("my_tune.mid")  # what an upload does: its first two bars become a primer (or one red line)

The demo shows its primer as it is built and whenever another one is picked, so a stored notebook
and a browser find a picture before Compose is pressed. The roll is an Image widget and the player
an HTML widget (not an Output area): both are kept, and shown, in a stored notebook. They sit in
`demo.output`, a box with the CSS class "creative-compose-output"; the <audio> element has the
class "creative-audio". One sampler serves every press, its random generator reseeded each time,
so the same seed and settings give the same melody.
"""
import html
import tempfile
import time
from pathlib import Path

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np

from creative_lib import audio, melodies
from creative_lib.demos.kit import STYLE, WIDE, refusal
from creative_lib.melody_rnn import MelodySampler, events_to_notes, notes_to_events, to_c_major
from creative_lib.musicplots import piano_roll, pitch_span
from creative_lib.plotting import figure_png

ACCEPT = (".mid", ".midi", ".abc", ".xml", ".mxl")
ACCEPTED = "a MIDI, ABC or MusicXML file (" + ", ".join(ACCEPT) + ") holding a single-line melody"
PROGRAM = 73        # General MIDI flute
PRIMER_BARS = 2     # an uploaded tune's bars that become the primer


class ComposeDemo:
    """A primer picker (and upload), temperature, bars, beam size and seed, a Compose button, the roll and player."""

    def __init__(self, model, primers, bpm=100, program=PROGRAM):
        self.primers = {str(name): (np.asarray(events, np.int32).reshape(-1), int(bar))
                        for name, (events, bar) in dict(primers).items()}
        if not self.primers:
            raise ValueError("ComposeDemo needs at least one primer: {name: (events, bar steps)}.")
        self.sampler = MelodySampler(model, "lookback", seed=0)
        self.bpm, self.program = bpm, program
        self._quiet = False  # set while the demo moves its own controls, so they do not redraw
        self.picker = w.Dropdown(options=list(self.primers), description="primer", style=STYLE, layout=WIDE)
        self.upload = w.FileUpload(accept=",".join(ACCEPT), multiple=False, description="upload a tune")
        self.temperature = w.FloatSlider(value=1.0, min=0.2, max=2.0, step=0.1, readout_format=".1f",
                                         description="temperature", style=STYLE, layout=WIDE)
        self.bars = w.IntSlider(value=8, min=2, max=32, description="bars to compose", style=STYLE, layout=WIDE)
        self.beam_size = w.IntSlider(value=2, min=1, max=8, description="beam size", style=STYLE, layout=WIDE)
        self.seed = w.IntText(value=1, description="seed", style=STYLE)
        self.button = w.Button(description="Compose", button_style="primary", icon="music")
        self.message = w.HTML()
        self.view = w.Image(format="png", layout=w.Layout(width="760px"))
        self.sound = w.HTML()
        self.output = w.VBox([self.view, self.sound])
        self.output.add_class("creative-compose-output")
        self.picker.observe(lambda _: self._quiet or self.preview(), names="value")
        self.upload.observe(self._uploaded, names="value")
        self.button.on_click(lambda _: self._pressed())
        self.ui = w.VBox([w.HBox([self.picker, self.upload]), self.temperature, self.bars, self.beam_size,
                          self.seed, self.button, self.message, self.output])
        self.preview()

    # ---------------------------------------------------------------- showing a melody

    def show(self, primer, melody, bar, title):
        """Draw primer + melody (events) as one piano roll, a red line where the primer ends, and the player."""
        events = np.concatenate([primer, melody]).astype(np.int32)
        notes = events_to_notes(events)
        fig, ax = plt.subplots(figsize=(10, 3))
        piano_roll(ax, notes, bar, title=title, pitch_range=pitch_span([notes], pad=2))
        ax.set_xlim(0, max(len(events), bar))
        ax.axvline(len(primer), color="red", lw=1.5, label="primer ends")
        fig.tight_layout()
        self.view.value = figure_png(fig, dpi=80)
        player = audio.play([(notes, self.program)], bpm=self.bpm)
        self.sound.value = player.data if len(notes) else "<i>(silence: no notes to play)</i>"

    def preview(self):
        """Show the picked primer alone (before anything is composed from it)."""
        name = self.picker.value
        primer, bar = self.primers[name]
        self.show(primer, primer[:0], bar, f"primer: {name}")
        self.message.value = (f"primer <b>{html.escape(name)}</b>: {len(primer) / bar:g} bars of {bar} steps; "
                              "press <b>Compose</b> to continue it")

    # ---------------------------------------------------------------- composing

    def compose(self, primer_name=None, temperature=None, bars=None, beam_size=None, seed=None):
        """Compose `bars` bars after the primer, draw and play them; returns the new events (bars * bar,).

        Arguments left out are read from the controls; those given are also set on them. An
        impossible setting raises ValueError with one sentence (also shown in the demo).
        """
        primer_name = self.picker.value if primer_name is None else primer_name
        temperature = self.temperature.value if temperature is None else temperature
        bars = self.bars.value if bars is None else bars
        beam_size = self.beam_size.value if beam_size is None else beam_size
        seed = self.seed.value if seed is None else seed
        problem = None
        if primer_name not in self.primers:
            problem = f"There is no primer {primer_name!r}; choose one of {', '.join(self.primers)}."
        elif not (isinstance(temperature, (int, float, np.floating)) and np.isfinite(temperature) and temperature > 0):
            problem = f"The temperature must be a number above 0, not {temperature!r}."
        elif not (isinstance(bars, (int, np.integer)) and bars >= 1):
            problem = f"The number of bars must be a whole number of at least 1, not {bars!r}."
        elif not (isinstance(beam_size, (int, np.integer)) and beam_size >= 1):
            problem = f"The beam size must be a whole number of at least 1, not {beam_size!r}."
        elif not isinstance(seed, (int, np.integer)):
            problem = f"The seed must be a whole number, not {seed!r}."
        if problem:
            self.message.value = refusal(problem)
            raise ValueError(problem)
        self._quiet = True
        try:  # the controls show what is composed (a slider clamps a value outside its range)
            self.picker.value, self.temperature.value, self.bars.value = primer_name, temperature, bars
            self.beam_size.value, self.seed.value = beam_size, seed
        finally:
            self._quiet = False
        primer, bar = self.primers[primer_name]
        self.message.value = "composing ..."
        self.button.disabled = True
        try:
            began = time.perf_counter()
            self.sampler.rng.reset_from_seed(int(seed))
            melody = np.asarray(self.sampler.beam_search(
                primer, bar, int(bars) * bar, float(temperature), beam_size=int(beam_size),
                branch_factor=2 if beam_size > 1 else 1, steps_per_iteration=bar), np.int32)
            seconds = time.perf_counter() - began
            self.show(primer, melody, bar, f"{primer_name} (primer) + {bars} bar{'s' * (bars != 1)} composed")
        finally:
            self.button.disabled = False
        self.message.value = (f"composed {bars} bar{'s' * (bars != 1)} in {seconds:.1f} s; lookback RNN, "
                              f"T={float(temperature):g}, beam {beam_size}, seed {seed}")
        return melody

    def _pressed(self):
        try:
            self.compose()
        except ValueError:  # compose has said why in the message
            pass

    # ---------------------------------------------------------------- a user's tune as a primer

    def _uploaded(self, change):
        files = change["new"]
        if not files:
            return
        upload = files[0]
        self.add_upload(upload.get("name") or "upload", bytes(upload["content"]))
        try:  # empty the button, so the same file can be uploaded again
            self.upload.value = ()
        except Exception:  # an older ipywidgets: the next upload replaces this one anyway
            pass

    def add_upload(self, name, content):
        """An uploaded file's bytes, written to a temporary file with its suffix, then `add_file`."""
        name = Path(name).name or "upload"
        if Path(name).suffix.lower() not in ACCEPT:
            self.message.value = refusal(f"{name} is not a music file this demo reads: upload {ACCEPTED}.")
            return None
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            return self.add_file(path)

    def add_file(self, path):
        """The first tune of a MIDI / ABC / MusicXML file, moved to C, its first two bars added as a primer
        and picked: returns the primer's name, or None after saying in one red line why the file gives none."""
        path = Path(path)
        if path.suffix.lower() not in ACCEPT:
            self.message.value = refusal(f"{path.name} is not a music file this demo reads: upload {ACCEPTED}.")
            return None
        tunes, dropped = melodies.extract_file(path)
        problem = None
        if not tunes:
            why = dropped[0][1] if dropped else "no tune found"
            problem = f"{path.name} gives no melody ({why}): upload {ACCEPTED}."
        else:
            tune = tunes[0]
            notes = to_c_major(tune.notes)
            if notes is None:
                problem = (f"{path.name}'s tune spans more than the model's three octaves (C3 to B5), "
                           f"so it cannot be a primer: upload {ACCEPTED} that fits in three octaves.")
        if problem:
            self.message.value = refusal(problem)
            return None
        primer = notes_to_events(notes)[: PRIMER_BARS * tune.bar_steps]
        name, k = f"{path.stem} (upload)", 2
        while name in self.primers:
            name, k = f"{path.stem} (upload {k})", k + 1
        self.primers[name] = (primer.astype(np.int32), int(tune.bar_steps))
        self._quiet = True
        try:
            self.picker.options = list(self.primers)
            self.picker.value = name
        finally:
            self._quiet = False
        self.preview()
        return name
