"""Lesson 08's demo: the same seed composes the same melody; a bad upload is one red line, never a crash."""
import html
import re

import numpy as np
import pytest

import creative_lib  # noqa: F401  (quiet TensorFlow import)
from creative_lib.demos.lesson08 import ComposeDemo
from creative_lib.melody_rnn import LOOKBACK_SIZE, NUM_CLASSES, build_melody_rnn


def said(demo):
    """The demo's message as plain text."""
    return html.unescape(re.sub("<[^>]+>", "", demo.message.value))


@pytest.fixture(scope="module")
def demo():
    model = build_melody_rnn(LOOKBACK_SIZE, NUM_CLASSES + 2)  # untrained: only the demo's plumbing is tested
    return ComposeDemo(model, {"test": (np.array([30, 0, 0, 0, 28, 0, 0, 0] * 4, np.int32), 16)}, bpm=100)


def test_the_demo_shows_its_primer_before_compose_is_pressed(demo):
    assert demo.view.value[:4] == b"\x89PNG" and 'class="creative-audio"' in demo.sound.value
    assert "creative-compose-output" in demo.output._dom_classes


def test_the_same_seed_and_settings_compose_the_same_melody(demo):
    first = demo.compose("test", temperature=1.0, bars=2, beam_size=2, seed=1)
    picture = demo.view.value
    second = demo.compose("test", temperature=1.0, bars=2, beam_size=2, seed=1)
    assert first.shape == (32,) and np.array_equal(first, second)
    assert ((first >= 0) & (first < NUM_CLASSES)).all()
    assert said(demo).startswith("composed 2 bars in ") and "T=1, beam 2" in said(demo)
    assert demo.view.value == picture and 'class="creative-audio"' in demo.sound.value


@pytest.mark.parametrize("settings", [{"temperature": 0.0}, {"bars": 0}])
def test_an_impossible_setting_is_one_sentence(demo, settings):
    with pytest.raises(ValueError, match="must be"):
        demo.compose("test", **{"temperature": 1.0, "bars": 2, "beam_size": 1, "seed": 1, **settings})
    assert "must be" in said(demo) and "color:#c00" in demo.message.value


def test_a_garbage_midi_file_is_refused_in_one_line(demo, tmp_path):
    bad = tmp_path / "garbage.mid"
    bad.write_bytes(b"this is not a MIDI file at all" * 10)
    before = list(demo.picker.options), demo.picker.value, demo.view.value
    assert demo.add_file(bad) is None
    assert "color:#c00" in demo.message.value and "garbage.mid" in said(demo) and ".abc" in said(demo)
    assert "\n" not in said(demo) and (list(demo.picker.options), demo.picker.value, demo.view.value) == before
    assert demo.add_upload("notes.txt", b"hello") is None and "notes.txt" in said(demo)
