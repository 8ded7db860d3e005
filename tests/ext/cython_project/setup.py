# A Cython project the setuptools way: cythonize in setup.py. Built by tests/test_build_systems.py.
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(name="ftcython", version="0.1",
      ext_modules=cythonize([Extension("ftcython", ["ftcython.pyx"])], language_level=3))
