"""The shapes CNN that lesson 02 trains and lessons 03 and later reuse (data/shapes_cnn.keras).

    model = load_shapes_model()                       # Keras model: (B, H, W, 3) in [0, 1] -> (B, 6)
    python -m creative_lib.shapes_model rebuild       # retrain it with lesson 02's classroom settings

Its architecture and training loop are lesson 02's (creative_lib.cnn); this module only knows
where the file lives, how to load it, and how to rebuild it.
"""
import sys
from pathlib import Path

import keras

from creative_lib import shapes

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SHAPES_MODEL_PATH = DATA_DIR / "shapes_cnn.keras"
SHAPES_SIZE = 48  # the side of the training images
CLASSROOM_STEPS = 600  # what lesson 02 trains in classroom, and what `rebuild` uses


def load_shapes_model(path=SHAPES_MODEL_PATH):
    """The stored shapes CNN (no optimizer state): (B, H, W, 3) float in [0, 1] -> (B, 6) probabilities."""
    return keras.models.load_model(path)


def rebuild_shapes_model(path=SHAPES_MODEL_PATH, steps=CLASSROOM_STEPS, seed=0):
    """Retrain the shapes CNN with lesson 02's classroom settings and save it to `path`; returns test accuracy."""
    from creative_lib import cnn

    model, _ = cnn.train_shapes_cnn(steps, seed=seed)
    x_test, y_test = shapes.make_shapes(1200, size=SHAPES_SIZE, seed=seed + 1000)
    acc = cnn.test_accuracy(model, x_test, y_test)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    clean = cnn.build_shapes_cnn()  # the same network without the optimizer's state: a smaller file
    clean.set_weights(model.get_weights())
    clean.save(path)
    return acc


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["rebuild"]:
        from creative_lib.session import quiet_tensorflow, seed_everything

        quiet_tensorflow()
        seed_everything(0)
        acc = rebuild_shapes_model()
        print(f"Saved data/{SHAPES_MODEL_PATH.name} (test accuracy {acc:.3f} on 1,200 fresh shapes).")
        return 0
    print("usage: python -m creative_lib.shapes_model rebuild", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
