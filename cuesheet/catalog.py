"""The local catalog's old home: kept so `from cuesheet import catalog` keeps working.

The code lives in `cuesheet.recordings.importer` (architecture.md: recordings/).
"""

from cuesheet.recordings.importer import *  # noqa: F401,F403
from cuesheet.recordings.importer import __all__  # noqa: F401
