# permanence_embed_files(OUTPUT file.c SYMBOL name FILES a b ...)
# Generates a C source that defines
#   const struct embedded_file name[]; const size_t name_count;
# holding each file's base name and its bytes (NUL-terminated), so data files ship
# inside the binary. The struct is declared in src/core/embedded.h.
function(permanence_embed_files)
  cmake_parse_arguments(E "" "OUTPUT;SYMBOL" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${E_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${E_OUTPUT} -DSYMBOL=${E_SYMBOL}
            "-DFILES=${E_FILES}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesRun.cmake
    DEPENDS ${E_FILES} ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesRun.cmake
    COMMENT "Embedding ${E_SYMBOL}"
    VERBATIM)
endfunction()
