"""Lesson 08's sound and piano rolls: melodies to MIDI, to a wave, to an inlined OGG player."""
import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pretty_midi
import pytest
import soundfile as sf

from creative_lib import audio, musicplots

SR = 22050
# A bar of C major at 120 bpm (a step is 0.125 s): start step, end step, MIDI pitch.
SCALE = np.array([[0, 2, 60], [2, 4, 62], [4, 6, 64], [6, 8, 65], [8, 12, 67], [12, 16, 72]])


def spectrum_at(wave, hz, sr=SR, width=10):
    """The largest FFT magnitude of `wave` within `width` Hz of `hz`."""
    magnitude = np.abs(np.fft.rfft(wave))
    freqs = np.fft.rfftfreq(len(wave), 1 / sr)
    return magnitude[np.abs(freqs - hz) <= width].max()


def test_to_midi_round_trips_times_and_pitches_through_a_midi_file():
    pm = audio.to_midi([(SCALE, 73), (SCALE[:2] - [0, 0, 12], 32)], bpm=120)
    back = pretty_midi.PrettyMIDI(io.BytesIO(audio.midi_bytes(pm)))
    assert [i.program for i in back.instruments] == [73, 32]
    notes = back.instruments[0].notes
    np.testing.assert_allclose([[n.start, n.end] for n in notes], SCALE[:, :2] * 0.125, atol=1e-3)
    assert [n.pitch for n in notes] == SCALE[:, 2].tolist()
    assert {n.velocity for n in notes} == {90}
    assert back.estimate_tempo() > 0 and back.get_tempo_changes()[1][0] == pytest.approx(120)


def test_a_velocity_column_is_kept_and_a_bad_program_refused():
    pm = audio.to_midi([(np.array([[0, 4, 60, 50]]), 0)], bpm=90)
    assert pm.instruments[0].notes[0].velocity == 50
    assert pm.instruments[0].notes[0].end == pytest.approx(4 * 60 / 90 / 4)
    with pytest.raises(ValueError):
        audio.to_midi([(SCALE, 128)], bpm=120)


def test_midi_bytes_are_the_same_for_the_same_melody_in_any_order():
    one = audio.midi_bytes(audio.to_midi([(SCALE, 0)], bpm=100))
    two = audio.midi_bytes(audio.to_midi([(SCALE[::-1].tolist(), 0)], bpm=100))
    assert one == two and one.startswith(b"MThd")
    assert one != audio.midi_bytes(audio.to_midi([(SCALE, 0)], bpm=101))


def test_the_synth_sounds_harmonics_for_the_whole_melody_and_ends_quietly():
    wave = audio.render(audio.to_midi([(SCALE, 0)], bpm=120), SR, engine="synth")
    assert wave.dtype == np.float32 and np.isfinite(wave).all()
    assert np.abs(wave).max() == pytest.approx(0.9, abs=1e-3)
    assert len(wave) == pytest.approx((2.0 + audio.RELEASE_S) * SR, abs=0.01 * SR)
    assert abs(wave[0]) < 1e-3 and abs(wave[-1]) < 1e-3  # no click at either end:
    assert np.abs(wave[-int(0.005 * SR):]).max() < 0.05  # the release fades out
    heard = [np.abs(wave[int(t * SR):int((t + 0.1) * SR)]).max() for t in np.arange(0, 2.0, 0.25)]
    assert min(heard) > 0.1  # every note sounds


def test_a_synth_note_is_not_a_pure_sine():
    wave = audio.render(audio.to_midi([(np.array([[0, 8, 69]]), 0)], bpm=120), SR, engine="synth")  # 1 s of A4
    assert spectrum_at(wave, 880) > 0.05 * spectrum_at(wave, 440)
    assert spectrum_at(wave, 440) > 20 * spectrum_at(wave, 620)  # energy is at harmonics, not spread


@pytest.mark.skipif(not audio.fluidsynth_available(), reason="FluidSynth is not usable here")
def test_fluidsynth_renders_the_melody():
    wave = audio.render(audio.to_midi([(SCALE, 73)], bpm=120), SR, engine="fluidsynth")
    assert wave.dtype == np.float32 and np.isfinite(wave).all()
    assert np.abs(wave).max() == pytest.approx(0.9, abs=1e-3) and len(wave) >= 2.0 * SR
    assert audio.engine_name() == "fluidsynth"


def test_an_empty_melody_gives_a_short_silence_with_every_engine():
    pm = audio.to_midi([(np.zeros((0, 3)), 0)], bpm=120)
    for engine in ("auto", "synth", "fluidsynth"):
        wave = audio.render(pm, SR, engine=engine)
        assert wave.dtype == np.float32 and 0 < len(wave) < SR and not wave.any()
    with pytest.raises(ValueError):
        audio.render(pm, SR, engine="piano")


def test_ogg_decodes_to_about_the_same_length():
    wave = audio.render(audio.to_midi([(SCALE, 0)], bpm=120), SR, engine="synth")
    back, sr = sf.read(io.BytesIO(audio.ogg_bytes(wave, SR)))
    assert sr == SR and abs(len(back) - len(wave)) < 0.01 * SR
    assert np.abs(back).max() > 0.5


def test_the_player_inlines_a_small_ogg_in_an_audio_element():
    notes = np.array([[s, s + 2, 60 + s % 24] for s in range(0, 160, 2)])  # 20 s at 120 bpm
    page = audio.play([(notes, 0)], bpm=120, title="A <scale>").data
    assert 'class="creative-audio"' in page and "data:audio/ogg;base64," in page
    assert "A &lt;scale&gt;" in page and len(page) < 200_000
    encoded = re.search(r"base64,([^\"]+)", page).group(1)
    back, _ = sf.read(io.BytesIO(base64.b64decode(encoded)))
    assert len(back) > 20 * SR
    with pytest.raises(ValueError):
        audio.play([(notes, 0)])


def test_piano_roll_draws_one_bar_per_note_with_labelled_axes():
    fig, ax = plt.subplots()
    musicplots.piano_roll(ax, SCALE, bar_steps=16, title="C major")
    assert len(ax.patches) == len(SCALE)
    assert ax.get_xlabel() == "step (16th notes)" and ax.get_ylabel() == "MIDI pitch"
    assert ax.get_title() == "C major"
    assert "C4" in [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)


def test_piano_rolls_share_one_pitch_range():
    fig = musicplots.piano_rolls([SCALE, SCALE + [0, 0, 12], np.zeros((0, 3))], ["low", "high", "none"],
                                 suptitle="three")
    limits = {ax.get_ylim() for ax in fig.axes}
    assert len(fig.axes) == 3 and len(limits) == 1
    low, high = limits.pop()
    assert low < 60 and high > 84
    assert [len(ax.patches) for ax in fig.axes] == [6, 6, 0]
    plt.close(fig)
