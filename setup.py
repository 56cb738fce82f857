"""The one thing pyproject.toml cannot say: the repository's examples/ folder ships as the package `flowdesk_examples`.

The example processes stay a top-level folder people browse and pass to `flowdesk check examples/*`; the wheel
carries them under a name of their own (a top-level `examples` package would clash with other projects), and an
editable install maps that name back to the folder. Everything else is configured in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["models*", "codegen*", "runtime*", "designer*"]), "flowdesk_examples"],
    package_dir={"flowdesk_examples": "examples"},
)
