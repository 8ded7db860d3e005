/* build-ext's build backends: which one a project uses, and one function per backend that builds
 * it with the TSan interpreter into a site folder. */
#ifndef FTSTRESS_BUILD_BACKEND_H
#define FTSTRESS_BUILD_BACKEND_H

typedef enum ft_build_backend {
    FT_BUILD_SETUPTOOLS,   /* setup.py, or pyproject.toml with setuptools (Cython through it) */
    FT_BUILD_MESON_PYTHON, /* pyproject.toml with build-backend = "mesonpy" */
    FT_BUILD_SCIKIT_BUILD_CORE, /* pyproject.toml with build-backend = "scikit_build_core.build" (CMake) */
} ft_build_backend;

/* Reads the project folder's pyproject.toml ([build-system] build-backend), setup.py and
 * meson.build to choose the backend. Returns 0, or -1 with a malloc'd explanation in `*why`
 * (the caller frees it) for a backend build-ext does not drive. */
int ft_build_detect(const char *project, ft_build_backend *out, char **why);

/* Each builds `src` (a project folder, or for setuptools also one .c file) from a copy in
 * SITE/.ftstress-build/BASENAME (see FT_BUILD_PY_COPY_PROJECT), installs the built modules and Python files into `site`, and writes one line
 * naming the backend and its versions ("setuptools+Cython (setuptools 78.1.1, Cython 3.1.6)")
 * into the file `note`. Returns the build's exit status: 0 built, else the tools' messages are
 * on stderr. */
int ft_build_setuptools(const char *src, const char *site, const char *note);
int ft_build_meson_python(const char *src, const char *site, const char *note);
int ft_build_scikit_build_core(const char *src, const char *site, const char *note);

/* The start of every project build script, in Python: argv is SRC SITE NOTE; copies SRC to
 * `work`/src, a folder made afresh each build, records SRC's real path in `work`/source (reports
 * show and annotate files relative to it: source_paths.c), and enters it. Why a copy: a build writes into its
 * source folder (egg-info, build/, the .c files cythonize writes next to each .pyx, meson-python's
 * .mesonpy-* folders) and the user's tree must stay as it was. Why kept, inside the site: TSan's
 * stacks and ftstress's `at` lines name the files the compiler saw, and Cython's generated C
 * exists nowhere else; a leading dot keeps it off module searches (and build-ext's module scan).
 * Left out of the copy: VCS and byte-code folders, a top-level build/ or egg-info of an earlier
 * in-tree build, and the site itself (it may be inside SRC: `build-ext .`). */
#define FT_BUILD_PY_COPY_PROJECT                                                                     \
    "import os, shutil, sys\n"                                                                       \
    "src, site, note = sys.argv[1:4]\n"                                                              \
    "work = os.path.join(site, '.ftstress-build', os.path.basename(src))\n"                          \
    "shutil.rmtree(work, ignore_errors=True)\n"                                                      \
    "def ignore(folder, names):\n"                                                                   \
    "    top = os.path.samefile(folder, src)\n"                                                      \
    "    return [n for n in names if n in ('.git', '.hg', '.ftstress', '__pycache__')\n"             \
    "            or top and (n == 'build' or n.endswith('.egg-info') or n.startswith('.mesonpy-'))\n" \
    "            or os.path.realpath(os.path.join(folder, n)) == site]\n"                            \
    "shutil.copytree(src, work + '/src', symlinks=True, ignore=ignore)\n"                            \
    "with open(work + '/source', 'w') as f:  # the tree the copy came from, for reports' paths\n"     \
    "    f.write(os.path.realpath(src) + '\\n')\n"                                                    \
    "os.chdir(work + '/src')\n"

/* C++ with the clang++ that matches the interpreter's clang, for every backend (setuptools reads
 * CXX and LDCXXSHARED, meson and CMake read CXX). Why: the interpreter records CXX = c++, which is
 * g++ here; g++ -fsanitize=thread links GCC's libtsan.so, which cannot load beside the clang TSan
 * runtime the interpreter carries ("cannot allocate memory in static TLS block", msgpack's Cython
 * C++ module, issue 22). CC = clang-19 gives clang++-19; a CXX the user set is kept. The user's
 * CXXFLAGS are added to the interpreter's CFLAGS (which hold -fsanitize=thread), as CFLAGS are:
 * distutils would use them in their place. */
#define FT_BUILD_PY_CLANGXX                                                                          \
    "import os, shutil, sysconfig\n"                                                                 \
    "def clangxx():\n"                                                                               \
    "    cc = (os.environ.get('CC') or sysconfig.get_config_var('CC') or '').split()\n"             \
    "    if not cc or not os.path.basename(cc[0]).startswith('clang'):\n"                            \
    "        return None\n"                                                                          \
    "    head, base = os.path.split(cc[0])\n"                                                        \
    "    cxx = os.path.join(head, base.replace('clang', 'clang++', 1))\n"                            \
    "    return ' '.join([cxx] + cc[1:]) if shutil.which(cxx) else None\n"                           \
    "if 'CXX' not in os.environ and clangxx():\n"                                                    \
    "    os.environ['CXX'] = clangxx()\n"                                                            \
    "    ld = (sysconfig.get_config_var('LDCXXSHARED') or '-shared -fsanitize=thread').split()\n"    \
    "    os.environ.setdefault('LDCXXSHARED', ' '.join([os.environ['CXX']] + [a for a in ld if a.startswith('-')]))\n" \
    "if os.environ.get('CXXFLAGS'):\n"                                                              \
    "    os.environ['CXXFLAGS'] = (sysconfig.get_config_var('CFLAGS') or '') + ' ' + os.environ['CXXFLAGS']\n"

/* setuptools_scm's version where it cannot find one itself: the copy has no .git (see
 * FT_BUILD_PY_COPY_PROJECT), and a released sdist has none anyway (Debian's orig tarballs of
 * xxhash and python-isal). So SETUPTOOLS_SCM_PRETEND_VERSION, unless the user set it, is the
 * sdist's PKG-INFO Version, else what setuptools_scm reads from the original tree's git metadata,
 * else the version that ends the folder's name, as an sdist and a Debian orig tarball unpack
 * (python-xxhash-3.2.0: Debian's tarball of xxhash has no PKG-INFO). */
#define FT_BUILD_PY_SCM_VERSION                                                                      \
    "def scm_version():\n"                                                                           \
    "    if os.path.isfile('PKG-INFO'):\n"                                                           \
    "        with open('PKG-INFO', errors='replace') as f:\n"                                        \
    "            for line in f:\n"                                                                   \
    "                if line.startswith('Version:'):\n"                                              \
    "                    return line.split(':', 1)[1].strip()\n"                                     \
    "                if not line.strip():\n"                                                         \
    "                    break\n"                                                                    \
    "    if os.path.exists(os.path.join(src, '.git')):\n"                                            \
    "        try:\n"                                                                                 \
    "            import setuptools_scm\n"                                                            \
    "            return setuptools_scm.get_version(root=src)\n"                                      \
    "        except Exception:\n"                                                                    \
    "            return None\n"                                                                      \
    "    import re\n"                                                                                \
    "    m = re.search(r'-v?([0-9]+(?:\\.[0-9]+)+(?:[.+-]?[a-z0-9]+)*)$', os.path.basename(src))\n"   \
    "    return m.group(1) if m else None\n"                                                                          \
    "if not os.environ.get('SETUPTOOLS_SCM_PRETEND_VERSION'):\n"                                  \
    "    pretend = scm_version()\n"                                                                  \
    "    if pretend:\n"                                                                              \
    "        os.environ['SETUPTOOLS_SCM_PRETEND_VERSION'] = pretend\n"

/* Unpacks the wheel at `wheel_path` into the site: a wheel's root is the site; <name>.data/purelib
 * and platlib are too; its metadata and other .data folders (scripts, headers) are not modules. */
#define FT_BUILD_PY_UNPACK_WHEEL                                                                     \
    "import zipfile\n"                                                                               \
    "with zipfile.ZipFile(wheel_path) as z:\n"                                                       \
    "    for member in z.infolist():\n"                                                              \
    "        parts = member.filename.split('/')\n"                                                   \
    "        if member.is_dir() or parts[0].endswith('.dist-info'):\n"                               \
    "            continue\n"                                                                         \
    "        if parts[0].endswith('.data'):\n"                                                       \
    "            if len(parts) < 3 or parts[1] not in ('purelib', 'platlib'):\n"                     \
    "                continue\n"                                                                     \
    "            parts = parts[2:]\n"                                                                \
    "        target = os.path.join(site, *parts)\n"                                                  \
    "        os.makedirs(os.path.dirname(target), exist_ok=True)\n"                                  \
    "        with z.open(member) as fi, open(target, 'wb') as fo:\n"                                 \
    "            shutil.copyfileobj(fi, fo)\n"

#endif
