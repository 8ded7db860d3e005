# ftstress_add_python_extension(NAME SOURCES...): a CPython extension module compiled with the
# embedded TSan interpreter's headers and -fsanitize=thread, placed in the bundled site folder
# (build/site) that every `ftstress run` puts on sys.path.
execute_process(
  COMMAND "${FTSTRESS_PYTHON}" -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"
  OUTPUT_VARIABLE FTSTRESS_EXT_SUFFIX OUTPUT_STRIP_TRAILING_WHITESPACE)
set(FTSTRESS_SITE_DIR ${PROJECT_BINARY_DIR}/site)

function(ftstress_add_python_extension name)
  add_library(${name} MODULE ${ARGN})
  set_target_properties(${name} PROPERTIES PREFIX "" SUFFIX "${FTSTRESS_EXT_SUFFIX}"
                        LIBRARY_OUTPUT_DIRECTORY ${FTSTRESS_SITE_DIR} C_VISIBILITY_PRESET hidden)
  target_include_directories(${name} PRIVATE ${PYTHON_INCLUDE})
  # -O1 keeps racy loads and stores where the source has them, as sanitizer builds usually do.
  target_compile_options(${name} PRIVATE ${FTSTRESS_SANITIZE_FLAGS} -O1 -g -fno-omit-frame-pointer -Wall -Wextra
                         -Wno-unused-parameter -Wno-missing-field-initializers -Wno-cast-function-type)
endfunction()
