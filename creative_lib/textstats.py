"""Measures of a play's structure, for comparing what lesson 07's models write with Shakespeare.

    known = Known.from_text(train_text)              # the words of the training plays
    structure_scores(sample, known)                  # {"brackets closed": 0.97, ...}, each in [0, 1]
    inside(text, "[", "]"), line_position(text)      # per-character signals, for reading a neuron

Every score is a share in [0, 1] (higher is more like the plays), measured on the text alone:
- brackets closed: of the lines with a "[" or "]", those whose brackets open before they close
  and all close (a stage direction, "[Enter HAMLET]", is one line in the corpus);
- speeches well formed: of the paragraphs (text between blank lines), those that are a stage
  direction or a speaker line ("NAME:") followed by at least one line of speech (a speech that
  goes on after a stage direction has no speaker line, so the plays score about 0.96);
- lines of verse length: of the lines of speech, those of 25 to 55 characters, as most of an
  iambic pentameter's are (a model must count some 40 characters back to know its line is long);
- real words: of the words (letters, with inner apostrophes), those found in the training plays.
"""
import re
from dataclasses import dataclass

import numpy as np

SPEAKER = re.compile(r"^[A-Z][A-Za-z'. -]*:$")  # a speaker line: "HAMLET:", "First Witch:"
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


def brackets_closed(text, open_="[", close="]"):
    """Of the lines holding open_ or close, the share where every bracket opens before it closes and closes."""
    lines = [ln for ln in text.split("\n") if open_ in ln or close in ln]
    good = 0
    for line in lines:
        depth = 0
        for c in line:
            depth += (c == open_) - (c == close)
            if depth < 0:
                break
        good += depth == 0
    return _share(good, len(lines))


def speeches_well_formed(text):
    """Of the paragraphs, the share that are one stage direction or a speaker line and at least one line."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()][1:-1]  # the ends may be cut
    good = 0
    for p in paragraphs:
        lines = p.strip("\n").split("\n")
        direction = len(lines) == 1 and lines[0].startswith("[") and lines[0].endswith("]")
        good += direction or (len(lines) > 1 and bool(SPEAKER.match(lines[0])))
    return _share(good, len(paragraphs))


def speech_lines(text):
    """The lines of speech: neither blank, nor a speaker line, nor a stage direction."""
    return [ln for ln in text.split("\n") if ln.strip() and not SPEAKER.match(ln) and not ln.startswith("[")]


def structure_scores(text, known, verse=(25, 55)):
    """{score name: share in [0, 1]} of text (see the module's docstring); NaN where nothing was counted."""
    lengths, ws = [len(ln) for ln in speech_lines(text)], words(text)
    return {"brackets closed": brackets_closed(text),
            "speeches well formed": speeches_well_formed(text),
            "lines of verse length": _share(sum(verse[0] <= n <= verse[1] for n in lengths), len(lengths)),
            "real words": _share(sum(w in known.words for w in ws), len(ws))}


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
