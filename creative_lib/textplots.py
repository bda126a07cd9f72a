"""Lesson 07's figures: n-gram orders against validation bits, and who predicts the text best."""
import math

import matplotlib.pyplot as plt


def plot_ngram_orders(scores, best_order, vocab_size):
    """Validation bits per character of each n-gram order ({order: bits}), the best one starred."""
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(list(scores), list(scores.values()), "o-")
    ax.axhline(math.log2(vocab_size), color="grey", ls=":", label=f"uniform guess (log2 {vocab_size})")
    ax.plot(best_order, scores[best_order], "r*", ms=14, label=f"best: order {best_order}")
    ax.set(xlabel="n-gram order (history = order - 1 characters)", ylabel="validation bits per char",
           title="Kneser-Ney n-grams: longer histories help, then data runs out")
    ax.legend()
    return fig


def plot_scores(scores, title):
    """Horizontal bars of {model name: validation bits per character}, lower is better, labelled with the value."""
    fig, ax = plt.subplots(figsize=(6.5, 3))
    colors = ["#bbb", "#999", "#5a8", "#c44", "#48c", "#c8a"][: len(scores)]
    bars = ax.barh(list(scores), list(scores.values()), color=colors)
    ax.bar_label(bars, fmt="%.3f", padding=3)
    ax.invert_yaxis()
    ax.set(xlabel="validation bits per character (lower is better)", title=title, xlim=(0, max(scores.values()) * 1.15))
    return fig
