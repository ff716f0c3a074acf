"""A matplotlib backend for sessions: renders with Agg, and show() hands the figures to the driver
instead of opening a window."""
import warnings

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

# Figure.show() on Agg says it cannot show a window: here the figure is returned instead. Set here,
# not in the driver, because filterwarnings imports re, which sessions without matplotlib never need.
warnings.filterwarnings("ignore", message=".*non-interactive.*")

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
