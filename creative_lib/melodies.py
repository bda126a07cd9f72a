"""Tunes for lesson 08: music21's bundled corpora or a folder of the user's MIDI / ABC / MusicXML files.

    tunes, dropped = load_tunes("ryans")            # Ryan's Mammoth Collection, parsed once, then cached
    tunes, dropped = load_tunes("~/midi/reels")     # a folder of the user's own files
    print(drop_table(dropped))                      # how many were dropped, and why

A Tune is one monophonic line with its notes quantised to 4 steps per quarter note (Magenta's
16th-note grid), its bar length in steps and the pitches as written (untransposed). A file with
several voices or chords gives its top line (the highest sounding note at each moment) and says
so in `Tune.top_line`. Drums are ignored. Every file that cannot give a tune is named in
`dropped` with one short reason, never an exception.

No download: music21's wheel ships the corpora. Parsing ABC with music21 takes about 40 ms a
tune, so files are parsed in parallel processes and the extracted tunes are cached as JSON in
the Keras cache (`cache_dir()/melodies`), keyed by the files, their sizes and this extractor.
"""
import hashlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from creative_lib.assets import cache_dir
from creative_lib.files import write_atomically

STEPS_PER_QUARTER = 4
CORPORA = {  # name -> music21 corpus folder
    "ryans": "ryansMammoth",      # Ryan's Mammoth Collection (1883): 1,059 ABC tunes, one a file
    "oneills": "oneills1850",     # O'Neill's Music of Ireland (1903): 39 ABC files of many tunes
    "essen": "essenFolksong",     # the Essen folksong collection: 31 ABC files of many songs
    "bach": "bach",               # Bach's chorales, MusicXML: four voices, the soprano on top
}
SUFFIXES = {".abc", ".mid", ".midi", ".xml", ".mxl", ".musicxml", ".krn"}
MAX_BAR_STEPS = 32  # the longest bar lesson 08's lookback encoding counts (5 bits): 4/2, 8/4, 16/8
EXTRACTOR_VERSION = 2  # bump when extraction changes, so old caches are not used


@dataclass(frozen=True)
class Tune:
    name: str
    bar_steps: int           # steps in one bar: 16 for 4/4 and 2/2, 12 for 6/8 and 3/4, 8 for 2/4
    notes: np.ndarray        # int (N, 3): start step, end step, MIDI pitch; sorted, never overlapping
    top_line: bool = False   # True when the file had chords or several voices and this is its top line

    def to_json(self):
        return {"name": self.name, "bar_steps": self.bar_steps, "top_line": self.top_line,
                "notes": self.notes.tolist()}

    @classmethod
    def from_json(cls, d):
        return cls(d["name"], d["bar_steps"], np.asarray(d["notes"], dtype=np.int64).reshape(-1, 3), d["top_line"])


def top_line(notes):
    """The highest sounding note at each onset, each cut where the next one starts.

    notes: list of (start, end, pitch) in steps, any order, overlapping -> int array (N, 3).
    Notes that quantise to zero length are left out.
    """
    by_start = {}
    for start, end, pitch in notes:
        if end > start and pitch > by_start.get(start, (0, -1))[1]:
            by_start[start] = (end, pitch)
    starts = sorted(by_start)
    out = []
    for i, start in enumerate(starts):
        end, pitch = by_start[start]
        if i + 1 < len(starts):
            end = min(end, starts[i + 1])
        out.append((start, end, pitch))
    return np.asarray(out, dtype=np.int64).reshape(-1, 3)


def _bar_steps(numerator, denominator):
    """Steps in a bar of numerator/denominator time: 6/8 -> 12."""
    steps = Fraction(numerator * 4 * STEPS_PER_QUARTER, denominator)
    return int(steps) if steps.denominator == 1 else None


def _from_music21(score, name):
    """(Tune or None, reason) from a music21 Score or Part."""
    from music21 import meter, stream

    parts = list(score.parts) if hasattr(score, "parts") and len(score.parts) else [score]
    signatures = {(ts.numerator, ts.denominator) for p in parts for ts in p.recurse().getElementsByClass(meter.TimeSignature)}
    if len(signatures) > 1:
        return None, "changes metre"
    num, den = signatures.pop() if signatures else (4, 4)
    notes, chords, sounding = [], 0, 0
    for part in parts:
        measures = part.getElementsByClass(stream.Measure)
        pickup = float(measures[0].paddingLeft) if len(measures) else 0.0  # an anacrusis shifts bar lines
        for n in part.flatten().notes:
            start = round((float(n.offset) + pickup) * STEPS_PER_QUARTER)
            end = start + round(float(n.quarterLength) * STEPS_PER_QUARTER)
            pitches = [p.midi for p in n.pitches]
            chords += len(pitches) > 1
            sounding += 1
            notes.extend((start, end, p) for p in pitches)
    return _tune(name, notes, _bar_steps(num, den), polyphonic=chords > 0 or len(parts) > 1, only_chords=chords == sounding > 0)


def _from_midi(path, name):
    """(Tune or None, reason) from a MIDI file through pretty_midi (drum tracks left out)."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(str(path))
    per_quarter = pm.resolution / STEPS_PER_QUARTER
    tracks = [inst for inst in pm.instruments if not inst.is_drum and inst.notes]
    if not tracks:
        return None, "only drums" if any(inst.is_drum and inst.notes for inst in pm.instruments) else "no notes"
    ts = pm.time_signature_changes
    if len({(t.numerator, t.denominator) for t in ts}) > 1:
        return None, "changes metre"
    notes = [(round(pm.time_to_tick(n.start) / per_quarter), round(pm.time_to_tick(n.end) / per_quarter), n.pitch)
             for inst in tracks for n in inst.notes]
    starts = [n[0] for n in notes]
    chordal = len(starts) - len(set(starts))
    bar = _bar_steps(ts[0].numerator, ts[0].denominator) if ts else 16
    return _tune(name, notes, bar, polyphonic=len(tracks) > 1 or chordal > 0,
                 only_chords=len(set(starts)) * 2 <= len(starts) and len(tracks) == 1)


def _tune(name, notes, bar_steps, polyphonic, only_chords):
    if not notes:
        return None, "no notes"
    if only_chords:
        return None, "only chords, no melody line"
    if not bar_steps:
        return None, "metre off the 16th-note grid"
    if bar_steps > MAX_BAR_STEPS:
        return None, f"bars longer than {MAX_BAR_STEPS} steps"
    line = top_line(notes)
    if len(line) == 0:
        return None, "no notes on the 16th-note grid"
    return Tune(name, bar_steps, line - [line[0, 0] // bar_steps * bar_steps, line[0, 0] // bar_steps * bar_steps, 0],
                polyphonic), ""


def extract_file(path):
    """All tunes of one file: ([Tune], [(name, reason)]). Never raises: a bad file is one dropped entry."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".mid", ".midi"):
            results = [(path.stem, *_from_midi(path, path.stem))]
        else:
            from music21 import converter, stream

            parsed = converter.parse(str(path))
            scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
            results = []
            for i, score in enumerate(scores):
                title = score.metadata.title if score.metadata and score.metadata.title else ""
                name = f"{path.stem}:{i + 1}" + (f" {title}" if title else "") if len(scores) > 1 else path.stem
                results.append((name, *_from_music21(score, name)))
    except Exception as err:  # music21 and mido raise many kinds; a bad file must not stop the corpus
        return [], [(path.name, f"does not parse ({type(err).__name__})")]
    return [t for _, t, _ in results if t is not None], [(name, why) for name, t, why in results if t is None]


def corpus_files(source):
    """The files of a named corpus, or of a folder: sorted paths. A one-sentence ValueError otherwise."""
    if source in CORPORA:
        from music21 import corpus

        return sorted(Path(p) for p in corpus.getComposer(CORPORA[source]) if Path(p).suffix.lower() in SUFFIXES)
    folder = Path(str(source)).expanduser()
    if not folder.is_dir():
        raise ValueError(f"CORPUS {str(source)!r} is neither one of {sorted(CORPORA)} nor a folder.")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES)
    if not files:
        raise ValueError(f"The folder {folder.name!r} holds no MIDI, ABC or MusicXML file ({', '.join(sorted(SUFFIXES))}).")
    return files


def _cache_path(files):
    import music21

    key = hashlib.sha256(json.dumps([EXTRACTOR_VERSION, music21.__version__] +
                                    [(str(p), p.stat().st_size) for p in files]).encode()).hexdigest()[:16]
    return cache_dir() / "melodies" / f"{key}.json"


def load_tunes(source="ryans", limit=None, processes=None):
    """(tunes, dropped) of a corpus name or a folder, the first `limit` files only if given.

    Parsed in `processes` worker processes (default: one per core) the first time, then read from
    the cache; one line says which. dropped: [(name, reason)].
    """
    began = time.perf_counter()
    files = corpus_files(source)[:limit]
    cached = _cache_path(files)
    if cached.exists():
        data = json.loads(cached.read_text())
        print(f"read {len(data['tunes']):,} tunes of {len(files):,} files from the cache in {time.perf_counter() - began:.1f} s")
        return [Tune.from_json(d) for d in data["tunes"]], [tuple(d) for d in data["dropped"]]
    workers = max(1, min(processes or os.cpu_count() or 1, len(files)))
    if workers == 1:
        results = [extract_file(p) for p in files]
    else:  # spawn, not fork: the parent may have TensorFlow's threads running
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            results = list(pool.map(extract_file, files, chunksize=max(1, len(files) // (8 * workers))))
    tunes = [t for found, _ in results for t in found]
    dropped = [d for _, why in results for d in why]
    if not tunes:
        reasons = ", ".join(sorted({why for _, why in dropped}))
        raise ValueError(f"None of the {len(files)} files of {Path(str(source)).name!r} gave a melody ({reasons}).")
    payload = json.dumps({"tunes": [t.to_json() for t in tunes], "dropped": dropped})
    write_atomically(cached, lambda tmp: Path(tmp).write_text(payload))
    print(f"parsed {len(files):,} files in {time.perf_counter() - began:.1f} s ({workers} processes); cached for the next run")
    return tunes, dropped


def drop_table(dropped, kept, names=3):
    """'kept N tunes, dropped M', then one line a reason (most common first): its count and first names."""
    from collections import Counter

    lines = [f"kept {kept:,} tunes, dropped {len(dropped):,}"]
    for reason, count in Counter(r for _, r in dropped).most_common():
        first = [name for name, r in dropped if r == reason][:names]
        lines.append(f"  {count:5,}  {reason}: {', '.join(first)}{', ...' if count > names else ''}")
    return "\n".join(lines)
