"""Race 06: lesson 06's CycleGAN training against the TensorFlow CycleGAN tutorial's, to +3 dB on held-out fog.

Both learn to defog from the lesson's data (`defog_data`: 64 x 64 crops of three clear photos and
of three others under random fog, unpaired, batches of one) and are scored as the lesson scores
them: the mean PSNR of G's output against the clear originals of six held-out foggy photos
(china with modelled depth and the motorcycle with its measured depth, each at densities 0.5, 1
and 1.5), with `translate`. The target is fixed beforehand: the foggy input's own PSNR + 3 dB.

The lesson's recipe: `build_unet(16)` (a U-Net of 4 levels), `build_discriminator(16)`, the least-squares
loss, image pools of 50 and `cyclegan_optimizer` decaying over its classroom run of 5,000 steps,
where it stops. The tutorial's (reference_cyclegan): pix2pix's U-Net at the tutorial's widths (cut
to 64 px) and PatchGAN, the log loss, four constant Adams, no pool, random jitter. Each trains in
turns of about 15 s for a wall budget of 150 s; PSNR is measured between turns, off the clock.

    python -m benchmarks.race_cyclegan [--size tiny|bench] [--json result.json]
"""
import numpy as np
import tensorflow as tf

from benchmarks.racing import Contender, race, timed_chunks
from benchmarks.reference_cyclegan import (levels, tutorial_discriminator, tutorial_generator, tutorial_optimizer,
                                           tutorial_train_step)
from benchmarks.results import main, outcome
from creative_lib import photos
from creative_lib.cyclegan import (ImagePool, build_discriminator, build_unet, cyclegan_optimizer, depth_from_disparity,
                                   fog_at, ground_depth, make_cyclegan_step, random_fog, to_network, translate)
from creative_lib.images import psnr, resize
from creative_lib.toydata import minibatches
from creative_lib.training import build_optimizers

# side: photos' longer side; crops: per domain; seconds: each contender's wall budget, in turns of `turn`
# seconds; width: the tutorial's channels (1: its own; tiny shrinks them, to trace and step in a blink)
SIZES = {"tiny": dict(side=96, crops=16, seconds=1.0, turn=0.5, width=0.125),
         "bench": dict(side=256, crops=500, seconds=150.0, turn=15.0, width=1.0)}
CROP, FILTERS, STEPS = 64, 16, 5000  # the lesson's crop and width; its classroom run: 10 epochs of 500
DENSITIES, AIRLIGHT = (0.5, 1.0, 1.5), 0.85  # the held-out fogs
GAIN = 3.0  # dB over the foggy input: the target


def held_out_pairs(side):
    """Lesson 06's six held-out (clear, foggy) pairs in [0, 1]: china, then the motorcycle, at densities 0.5, 1, 1.5."""
    china, motorcycle = (photos.load_scene(name, max_side=side) for name in photos.HELD_OUT)
    measured = depth_from_disparity(photos.motorcycle_disparity(), **photos.MOTORCYCLE_CALIBRATION)
    scenes = ((china, ground_depth(*china.shape[:2])),
              (motorcycle, resize(measured[..., None], motorcycle.shape[:2])[..., 0]))
    return [(clear, fog_at(clear, depth, density, AIRLIGHT)) for clear, depth in scenes for density in DENSITIES]


def defog_data(side, crops, crop=CROP, seed=0):
    """Lesson 06's training crops as its notebook draws them: (foggy, clear), each (crops, crop, crop, 3) in [0, 1].

    The clear domain is cropped from photos.CLEAR; the foggy one from six random fogs of each of photos.FOGGY.
    """
    rng = np.random.default_rng(seed)
    clear_photos = [photos.load_scene(name, max_side=side) for name in photos.CLEAR]
    fog_sources = [photos.load_scene(name, max_side=side) for name in photos.FOGGY]
    foggy_photos = [random_fog(p, ground_depth(*p.shape[:2]), rng) for p in fog_sources for _ in range(6)]
    clear = photos.random_crops(clear_photos, crops, crop, rng)
    return photos.random_crops(foggy_photos, crops, crop, rng), clear


def held_out_psnr(generator, pairs, multiple):
    """The mean PSNR (dB) of generator's defogging of each held-out foggy photo against its clear original."""
    return float(np.mean([psnr(clear, translate(generator, foggy, multiple)) for clear, foggy in pairs]))


def batches(foggy, clear, seed=0):
    """Endless (x foggy, y clear) batches of one crop each, in [-1, 1], in the lesson's order."""
    return ((to_network(x), to_network(y)) for x, y in minibatches(foggy, clear, batch_size=1, seed=seed))


def ours_work(data, s):
    """The lesson's CycleGAN as its notebook trains it: (work, G, its optimizer)."""
    G, F = build_unet(FILTERS, name="G_defog"), build_unet(FILTERS, name="F_fog")
    D_Y, D_X = build_discriminator(FILTERS, name="D_clear"), build_discriminator(FILTERS, name="D_foggy")
    g_opt, d_opt = cyclegan_optimizer(STEPS), cyclegan_optimizer(STEPS)
    build_optimizers(((g_opt, G.trainable_variables + F.trainable_variables),
                      (d_opt, D_Y.trainable_variables + D_X.trainable_variables)))
    pools = ImagePool(50, (CROP, CROP, 3), seed=0), ImagePool(50, (CROP, CROP, 3), seed=1)
    step = make_cyclegan_step(G, F, D_Y, D_X, g_opt, d_opt, *pools)
    state = [v for net in (G, F, D_Y, D_X) for v in net.variables] + [*g_opt.variables, *d_opt.variables]
    state += [v for pool in pools for v in (pool.images, pool.stored, pool.rng.state)]
    stream = batches(*data)
    return timed_chunks(lambda: step(next(stream)), s["seconds"], s["turn"], restore=state, most=STEPS), G, g_opt


def reference_work(data, s):
    """The tutorial's CycleGAN, rebuilt: (work, G, G's optimizer)."""
    G, F = (tutorial_generator(CROP, s["width"], name) for name in ("tutorial_G_defog", "tutorial_F_fog"))
    D_X, D_Y = (tutorial_discriminator(s["width"], name) for name in ("tutorial_D_foggy", "tutorial_D_clear"))
    optimizers = [tutorial_optimizer() for _ in range(4)]
    networks = (G, F, D_X, D_Y)
    build_optimizers(zip(optimizers, (n.trainable_variables for n in networks)))
    step = tutorial_train_step(*networks, *optimizers)
    state = [v for net in networks for v in net.variables] + [v for o in optimizers for v in o.variables]
    stream = batches(*data)
    work = timed_chunks(lambda: step(*map(tf.constant, next(stream))), s["seconds"], s["turn"], restore=state)
    return work, G, optimizers[0]


def run(size):
    s = SIZES[size]
    data, pairs = defog_data(s["side"], s["crops"]), held_out_pairs(s["side"])
    foggy_psnr = float(np.mean([psnr(clear, foggy) for clear, foggy in pairs]))
    ours, G, g_opt = ours_work(data, s)
    theirs, their_G, their_opt = reference_work(data, s)
    multiple = 2 ** levels(CROP)  # the U-Net halves the image that many times
    curves = race([Contender("ours", ours, lambda: held_out_psnr(G, pairs, 16)),
                   Contender("reference", theirs, lambda: held_out_psnr(their_G, pairs, multiple))])
    for name, curve in curves.items():
        print(f"{name}: " + ", ".join(f"{t:.0f} s {q:.2f} dB" for t, q in zip(curve.seconds, curve.quality)))

    widths = "its widths" if s["width"] == 1 else f"{s['width']:g} of its widths"

    def ran(curve, optimizer):
        steps, seconds = int(optimizer.iterations), curve.seconds[-1]
        return (f"{steps:,} steps in {seconds:.0f} s ({steps / seconds:.1f} a second), ending at "
                f"{curve.final:.2f} dB (best {max(curve.quality[1:]):.2f})")

    return outcome(curves, higher_is_better=True, target=foggy_psnr + GAIN, start=foggy_psnr, race="06 CycleGAN",
                   measure=f"held-out defogging PSNR (dB), higher is better; target: the foggy input's {GAIN:+g} dB",
                   setting=f"the lesson's CycleGAN (U-Net generators of {G.count_params():,} parameters, 4 levels, least "
                           f"squares, image pools, Adam decaying over its {STEPS:,}-step classroom run) against the "
                           f"TensorFlow tutorial's (pix2pix U-Net generators of {their_G.count_params():,}: "
                           f"{widths}, {levels(CROP)} levels deep at {CROP} px where its 256 px take 8; log loss, no "
                           f"pool, constant Adam, random jitter), batches of one "
                           f"{CROP}-px crop from {s['crops']:,} a domain, a wall budget of {s['seconds']:g} s "
                           f"each in turns of {s['turn']:g} s. Ours: {ran(curves['ours'], g_opt)}; the "
                           f"tutorial's: {ran(curves['reference'], their_opt)}; the foggy input: "
                           f"{foggy_psnr:.2f} dB.")


if __name__ == "__main__":
    main(run)
