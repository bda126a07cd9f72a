"""Instructor demos, one module per lesson: ipywidgets wired to the lesson's code.

Each demo has a `.ui` to display and a method that does what its button or slider does, so a
notebook (and the test suite) can run the demo's code path without a browser.
"""
