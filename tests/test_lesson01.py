"""Lesson 01: the NumPy network and its helpers against independent references, and the lesson's metrics."""
import math

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

from creative_lib import nn, nnplots, tables, toydata
from creative_lib.demos.lesson01 import Playground
from creative_lib.exercises import ex01

LESSON = "notebooks/01_neural_networks_and_backprop.ipynb"
rng = np.random.default_rng(0)


def small_net(sizes=(3, 5, 4, 3), seed=0):
    """A float64 MLP with random (nonzero) biases, so no ReLU input sits exactly on the kink at 0."""
    r = np.random.default_rng(seed)
    params = [(W, r.normal(size=b.shape)) for W, b in nn.init_mlp(list(sizes), r)]
    return params, r.normal(size=(6, sizes[0])), r.integers(0, sizes[-1], 6)


# --- 1. the neuron ---------------------------------------------------------------------------

def test_threshold_unit_computes_and_or_with_hand_set_weights():
    x = toydata.LOGIC_INPUTS
    assert nn.threshold_unit(x, np.array([1.0, 1.0]), -1.5).tolist() == [0, 0, 0, 1]
    assert nn.threshold_unit(x, np.array([1.0, 1.0]), -0.5).tolist() == [0, 1, 1, 1]


@pytest.mark.parametrize("gate", ["AND", "OR"])
def test_perceptron_learns_linearly_separable_gates(gate):
    w, b, mistakes = nn.train_perceptron(toydata.LOGIC_INPUTS, toydata.LOGIC_TARGETS[gate], epochs=50)
    assert mistakes[-1] == 0
    assert nn.threshold_unit(toydata.LOGIC_INPUTS, w, b).tolist() == toydata.LOGIC_TARGETS[gate].tolist()


def test_perceptron_never_learns_xor():
    _, _, mistakes = nn.train_perceptron(toydata.LOGIC_INPUTS, toydata.LOGIC_TARGETS["XOR"], epochs=200)
    assert len(mistakes) == 200 and min(mistakes) > 0


# --- 2. activations --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "linear"])
def test_activation_derivatives_match_finite_differences(name):
    g, dg = nn.activation(name)
    z = np.array([-3.0, -1.1, -0.2, 0.3, 0.9, 2.5])  # away from ReLU's kink
    eps = 1e-6
    np.testing.assert_allclose(dg(z), (g(z + eps) - g(z - eps)) / (2 * eps), rtol=1e-6, atol=1e-9)


def test_activations_against_hand_values_and_tf():
    z = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_allclose(nn.sigmoid(z), [1 / (1 + math.e ** 2), 0.5, 1 / (1 + math.e ** -2)])
    np.testing.assert_allclose(nn.sigmoid_grad(np.array([0.0])), [0.25])
    np.testing.assert_allclose(nn.tanh(z), tf.tanh(z).numpy())
    assert nn.relu(z).tolist() == [0.0, 0.0, 2.0] and nn.relu_grad(z).tolist() == [0.0, 0.0, 1.0]
    assert nn.step(z).tolist() == [0.0, 1.0, 1.0] and nn.step_grad(z).tolist() == [0.0, 0.0, 0.0]


def test_sigmoid_is_stable_for_huge_inputs():
    with np.errstate(over="raise", invalid="raise"):
        out = nn.sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(out, [0.0, 1.0])


def test_unknown_activation_is_refused_in_one_sentence():
    with pytest.raises(ValueError, match="Unknown activation 'swishy'"):
        nn.activation("swishy")
    with pytest.raises(ValueError, match="got 'step'"):  # no gradient, so no Keras model with it
        nn.build_keras_mlp([2, 3, 2], act="step")


# --- 3. the MLP ------------------------------------------------------------------------------

def test_init_mlp_shapes_dtypes_and_parameter_count():
    sizes = nn.mlp_sizes(2, 16, 2, 3)
    assert sizes == [2, 16, 16, 3]
    params = nn.init_mlp(sizes, rng)
    assert [(W.shape, b.shape) for W, b in params] == [((2, 16), (16,)), ((16, 16), (16,)), ((16, 3), (3,))]
    assert all(W.dtype == np.float64 for W, _ in params)
    assert nn.init_mlp(sizes, rng, dtype=np.float32)[0][0].dtype == np.float32
    assert nn.param_count(sizes) == sum(W.size + b.size for W, b in params) == 2 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3


@pytest.mark.parametrize("width, depth", [(0, 1), (4, 0)])
def test_mlp_sizes_refuses_empty_networks(width, depth):
    with pytest.raises(ValueError, match="depth >= 1 and width >= 1"):
        nn.mlp_sizes(2, width, depth, 2)


def test_dense_backward_matches_finite_differences():
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    upstream = rng.normal(size=(4, 2))  # L = sum(upstream * z)
    dx, dW, db = nn.dense_backward(upstream, x, W)
    loss = lambda _: np.sum(upstream * nn.dense_forward(x, W, b))  # noqa: E731
    for analytic, array in zip((dx, dW, db), (x, W, b)):
        np.testing.assert_allclose(analytic, nn.numerical_gradient(loss, array), rtol=1e-6, atol=1e-8)


def test_numerical_gradient_against_hand_derivatives():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(nn.numerical_gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2, rtol=1e-7)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # restored after the nudges


def test_softmax_cross_entropy_against_hand_values_and_keras():
    loss, grad = nn.softmax_cross_entropy(np.zeros((2, 4)), np.array([1, 3]))
    assert loss == pytest.approx(math.log(4))
    np.testing.assert_allclose(grad, (np.full((2, 4), 0.25) - np.eye(4)[[1, 3]]) / 2)
    logits, y = rng.normal(size=(5, 3)) * 4, np.array([0, 2, 1, 1, 0])
    expected = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits)
    assert nn.softmax_cross_entropy(logits, y)[0] == pytest.approx(float(expected), rel=1e-6)
    np.testing.assert_allclose(nn.softmax(logits).sum(axis=1), 1.0)
    assert np.isfinite(nn.softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))[0])


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu"])
def test_backprop_passes_the_float64_gradient_check(act):
    params, x, y = small_net()
    assert nn.gradient_check(params, x, y, act) < 1e-6


def test_backprop_of_mse_passes_the_gradient_check():
    params = nn.init_mlp([1, 6, 1], rng)
    x, y = rng.normal(size=(7, 1)), rng.normal(size=(7, 1))
    assert nn.gradient_check(params, x, y, "tanh", loss="mse") < 1e-6


def test_gradient_check_catches_a_wrong_derivative(monkeypatch):
    params, x, y = small_net()
    monkeypatch.setitem(nn.ACTIVATIONS, "tanh", (nn.tanh, lambda z: 1 - nn.tanh(z)))  # a classic slip
    assert nn.gradient_check(params, x, y, "tanh") > 1e-3


def test_gradient_check_refuses_float32():
    params, x, y = small_net()
    params32 = [(W.astype(np.float32), b.astype(np.float32)) for W, b in params]
    with pytest.raises(TypeError, match="float64"):
        nn.gradient_check(params32, x, y)


def tape_gradients(params, x, y, act, loss):
    """The same loss written in TensorFlow ops and differentiated by tf.GradientTape (float64)."""
    g = keras.activations.get(act)
    variables = [(tf.Variable(W), tf.Variable(b)) for W, b in params]
    with tf.GradientTape() as tape:
        h = tf.constant(x)
        for i, (W, b) in enumerate(variables):
            h = tf.matmul(h, W) + b
            if i < len(variables) - 1:
                h = g(h)
        if loss == "xent":
            value = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=h))
        else:
            value = tf.reduce_mean((h - tf.constant(y, h.dtype)) ** 2)
    grads = tape.gradient(value, variables)
    return float(value), [(dW.numpy(), db.numpy()) for dW, db in grads]


@pytest.mark.parametrize("act, loss", [("tanh", "xent"), ("relu", "xent"), ("sigmoid", "mse")])
def test_manual_backprop_equals_gradient_tape(act, loss):
    params, x, y = small_net(sizes=(3, 5, 4, 1 if loss == "mse" else 3))
    if loss == "mse":
        y = rng.normal(size=(len(x), 1))
    value, manual = nn.loss_and_grads(params, x, y, act, loss)
    tape_value, tape = tape_gradients(params, x, y, act, loss)
    assert value == pytest.approx(tape_value, abs=1e-12)
    for (dW, db), (tW, tb) in zip(manual, tape):
        assert tW.dtype == np.float64
        np.testing.assert_allclose(dW, tW, atol=1e-12)
        np.testing.assert_allclose(db, tb, atol=1e-12)


# --- 5. training -----------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer, lr", [("descent", 1.0), ("momentum", 0.5), ("adam", 0.05)])
def test_every_optimiser_solves_xor(optimizer, lr):
    data = toydata.logic_gate("XOR")
    params = nn.init_mlp([2, 4, 2], np.random.default_rng(0))
    losses = nn.train(params, data.x_train, data.y_train, 1500, lr=lr, optimizer=optimizer)
    assert losses[-1] < 0.05 * losses[0]
    assert nn.accuracy(nn.predict_proba(params, data.x_train), data.y_train) == 1.0


def test_train_calls_back_and_refuses_bad_settings():
    data = toydata.logic_gate("XOR")
    params = nn.init_mlp([2, 3, 2], rng)
    seen = []
    record = lambda t, p, losses: seen.append((t, len(losses)))  # noqa: E731
    nn.train(params, data.x_train, data.y_train, 25, callback=record, every=10)
    assert seen == [(10, 10), (20, 20), (25, 25)]
    with pytest.raises(ValueError, match="learning rate"):
        nn.train(params, data.x_train, data.y_train, 5, lr=-1.0)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        nn.train(params, data.x_train, data.y_train, 5, optimizer="rmsprop")


def test_divergence_is_reported_not_saved():
    x, y = toydata.ua_data(50)
    params = nn.init_mlp([1, 8, 1], rng)
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        nn.train(params, x, y * 1e3, 200, lr=10.0, loss="mse", optimizer="momentum")


def test_descent_is_momentum_without_velocity():
    data = toydata.logic_gate("XOR")
    a, b = (nn.init_mlp([2, 3, 2], np.random.default_rng(1)) for _ in range(2))
    nn.train(a, data.x_train, data.y_train, 30, lr=0.3, optimizer="descent")
    for _ in range(30):  # W -= lr * dW by hand
        _, grads = nn.loss_and_grads(b, data.x_train, data.y_train)
        for (W, bias), (dW, db) in zip(b, grads):
            W -= 0.3 * dW
            bias -= 0.3 * db
    for (Wa, ba), (Wb, bb) in zip(a, b):
        np.testing.assert_allclose(Wa, Wb, atol=1e-12)
        np.testing.assert_allclose(ba, bb, atol=1e-12)


# --- 6. data ---------------------------------------------------------------------------------

def test_datasets_shapes_splits_and_determinism():
    moons = toydata.two_moons(n=200, seed=3)
    assert moons.x_train.shape == (140, 2) and moons.x_test.shape == (60, 2) and moons.n_classes == 2
    assert np.array_equal(moons.x_train, toydata.two_moons(n=200, seed=3).x_train)
    sp = toydata.spiral(n=300, classes=3)
    assert sp.n_classes == 3 and len(sp.y_train) + len(sp.y_test) == 300
    assert np.bincount(sp.y_train).tolist() == [70, 70, 70]  # stratified
    assert np.abs(sp.x_train).max() <= 1.05
    iris = toydata.iris()
    assert iris.x_train.shape == (105, 4) and iris.x_test.shape == (45, 4)
    np.testing.assert_allclose(iris.x_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(iris.x_train.std(axis=0), 1)
    assert iris.classes == ("setosa", "versicolor", "virginica")
    xor = toydata.logic_gate("XOR")
    assert xor.y_train.tolist() == [0, 1, 1, 0]


def test_generators_refuse_impossible_requests():
    with pytest.raises(ValueError, match="at least 2 classes"):
        toydata.spiral(n=10, classes=1)
    with pytest.raises(ValueError, match="Unknown gate 'NAND'"):
        toydata.logic_gate("NAND")


def test_tables_render_as_html_and_text():
    table = tables.Table(["a", "b<"], [[1.234, "x&y"]], caption="demo")
    assert "<th>b&lt;</th>" in table._repr_html_() and "x&amp;y" in table._repr_html_()
    assert repr(table).splitlines()[1].split() == ["a", "b<"] and "1.23" in repr(table)
    iris_rows = tables.iris_table(5)
    assert len(iris_rows.rows) == 5 and iris_rows.columns[-1] == "species"
    preds = tables.predictions_table(np.array([[0.9, 0.1], [0.3, 0.7]]), np.array([0, 0]), ("a", "b"))
    assert [r[2] for r in preds.rows] == ["yes", "NO"]


# --- 7. universal approximation --------------------------------------------------------------

def test_width_for_params_and_a_wider_net_fits_better():
    assert nn.param_count(nn.mlp_sizes(1, nn.width_for_params(49, 3), 3, 1)) == 53  # 3 hidden layers of 4
    x, y = toydata.ua_data(60)
    narrow, wide = (nn.fit_curve(w, 1, x, y, 400) for w in (1, 16))
    assert wide["mse"] < narrow["mse"] and wide["n_params"] == 49
    assert wide["output"].shape == (60,) and wide["name"] == "1-16-1"


# --- 8. Keras and the widget -----------------------------------------------------------------

def test_keras_model_has_the_same_shape_and_outputs_as_the_numpy_mlp():
    sizes = [2, 8, 8, 3]
    model = nn.build_keras_mlp(sizes, act="relu")
    assert model.count_params() == nn.param_count(sizes)
    params = nn.init_mlp(sizes, rng, dtype=np.float32)
    nn.set_keras_weights(model, params)
    x = rng.normal(size=(10, 2)).astype(np.float32)
    np.testing.assert_allclose(model.predict_on_batch(x), nn.mlp_forward(params, x, "relu")[0], atol=1e-5)
    with pytest.raises(ValueError, match="Dense layers"):
        nn.set_keras_weights(model, params[:2])


def test_minibatches_cover_every_example_once_per_epoch():
    x, y = np.arange(10.0)[:, None], np.arange(10)
    batches = toydata.minibatches(x, y, batch_size=5, seed=0)
    first, second = next(batches), next(batches)
    assert sorted(np.concatenate([first[1], second[1]]).tolist()) == list(range(10))
    np.testing.assert_array_equal(first[0][:, 0], first[1])  # x and y stay paired


def test_plots_return_labelled_figures():
    data = toydata.two_moons(n=60)
    params = nn.init_mlp([2, 4, 2], rng)
    fig = nnplots.plot_decision_boundary(lambda p: nn.predict_proba(params, p), data, title="t")
    assert fig.axes[0].get_title() == "t" and fig.axes[0].get_xlabel() == "x1"
    fig = nnplots.plot_activations({n: nn.ACTIVATIONS[n] for n in ("sigmoid", "relu")})
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid", "relu"] and fig.axes[0].get_xlabel() == "z"
    shown = []
    live = nnplots.LiveBoundary(data, 20, proba_fn=nn.predict_proba, show=shown.append)
    nn.train(params, data.x_train, data.y_train, 20, callback=live.redraw, every=10)
    assert [step for step, _ in live.shots] == [10, 20] and live.shots[0][1].shape == (100 * 100, 2)
    assert "step 20" in live.ax_b.get_title() and len(shown) == 2
    assert live.ax_l.get_ylabel() == "cross-entropy (nats)" and list(live.test_losses) == [10, 20]
    p = nn.predict_proba(params, data.x_test)[np.arange(len(data.y_test)), data.y_test]
    assert live.test_losses[20] == pytest.approx(-np.mean(np.log(p)))
    labels = [t.get_text() for t in live.ax_b.get_legend().get_texts()]
    assert labels == ["upper", "lower", "train (filled)", "test (hollow)"]  # one entry per class, in its colour
    fig = nnplots.plot_curves([("accuracy", {"a": [0.5, 0.7], "b": {1: 0.4, 2: 0.9}}, False)], "t", xlabel="epoch")
    assert fig.axes[0].get_ylabel() == "accuracy" and fig.axes[0].get_xlabel() == "epoch"
    assert [list(line.get_xdata()) for line in fig.axes[0].lines] == [[1, 2], [1, 2]]
    plt.close("all")


def test_playground_retrains_and_redraws():
    demo = Playground(steps=500, n=60)
    frames = []
    demo.image.observe(lambda change: frames.append(change["new"]), names="value")
    fig = demo.retrain(dataset="XOR", width=4, depth=1, act="tanh", lr=0.05)
    assert fig is not None and demo.accuracy == 1.0 and "XOR, 2-4-2 tanh" in fig.axes[0].get_title()
    assert demo.image.value[:4] == b"\x89PNG" and "test accuracy" in demo.status.value
    assert len(frames) == 11 and len(set(frames)) > 5  # animated: the first frame and one every 50 steps
    demo.retrain(dataset="two moons", noise=0.0)
    clean = demo.make_data("two moons")
    demo.noise.value = 0.4
    assert not np.allclose(clean.x_train, demo.make_data("two moons").x_train)
    assert "noise 0.00" in demo.status.value
    with pytest.raises(ValueError, match="Unknown setting"):
        demo.retrain(momentum=0.9)
    plt.close("all")


# --- exercises ---------------------------------------------------------------------------------

def test_a_wrong_dense_backward_is_told_which_case_and_item():
    mean_not_sum = lambda x, W, b, d: (x @ W + b, d @ W.T, x.T @ d, d.mean(axis=0))  # noqa: E731
    status, message = ex01.q2.verdict(mean_not_sum)
    assert status == "incorrect" and "case 2 of 3 (x (4, 3), W (3, 2))" in message and "item 3" in message


def test_a_backward_pass_without_the_tanh_slope_is_caught():
    def no_slope(x, y, W1, b1, W2, b2):  # forgets tanh'(z1) = 1 - h^2
        h = np.tanh(x @ W1 + b1)
        loss, dz2 = nn.softmax_cross_entropy(h @ W2 + b2, y)
        dz1 = dz2 @ W2.T
        return loss, [(x.T @ dz1, dz1.sum(axis=0)), (h.T @ dz2, dz2.sum(axis=0))]
    status, message = ex01.q5.verdict(no_slope)
    assert status == "incorrect" and "case 2 of 3" in message


def test_an_untrained_xor_net_is_told_what_it_gets_wrong():
    status, message = ex01.q6.verdict(lambda seed: nn.init_mlp([2, 4, 2], np.random.default_rng(seed)))
    assert status == "incorrect" and "misclassifies" in message


# --- the lesson's metrics ------------------------------------------------------------------

def test_lesson_metrics_in_smoke(notebook_metrics):
    m = notebook_metrics(LESSON)
    assert m["grad_check_max_rel_error"] < 1e-6
    assert m["tape_vs_manual_max_abs_diff"] < 1e-6
    assert m["xor_solved"] is True
    # what the smoke run measured (0.97, 0.93, 1.0, 0.87, 0.92), with a margin
    assert m["moons_test_accuracy"] >= 0.9 and m["spiral_test_accuracy"] >= 0.8 and m["iris_test_accuracy"] >= 0.9
    assert m["keras_moons_test_accuracy"] >= 0.75 and m["playground_test_accuracy"] >= 0.8
    assert m["ua_mse_by_width"][-1] < m["ua_mse_by_width"][0]
    assert m["grad_check_sign_flip_rel_error"] == pytest.approx(1.0)
    assert 0.01 < m["grad_check_missing_factor_rel_error"] < 0.9
    assert m["race_optimizers"] == ["descent", "momentum", "adam"]
    assert min(m["race_final_loss"]) == m["race_final_loss"][2]  # Adam lowest, even in smoke


def test_stored_classroom_run_meets_the_issue(stored_metrics):
    m = stored_metrics(LESSON)
    assert m["profile"] == "classroom"
    assert m["grad_check_max_rel_error"] < 1e-6
    assert m["tape_vs_manual_max_abs_diff"] < 1e-6
    assert m["xor_solved"] is True
    assert m["moons_test_accuracy"] >= 0.95
    assert m["iris_test_accuracy"] >= 0.9
    assert m["spiral_test_accuracy"] >= 0.95 and m["keras_moons_test_accuracy"] >= 0.95
    widths = dict(zip(m["ua_widths"], m["ua_mse_by_width"]))
    assert widths[16] < 0.001 < 0.1 < widths[1]  # the lesson's claim: width buys fit
    assert widths[64] < 3 * widths[16]  # "widths 16 and 64 end close together"
    # the lesson's claims: a sign flip gives 1, a missing factor less; Adam first, momentum before descent
    assert m["grad_check_sign_flip_rel_error"] == pytest.approx(1.0)
    assert 0.01 < m["grad_check_missing_factor_rel_error"] < 0.9
    steps = dict(zip(m["race_optimizers"], m["race_steps_to_loss_0_1"]))
    assert steps["adam"] < steps["momentum"] < steps["descent"] <= 1500
    assert m["race_final_loss"][2] == min(m["race_final_loss"])
    assert m["untrained_iris_loss"] == pytest.approx(math.log(3), abs=0.15)
    assert m["seconds"] < 600
