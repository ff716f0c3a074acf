"""A matplotlib backend for sessions: renders with Agg, and show() hands the figures to the driver
instead of opening a window."""
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase

_shown = []


def show(*args, **kwargs):
    import matplotlib.pyplot as plt
    from sandpool_driver import png_of

    for number in plt.get_fignums():
        _shown.append(png_of(plt.figure(number)))
    plt.close("all")


def take_shown():
    images = list(_shown)
    _shown.clear()
    return images
