"""What a business owner authors: process bundles, their JSON form and their checks.

Nothing here does I/O or imports from codegen/, runtime/ or designer/.
"""

from models.bundle import Bundle
from models.errors import BundleLoadError, FlowdeskError, LoadProblem
from models.serialization import dump_bundle, load_bundle

__all__ = [
    "Bundle",
    "BundleLoadError",
    "FlowdeskError",
    "LoadProblem",
    "dump_bundle",
    "load_bundle",
]
