"""The wheel carries what the matcher learns from the packaged knowledge (bot/understanding/packaged/), so an
install starts warm with nothing to train and nothing to write: a Lambda cold start, a read-only container.
Everything else is in pyproject.toml."""

import os
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

TRAIN = (
    "import sys; from bot.understanding.packaged_model import build; "
    "print('container-bot: packaged model', build(sys.argv[1]))"
)


class BuildWithModel(build_py):
    """Train once from the packaged knowledge, with the very files being packaged, into the build tree."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree: the user's cache serves it
        lib = os.path.abspath(self.build_lib)
        target = os.path.join(lib, "bot", "understanding", "packaged")
        # the build tree first, then whatever the build environment put on the path (pip's isolated build
        # finds its own requirements, PyYAML and RapidFuzz, through PYTHONPATH)
        path = os.pathsep.join(p for p in (lib, os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "PYTHONPATH": path}
        env.pop("KNOWLEDGE_FILE", None)
        subprocess.run([sys.executable, "-c", TRAIN, target], check=True, env=env, cwd=lib)


setup(cmdclass={"build_py": BuildWithModel})
