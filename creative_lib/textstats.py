"""Measures of a play's structure, for comparing what lesson 07's models write with Shakespeare.

    known = Known.from_text(train_text)              # the words of the training plays
    structure_scores(sample, known)                  # {"brackets closed": (0.97, 31), ...}: share, how many
    inside(text, "[", "]"), line_position(text)      # per-character signals, for reading a neuron

Every score is a share in [0, 1] (higher is more like the plays), measured on the text alone, and
comes with how many things it was measured on:
- brackets closed: of the lines with a "[" or "]", those whose brackets open before they close
  and all close (a stage direction, "[Enter HAMLET]", is one line in the corpus);
- speeches well formed: of the paragraphs (text between blank lines), those that are a stage
  direction or a speaker line ("NAME:", the paragraph's first line) followed by at least one line
  of speech (a speech that goes on after a stage direction has no speaker line, so the plays
  score a little under 1);
- lines of verse length: of the lines of speech, those of 25 to 55 characters, as most of an
  iambic pentameter's are (a model must count some 40 characters back to know its line is long);
- real words: of the words (letters, with inner apostrophes), those found in the training plays.
"""
import re
from dataclasses import dataclass

import numpy as np

SPEAKER = re.compile(r"^[A-Z][A-Za-z'. -]*:$")  # "HAMLET:", "First Witch:": a speaker line when it opens a paragraph
WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


def words(text):
    """The words of text, lower-cased: letters with inner apostrophes ("o'er", "look'd")."""
    return [w.lower() for w in WORD.findall(text)]


@dataclass(frozen=True)
class Known:
    words: frozenset

    @classmethod
    def from_text(cls, text):
        return cls(frozenset(words(text)))


def _share(hits, total):
    return hits / total if total else float("nan")


def paragraphs(text):
    """The paragraphs of text (split at blank lines), each a list of its lines."""
    return [p.strip("\n").split("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def brackets_closed(text, open_="[", close="]"):
    """(share, n): of the n lines holding open_ or close, the share whose brackets all open, then close."""
    lines = [ln for ln in text.split("\n") if open_ in ln or close in ln]
    good = 0
    for line in lines:
        depth = 0
        for c in line:
            depth += (c == open_) - (c == close)
            if depth < 0:
                break
        good += depth == 0
    return _share(good, len(lines)), len(lines)


def speeches_well_formed(text):
    """(share, n): of the n paragraphs, the share that are one stage direction, or a speaker line and speech."""
    inner = paragraphs(text)[1:-1]  # the first and last may be cut by the sample's ends
    direction = lambda p: len(p) == 1 and p[0].startswith("[") and p[0].endswith("]")  # noqa: E731
    speech = lambda p: len(p) > 1 and bool(SPEAKER.match(p[0]))  # noqa: E731
    good = sum(direction(p) or speech(p) for p in inner)
    return _share(good, len(inner)), len(inner)


def speech_lines(text):
    """The lines of speech: every line but the speaker line that opens a paragraph and stage directions."""
    lines = []
    for p in paragraphs(text):
        lines += [ln for ln in p[1 if SPEAKER.match(p[0]) else 0:] if not ln.startswith("[")]
    return lines


def structure_scores(text, known, verse=(25, 55)):
    """{score name: (share in [0, 1], how many things it was measured on)} of text (see the module's
    docstring); the share is NaN where nothing was counted."""
    lengths, ws = [len(ln) for ln in speech_lines(text)], words(text)
    return {"brackets closed": brackets_closed(text),
            "speeches well formed": speeches_well_formed(text),
            "lines of verse length": (_share(sum(verse[0] <= n <= verse[1] for n in lengths), len(lengths)),
                                      len(lengths)),
            "real words": (_share(sum(w in known.words for w in ws), len(ws)), len(ws))}


def inside(text, open_="[", close="]"):
    """(T,) float: 1 at the characters between open_ and its close (both included), else 0."""
    depth, out = 0, np.zeros(len(text))
    for t, c in enumerate(text):
        depth += c == open_
        out[t] = depth > 0
        depth = max(0, depth - (c == close))
    return out


def line_position(text):
    """(T,) float: how many characters of its line come before each character (0 after a newline)."""
    out, k = np.zeros(len(text)), 0
    for t, c in enumerate(text):
        out[t] = k
        k = 0 if c == "\n" else k + 1
    return out
