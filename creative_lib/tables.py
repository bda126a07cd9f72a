"""Small tables a notebook shows as HTML (and prints as aligned text)."""
import html

import numpy as np
from sklearn.datasets import load_iris


class Table:
    """Rows of values under named columns; floats are shown with two decimals."""

    def __init__(self, columns, rows, caption=""):
        self.columns = [str(c) for c in columns]
        self.rows = [[self._fmt(v) for v in row] for row in rows]
        self.caption = caption

    @staticmethod
    def _fmt(value):
        if isinstance(value, (float, np.floating)):
            return f"{value:.2f}"
        return str(value)

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in self.rows)
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self):
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) for i, c in enumerate(self.columns)]
        line = lambda cells: "  ".join(v.rjust(w) for v, w in zip(cells, widths))  # noqa: E731
        rule = "  ".join("-" * w for w in widths)
        return "\n".join(([self.caption] if self.caption else []) + [line(self.columns), rule]
                         + [line(r) for r in self.rows])


def iris_table(n_rows=8, seed=0):
    """The first rows of the raw Iris data (cm, species), one flower per row, in a random but fixed order."""
    raw = load_iris()
    order = np.random.default_rng(seed).permutation(len(raw.target))[:n_rows]
    columns = [f.replace(" (cm)", "") + " (cm)" for f in raw.feature_names] + ["species"]
    rows = [list(raw.data[i]) + [raw.target_names[raw.target[i]]] for i in order]
    return Table(columns, rows, caption=f"Iris: {n_rows} of {len(raw.target)} flowers")


def predictions_table(probs, y, classes, n_rows=10):
    """True class, predicted class and each class's probability (probs (N, K)), one row per example."""
    rows = []
    for p, label in list(zip(probs, y))[:n_rows]:
        guess = int(np.argmax(p))
        rows.append([classes[label], classes[guess], "yes" if guess == label else "NO"] + list(p))
    return Table(["true", "predicted", "right?"] + [f"p({c})" for c in classes], rows)


def layer_table(model):
    """Each layer of a Keras model but its input: name, output shape, parameters (a Table)."""
    import keras

    def shapes(output):  # a layer may output several tensors (a GRU with return_state: sequence, state)
        return ", ".join(str(tuple(o.shape[1:])) for o in (output if isinstance(output, (list, tuple)) else [output]))

    rows = [(layer.name, shapes(layer.output), f"{int(layer.count_params()):,d}")
            for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    rows.append(("total", "", f"{model.count_params():,d}"))
    return Table(["layer", "output shape", "parameters"], rows, caption=model.name)
