"""Rebuilds data/shapes_cnn.keras: the shapes CNN that lesson 02 trains and lessons 03 and later reuse.

    python -m creative_lib.shapes_model rebuild       # retrain it with lesson 02's classroom settings

A tool at the level of the lessons' code: it trains with lesson 02's own functions
(creative_lib.cnn), so no shared service imports it. Lessons load the file it writes as the
`shapes` backbone (creative_lib.backbones.shapes_cnn, or load_backbone("shapes")).
"""
import sys
from pathlib import Path

from creative_lib import import_tensorflow_quietly, shapes
from creative_lib.backbones import SHAPES_CNN_PATH

SHAPES_SIZE = 48  # the side of the training images
CLASSROOM_STEPS = 600  # what lesson 02 trains in classroom, and what `rebuild` uses


def rebuild_shapes_model(path=SHAPES_CNN_PATH, steps=CLASSROOM_STEPS, seed=0):
    """Retrain the shapes CNN with lesson 02's classroom settings and save it to `path`; returns test accuracy."""
    from creative_lib import cnn  # lesson 02's code, imported when a rebuild needs it

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
        import_tensorflow_quietly()
        from creative_lib.session import quiet_tensorflow, seed_everything

        quiet_tensorflow()
        seed_everything(0)
        acc = rebuild_shapes_model()
        print(f"Saved data/{SHAPES_CNN_PATH.name} (test accuracy {acc:.3f} on 1,200 fresh shapes).")
        return 0
    print("usage: python -m creative_lib.shapes_model rebuild", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
