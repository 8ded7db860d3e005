# A C++ fixture for build-ext: a plain C++ extension and a Cython language=c++ module, which must be
# compiled and linked by the clang++ matching the interpreter's clang, never g++ (issue 22).
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    name="ftcxx",
    version="0.1",
    packages=["ftcxx"],
    package_dir={"": "src"},
    ext_modules=[Extension("ftcxx._vec", ["src/ftcxx/_vec.cpp"], language="c++")]
    + cythonize([Extension("ftcxx._cyvec", ["src/ftcxx/_cyvec.pyx"], language="c++")],
                compiler_directives={"language_level": 3, "freethreading_compatible": True}),
)
