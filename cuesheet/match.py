"""The old import path of the matcher; the code lives in `cuesheet.matching` now.

Kept because it costs one line per name: `from cuesheet.match import identify`
in scripts and the curator's `suggest` keep working.
"""

from cuesheet.matching import *  # noqa: F403
from cuesheet.matching import __all__  # noqa: F401
