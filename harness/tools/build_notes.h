/* After a failed build: where the project says how it builds, and the switches its build script reads. */
#ifndef FTSTRESS_BUILD_NOTES_H
#define FTSTRESS_BUILD_NOTES_H

/* Prints (ft_info) the project's README or INSTALL file, and the environment variables its setup.py
 * reads (os.getenv / os.environ), which pass through build-ext. */
void ft_build_point_at_notes(const char *project);

#endif
