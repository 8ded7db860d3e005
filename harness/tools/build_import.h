/* build-ext's last step: every built module must import, with its packages, in the TSan interpreter. */
#ifndef FTSTRESS_BUILD_IMPORT_H
#define FTSTRESS_BUILD_IMPORT_H

/* Imports `module` (a dotted name below `site`) and every package above it in a fresh TSan
 * interpreter, PYTHON_GIL unset. `sources` is the build's copy of the project (see
 * FT_BUILD_PY_COPY_PROJECT), or NULL for a single file: a module the package imports that is in
 * neither the copy nor the site is a file the build should have generated. Returns 1 when it
 * imports and the GIL stays off, 0 when it imports and the GIL came back on, -1 when it does not
 * import: then the error, the last frames and the likely cause are printed on stdout, indented. */
int ft_build_import(const char *site, const char *sources, const char *module);

#endif
