/* Source paths as a reader looks for them: relative to the source tree that was built. */
#ifndef FTSTRESS_SOURCE_PATHS_H
#define FTSTRESS_SOURCE_PATHS_H

/* `path` (a finding's location, "file:line" allowed) relative to the source tree it was compiled
 * from: an extension's file in build-ext's copy ("SITE/.ftstress-build/NAME/src/pkg/mod.c") ->
 * "pkg/mod.c", the interpreter's ("FTSTRESS_HOME/build/KEY/./Modules/_io/bytesio.c") ->
 * "Modules/_io/bytesio.c"; any other path unchanged. New string; free() it. */
char *ft_source_path_shown(const char *path);

/* The file in the user's tree that `path` was compiled from (build-ext records the tree it copied
 * in SITE/.ftstress-build/NAME/source), relative to `root` when it lies inside it ("pkg/mod.c"),
 * else NULL: a file outside `root` cannot be annotated there. `root` NULL: the path relative to the
 * built tree (ft_source_path_shown), when it is an extension's. New string or NULL. */
char *ft_source_path_in(const char *path, const char *root);

#endif
