/* build-ext's build requirements: read from the project, provided from Debian, or named. */
#ifndef FTSTRESS_BUILD_REQUIRES_H
#define FTSTRESS_BUILD_REQUIRES_H

/* Reads `project`'s [build-system] requires (pyproject.toml) and setup_requires (setup.cfg,
 * setup.py), and for each one this interpreter lacks: installs the pure-Python Debian package
 * python3-NAME (scripts/lib/install-debian-python), or, when none can serve (numpy's C API, a
 * package Debian compiled), prints what to do. Returns 0 when every requirement is there,
 * FT_EXIT_CANNOT_RUN otherwise (the reasons on stderr). */
int ft_build_requires(const char *project);

#endif
